import { randomUUID, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, MlopsError } from '../errors';
import { installedVersion } from '../install';
import { l10n } from '../l10n';
import { parseModelReference } from '../registry';
import { checkConfigFile, type Project, type ServingConfig } from '../workspace';
import { AppendLog } from './appendLog';
import { chooseRoute, declaredEndpoints, endpointSpecs, type EndpointSpec } from './endpoints';
import { LiveCounters, type CounterSnapshot } from './liveCounters';
import { currentVersion, filesThatMove, fileStamp, loadServedModel, type ServedModel, type ServedPrediction } from './modelSource';
import { PredictionBatcher } from './predictionBatcher';
import { encodePredictionLine, FEEDBACK_LOG, logDir, PREDICTION_LOG } from './predictionLog';
import { batchFromCsv, batchFromInferRequest, batchFromMlflowJson, RequestError, type ColumnBatch } from './requestInputs';
import { assertNoServer, removeServerState, writeServerState } from './serverState';

export const DEFAULT_PORT = 5005;
const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface ServeOptions {
  /** Models named on the command line (name@alias, name/version); none: what `serving:` declares. */
  references?: readonly string[];
  /**
   * One endpoint given whole (`mlops serve --route ... --shadow ... --sticky ...`), served instead of the references
   * and the declared endpoints. Once mlops.yaml is edited to declare an endpoint of its name, that declaration
   * drives it (weights change live); while none does, this spec stays.
   */
  endpoint?: EndpointSpec;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  bodyLimitBytes?: number;
  /** Time a client has to send its headers, and its whole request: slow clients cannot hold connections. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often alias files and mlops.yaml are checked for changes. */
  watchIntervalMs?: number;
  /** Writes .mlops/serving/server.json for `mlops serve status|stop` (default true). */
  writeState?: boolean;
  /** What the server notices while it runs: version switches, reloads, failures of a shadow. */
  onEvent?: (event: ServerEvent) => void;
}

export type ServerEvent =
  | { kind: 'switched'; reference: string; from: number; to: number }
  | { kind: 'load-failed'; reference: string; message: string }
  | { kind: 'config-reloaded' }
  | { kind: 'config-invalid'; message: string }
  | { kind: 'shadow-failed'; reference: string; message: string };

export interface RouteStatus {
  model: string;
  version: number | null;
  weight: number;
}

export interface EndpointStatus extends CounterSnapshot {
  name: string;
  url: string;
  default: boolean;
  loaded: boolean;
  routes: RouteStatus[];
  shadow: { model: string; version: number | null } | null;
  sticky: string | null;
}

export interface ServerMetrics {
  pid: number;
  url: string;
  started: string;
  uptimeSeconds: number;
  endpoints: EndpointStatus[];
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  metrics(): ServerMetrics;
  /** Stops accepting connections, lets requests in flight finish and their log lines reach the file, then resolves. */
  close(): Promise<void>;
}

/** A loaded model reference: what it names now, and the state of the files that could move it. */
interface Slot {
  reference: string;
  model: ServedModel | undefined;
  stamps: string;
}

interface Endpoint {
  spec: EndpointSpec;
  loaded: boolean;
  counters: LiveCounters;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');

/** Starts the model server of `project` and resolves once it listens. */
export async function startServer(project: Project, options: ServeOptions = {}): Promise<RunningServer> {
  let serving: ServingConfig = project.config.serving ?? {};
  const references = options.references ?? [];
  const host = options.host ?? serving.host ?? '127.0.0.1';
  const port = options.port ?? serving.port ?? DEFAULT_PORT;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const writeState = options.writeState ?? true;
  const emit = options.onEvent ?? (() => undefined);
  const token = bearerToken(serving);
  if (writeState) assertNoServer(project.paths);

  const slots = new Map<string, Slot>();
  const slotOf = (reference: string): Slot => {
    let slot = slots.get(reference);
    if (!slot) {
      const stamps = stampsOf(project, reference);
      slot = { reference, model: loadServedModel(project, reference), stamps };
      slots.set(reference, slot);
    }
    return slot;
  };
  const versions = new LoadedVersions(project);
  const endpoints = new Map<string, Endpoint>();
  const applySpecs = (specs: readonly EndpointSpec[]) => {
    // load everything first: a spec naming a model that does not load leaves the endpoints as they were
    for (const spec of specs) for (const { model } of spec.routes) slotOf(model);
    // a shadow that does not load (its alias not set yet) must not stop the routes: it waits for its alias to move
    for (const shadow of specs.flatMap((s) => (s.shadow && !slots.has(s.shadow) ? [s.shadow] : []))) {
      try {
        slotOf(shadow);
      } catch (err) {
        slots.set(shadow, { reference: shadow, model: undefined, stamps: stampsOf(project, shadow) });
        emit({ kind: 'load-failed', reference: shadow, message: describeError(err) });
      }
    }
    for (const name of [...endpoints.keys()]) if (!specs.some((s) => s.name === name)) endpoints.delete(name);
    for (const spec of specs) {
      const existing = endpoints.get(spec.name);
      if (existing) existing.spec = spec;
      else endpoints.set(spec.name, { spec, loaded: true, counters: new LiveCounters() });
    }
  };
  const given = options.endpoint;
  const specsOf = (config: ServingConfig | undefined, reloaded: boolean): EndpointSpec[] => {
    if (!given) return endpointSpecs(config, references);
    // at start the command line wins over mlops.yaml; an edit of mlops.yaml made while serving is meant to apply
    const declared = reloaded ? declaredEndpoints(config).find((s) => s.name === given.name) : undefined;
    return [declared ?? given];
  };
  applySpecs(specsOf(serving, false));

  const logOptions = { maxBytes: serving.log?.maxBytes ?? 64 * 1024 * 1024, maxFiles: serving.log?.maxFiles ?? 8, fsync: serving.log?.fsync ?? false };
  const predictions = new AppendLog(logDir(project.paths), PREDICTION_LOG, logOptions);
  const feedback = new AppendLog(logDir(project.paths), FEEDBACK_LOG, logOptions);
  // the batches of a turn are predicted at its end; their lines then go to the file in one write, that same turn
  const batcher = new PredictionBatcher(() => predictions.commit());

  // Alias files and mlops.yaml are polled: fs.watch misses renames over a watched file on some systems, and a
  // handful of stat calls a few times a second cost nothing.
  let configStamp = fileStamp(project.paths.config);
  const watch = () => {
    for (const slot of slots.values()) refreshSlot(project, slot, versions, emit);
    const stamp = fileStamp(project.paths.config);
    if (stamp === configStamp || references.length) return;
    configStamp = stamp;
    const check = checkConfigFile(project.paths.config);
    if (!check.config) {
      emit({ kind: 'config-invalid', message: check.problems[0]?.message ?? '' });
      return;
    }
    try {
      applySpecs(specsOf(check.config.serving, true));
      serving = check.config.serving ?? {};
      emit({ kind: 'config-reloaded' });
    } catch (err) {
      emit({ kind: 'config-invalid', message: describeError(err) });
    }
  };
  const watcher = setInterval(watch, options.watchIntervalMs ?? 250);
  watcher.unref();

  const defaultEndpoint = () => endpoints.values().next().value as Endpoint | undefined;
  const primaryModel = (endpoint: Endpoint | undefined): ServedModel | undefined => {
    if (!endpoint) return undefined;
    const route = endpoint.spec.routes.find((r) => r.weight > 0) ?? endpoint.spec.routes[0];
    return slots.get(route.model)?.model;
  };
  const versionHeader = (model: ServedModel | undefined) => (model ? String(model.version) : 'none');

  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  // one function for every request, not a closure each
  const settled = () => {
    inFlight--;
    if (inFlight === 0) onIdle?.();
  };
  const started = new Date();

  /** Predicts a request on an endpoint's chosen route and writes its log line; the caller answers after. */
  const predictOn = async (endpoint: Endpoint, req: http.IncomingMessage, parse: (model: ServedModel) => ColumnBatch, requestId: string, arrived: number) => {
    if (!endpoint.loaded) throw new RequestError(l10n.t('The endpoint "{0}" is unloaded; load it with POST /v2/repository/models/{0}/load.', endpoint.spec.name), 503);
    const { routes, sticky } = endpoint.spec;
    const primary = primaryModel(endpoint);
    if (!primary) throw new RequestError(l10n.t('The endpoint "{0}" has no model loaded.', endpoint.spec.name), 503);
    let batch = parse(primary);
    const header = sticky ? req.headers[sticky.toLowerCase()] : undefined;
    const column = sticky ? primary.signature.inputs.findIndex((i) => i.name === sticky) : -1;
    const key = typeof header === 'string' ? header : column >= 0 && batch.rows > 0 ? String(batch.columns[column][0]) : undefined;
    const index = chooseRoute(routes.map((r) => r.weight), key);
    if (index < 0) throw new RequestError(l10n.t('Every route of the endpoint "{0}" has weight 0.', endpoint.spec.name), 503);
    const model = slots.get(routes[index].model)?.model;
    if (!model) throw new RequestError(l10n.t('The endpoint "{0}" has no model loaded.', endpoint.spec.name), 503);
    if (model !== primary && !sameInputs(model, primary)) batch = parse(model);
    const output = await predicted(endpoint.spec.name, model, batch, requestId, arrived);
    return { model, batch, output };
  };

  /** Predicts a request's rows in its model's batch of the turn; resolves once its log line is in the file. */
  const predicted = (endpoint: string, model: ServedModel, batch: ColumnBatch, requestId: string, arrived: number) =>
    new Promise<ServedPrediction>((resolve, reject) =>
      batcher.predict(model, batch, (err, output) => {
        if (!output) return reject(err);
        predictions.write(lineOf(endpoint, model, 'route', requestId, arrived, batch, output), (failed) => (failed === undefined ? resolve(output) : reject(failed)));
      }),
    );

  const shadowOf = (endpoint: Endpoint, batch: ColumnBatch, primary: ServedModel, requestId: string, arrived: number) => {
    const reference = endpoint.spec.shadow;
    // a shadow that is not loaded was reported when it failed to load; every request need not say it again
    if (!reference || !slots.get(reference)?.model) return;
    inFlight++;
    setImmediate(() => {
      try {
        const model = slots.get(reference)!.model!;
        if (!sameInputs(model, primary)) throw new Error(l10n.t('its signature differs from the routes\''));
        const output = model.predictColumns(batch.columns, batch.rows);
        predictions.write(lineOf(endpoint.spec.name, model, 'shadow', requestId, arrived, batch, output), (err) => {
          if (err !== undefined) emit({ kind: 'shadow-failed', reference, message: describeError(err) });
          settled();
        });
      } catch (err) {
        emit({ kind: 'shadow-failed', reference, message: describeError(err) });
        settled();
      }
    });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const arrived = Date.now();
    const t0 = performance.now();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const route = decodePath(query === -1 ? url : url.slice(0, query));
    const method = req.method ?? 'GET';
    const oip = route === '/v2' || route.startsWith('/v2/');
    let counted: Endpoint | undefined;
    let answered: ServedModel | undefined;
    const fail = (status: number, message: string) => {
      const body = oip ? { error: message } : { error_code: status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', message };
      // the rest of an oversized body is not worth reading: the connection closes after the answer
      if (status === 413) res.setHeader('connection', 'close');
      reply(res, status, body, versionHeader(answered ?? primaryModel(counted ?? defaultEndpoint())));
    };
    try {
      if (token && !isProbe(route) && !tokenMatches(req.headers.authorization, token)) {
        res.setHeader('www-authenticate', 'Bearer');
        throw new RequestError(l10n.t('This server needs a bearer token: send `Authorization: Bearer <token>`.'), 401);
      }
      const requestId = typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128 ? req.headers['x-request-id'] : randomUUID();
      res.setHeader('x-request-id', requestId);

      // MLflow scoring
      const invocations = route === '/invocations' ? defaultEndpoint() : /^\/endpoints\/([^/]+)\/invocations$/.exec(route)?.[1];
      if (invocations !== undefined) {
        const endpoint = typeof invocations === 'string' ? endpoints.get(invocations) : invocations;
        if (!endpoint) throw new RequestError(l10n.t('There is no endpoint "{0}".', String(invocations)), 404);
        counted = endpoint;
        if (method !== 'POST') throw new RequestError(l10n.t('{0} takes POST.', route), 405);
        const media = mediaType(req.headers['content-type']);
        const body = await readBody(req, bodyLimit);
        const parse = media === 'text/csv' ? (m: ServedModel) => batchFromCsv(body, m.signature.inputs) : jsonParser(body, batchFromMlflowJson);
        const { model, batch, output } = await predictOn(endpoint, req, parse, requestId, arrived);
        answered = model;
        reply(res, 200, { predictions: output.predictions }, versionHeader(model));
        shadowOf(endpoint, batch, model, requestId, arrived);
      } else if (route === '/ping' || route === '/health') {
        const model = primaryModel(defaultEndpoint());
        if (!model) throw new RequestError(l10n.t('No model is loaded.'), 503);
        reply(res, 200, { status: 'ok', model: model.name, version: model.version }, versionHeader(model));
      } else if (route === '/version') {
        reply(res, 200, { version: installedVersion(), server: 'mlops-workbench' }, versionHeader(primaryModel(defaultEndpoint())));
      } else if (route === '/metrics' && method === 'GET') {
        reply(res, 200, metrics(), versionHeader(primaryModel(defaultEndpoint())));
      } else if (route === '/feedback') {
        if (method !== 'POST') throw new RequestError(l10n.t('{0} takes POST.', route), 405);
        if (mediaType(req.headers['content-type']) !== 'application/json') throw new RequestError(l10n.t('Send feedback as application/json.'), 415);
        const labels = feedbackOf(parseJson(await readBody(req, bodyLimit)));
        const time = new Date().toISOString();
        await Promise.all(labels.map((l) => feedback.append(JSON.stringify({ time, request_id: l.request_id, label: l.label }))));
        reply(res, 200, { recorded: labels.length }, versionHeader(primaryModel(defaultEndpoint())));
      } else if (oip) {
        await handleOip();
      } else {
        throw new RequestError(l10n.t('There is no {0} {1} on this server.', method, route), 404);
      }
    } catch (err) {
      if (err instanceof RequestError) fail(err.status, err.message);
      else fail(500, describeError(err));
    }
    const latency = performance.now() - t0;
    counted?.counters.record(latency, res.statusCode >= 400);

    async function handleOip(): Promise<void> {
      const requestId = res.getHeader('x-request-id') as string;
      if (route === '/v2/health/live') return reply(res, 200, { live: true }, versionHeader(primaryModel(defaultEndpoint())));
      if (route === '/v2/health/ready') {
        const ready = [...endpoints.values()].every((e) => !e.loaded || primaryModel(e));
        return reply(res, ready ? 200 : 503, { ready }, versionHeader(primaryModel(defaultEndpoint())));
      }
      if (route === '/v2') return reply(res, 200, { name: 'mlops-workbench', version: installedVersion(), extensions: ['model_repository'] }, versionHeader(primaryModel(defaultEndpoint())));
      if (route === '/v2/repository/index' && method === 'POST') {
        const index = [...endpoints.values()].map((e) => {
          const model = primaryModel(e);
          return { name: e.spec.name, version: model ? String(model.version) : undefined, state: e.loaded && model ? 'READY' : 'UNAVAILABLE', reason: e.loaded ? '' : 'unloaded' };
        });
        return reply(res, 200, index, versionHeader(primaryModel(defaultEndpoint())));
      }
      const repository = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/.exec(route);
      if (repository && method === 'POST') {
        const [, name, action] = repository;
        let endpoint = endpoints.get(name);
        if (action === 'unload') {
          if (!endpoint) throw new RequestError(l10n.t('There is no model "{0}" on this server.', name), 404);
          endpoint.loaded = false;
        } else if (endpoint) endpoint.loaded = true;
        else endpoint = loadByName(name);
        return reply(res, 200, { name, loaded: endpoint.loaded }, versionHeader(primaryModel(endpoint)));
      }
      const models = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer))?$/.exec(route);
      if (!models) throw new RequestError(l10n.t('There is no {0} {1} on this server.', method, route), 404);
      const [, name, versionText, action] = models;
      const endpoint = endpoints.get(name);
      counted = endpoint;
      let model: ServedModel | undefined;
      if (versionText !== undefined) model = versionOf(endpoint ? (primaryModel(endpoint)?.name ?? name) : name, versionText);
      else if (!endpoint) throw new RequestError(l10n.t('There is no model "{0}" on this server.', name), 404);
      else model = primaryModel(endpoint);
      if (action === undefined && method === 'GET') {
        if (!model) throw new RequestError(l10n.t('The model "{0}" is not ready.', name), 503);
        return reply(res, 200, metadataOf(name, model), versionHeader(model));
      }
      if (action === 'ready' && method === 'GET') {
        const ready = !!model && (!endpoint || endpoint.loaded);
        return reply(res, ready ? 200 : 503, { name, ready }, versionHeader(model));
      }
      if (action !== 'infer' || method !== 'POST') throw new RequestError(l10n.t('There is no {0} {1} on this server.', method, route), 404);
      const mediaOk = req.headers['content-type'] === undefined || mediaType(req.headers['content-type']) === 'application/json';
      if (!mediaOk) throw new RequestError(l10n.t('Send infer requests as application/json.'), 415);
      const text = await readBody(req, bodyLimit);
      const parse = jsonParser(text, batchFromInferRequest);
      const body = parseJson(text) as { id?: string };
      let result: { model: ServedModel; batch: ColumnBatch; output: ServedPrediction };
      if (versionText !== undefined) {
        if (!model) throw new RequestError(l10n.t('The model "{0}" is not ready.', name), 503);
        const batch = parse(model);
        result = { model, batch, output: await predicted(name, model, batch, requestId, arrived) };
      } else result = await predictOn(endpoint!, req, parse, requestId, arrived);
      answered = result.model;
      reply(res, 200, inferResponse(name, result.model, body.id, result.output), versionHeader(result.model));
      if (versionText === undefined) shadowOf(endpoint!, result.batch, result.model, requestId, arrived);
    }
  };

  const versionOf = (name: string, versionText: string): ServedModel => {
    if (!/^[1-9]\d{0,8}$/.test(versionText)) throw new RequestError(l10n.t('"{0}" is not a version number.', versionText), 404);
    try {
      return versions.get(name, Number(versionText));
    } catch (err) {
      throw new RequestError(describeError(err), 404);
    }
  };

  const loadByName = (name: string): Endpoint => {
    for (const reference of [`${name}@champion`, `${name}@latest`]) {
      try {
        slotOf(reference);
      } catch {
        continue;
      }
      const endpoint: Endpoint = { spec: { name, routes: [{ model: reference, weight: 1 }] }, loaded: true, counters: new LiveCounters() };
      endpoints.set(name, endpoint);
      return endpoint;
    }
    throw new RequestError(l10n.t('There is no model "{0}" in the registry, or it has no version to serve.', name), 404);
  };

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 5_000,
      // Node checks the timeouts above only this often (30 s by default): a slow client would keep its socket that long
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 4)),
    },
    (req, res) => {
      inFlight++;
      res.on('close', settled);
      // a client that goes away mid-body must cost nothing but its request
      req.on('error', ignore);
      void handle(req, res);
    },
  );
  // Node's own answer to a request it cannot parse or that timed out, with the version header every answer carries
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Bytes after a request that said `Connection: close` (a body sent without a length, as clients do with DELETE
    // or OPTIONS): that request is being answered, and its answer closes the socket; a 400 here would reach the
    // client as garbage after it, and destroying the socket would lose the answer
    if (err.code === 'HPE_CLOSED_CONNECTION' && socket.writable) return;
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error_code: 'BAD_REQUEST', message: http.STATUS_CODES[status] });
    const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`, 'connection: close', 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`, `x-mlops-model-version: ${versionHeader(primaryModel(defaultEndpoint()))}`];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${urlHost}:${address.port}`;
  if (writeState) writeServerState(project.paths, { pid: process.pid, host: address.address, port: address.port, url: baseUrl, started: started.toISOString(), auth: !!token });

  const metrics = (): ServerMetrics => {
    const first = defaultEndpoint();
    return {
      pid: process.pid,
      url: baseUrl,
      started: started.toISOString(),
      uptimeSeconds: (Date.now() - started.getTime()) / 1000,
      endpoints: [...endpoints.values()].map((e) => ({
        name: e.spec.name,
        url: `${baseUrl}/endpoints/${e.spec.name}/invocations`,
        default: e === first,
        loaded: e.loaded,
        routes: e.spec.routes.map((r) => ({ model: r.model, version: slots.get(r.model)?.model?.version ?? null, weight: r.weight })),
        shadow: e.spec.shadow ? { model: e.spec.shadow, version: slots.get(e.spec.shadow)?.model?.version ?? null } : null,
        sticky: e.spec.sticky ?? null,
        ...e.counters.snapshot(),
      })),
    };
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(watcher);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) {
        // idle keep-alive connections would otherwise hold the server open until they time out
        const sweeper = setInterval(() => server.closeIdleConnections(), 20);
        await new Promise<void>((resolve) => (onIdle = resolve));
        clearInterval(sweeper);
      }
      server.closeAllConnections();
      await stopped;
      await predictions.close();
      await feedback.close();
      if (writeState) removeServerState(project.paths);
    })());

  return { url: baseUrl, host: address.address, port: address.port, metrics, close };
}

/** A warning for the terminal when the server binds beyond this machine; undefined on a loopback address. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return l10n.t('Warning: the server listens on {0}, so other machines can reach your models. Set serving.auth.tokenEnv to require a token.', host);
}

const ignore = () => undefined;

function bearerToken(serving: ServingConfig): string | undefined {
  const variable = serving.auth?.tokenEnv;
  if (!variable) return undefined;
  const value = process.env[variable];
  if (!value) {
    throw new MlopsError(
      l10n.t('serving.auth.tokenEnv names {0}, which is not set.', variable),
      l10n.t('Set {0} to the token clients must send, or remove serving.auth from mlops.yaml.', variable),
      'NO_TOKEN',
    );
  }
  return value;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Liveness and readiness probes answer without a token: they tell nothing about the models. */
const isProbe = (route: string) => route === '/ping' || route === '/health' || route === '/v2/health/live' || route === '/v2/health/ready';

function stampsOf(project: Project, reference: string): string {
  return filesThatMove(project, reference).map(fileStamp).join('|');
}

/**
 * Loads the version an alias now names beside the one serving, then swaps: requests that already hold the old
 * model finish on it. A version that fails to load leaves the old one serving.
 */
function refreshSlot(project: Project, slot: Slot, versions: LoadedVersions, emit: (event: ServerEvent) => void): void {
  const stamps = stampsOf(project, slot.reference);
  if (stamps === slot.stamps) return;
  try {
    const version = currentVersion(project, slot.reference);
    if (version !== slot.model?.version) {
      const next = versions.get(parseModelReference(slot.reference).model, version);
      const from = slot.model?.version ?? 0;
      slot.model = next;
      emit({ kind: 'switched', reference: slot.reference, from, to: next.version });
    }
    slot.stamps = stamps;
  } catch (err) {
    // a half-finished git checkout can show a missing alias for a moment: keep serving and look again next time
    emit({ kind: 'load-failed', reference: slot.reference, message: describeError(err) });
  }
}

/**
 * Versions loaded by number, the most recently used kept: an alias moved back and forth, or a version asked for by
 * number, parses its artifact once instead of at every move (each parse grew the heap by megabytes).
 */
class LoadedVersions {
  private readonly models = new Map<string, ServedModel>();

  constructor(private readonly project: Project, private readonly keep = 8) {}

  get(name: string, version: number): ServedModel {
    const key = `${name}/${version}`;
    let model = this.models.get(key);
    if (model) this.models.delete(key);
    else model = loadServedModel(this.project, key);
    this.models.set(key, model);
    // a model evicted here may still serve through a slot; the cache only stops holding it
    for (const oldest of this.models.keys()) {
      if (this.models.size <= this.keep) break;
      this.models.delete(oldest);
    }
    return model;
  }
}

function sameInputs(a: ServedModel, b: ServedModel): boolean {
  const x = a.signature.inputs;
  const y = b.signature.inputs;
  return x.length === y.length && x.every((input, i) => input.name === y[i].name && input.type === y[i].type);
}

function lineOf(endpoint: string, model: ServedModel, role: 'route' | 'shadow', id: string, arrived: number, batch: ColumnBatch, output: ServedPrediction): string {
  const head = { time: isoTime(arrived), id, endpoint, model: model.name, version: model.version, role, latencyMs: Date.now() - arrived };
  return encodePredictionLine(head, model.signature.inputs, batch, output);
}

/** The ISO text of a time in milliseconds; the requests of one millisecond, several under load, share one. */
const isoTime = (() => {
  let last = NaN;
  let text = '';
  return (ms: number) => (ms === last ? text : ((last = ms), (text = new Date(ms).toISOString())));
})();

function metadataOf(name: string, model: ServedModel) {
  const classes = model.signature.output.classes;
  return {
    name,
    versions: [String(model.version)],
    platform: 'mlops-workbench',
    inputs: model.signature.inputs.map((i) => ({ name: i.name, datatype: i.type === 'numeric' ? 'FP64' : 'BYTES', shape: [-1] })),
    outputs: [
      { name: 'prediction', datatype: classes ? 'BYTES' : 'FP64', shape: [-1] },
      ...(classes ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, classes.length], parameters: { classes } }] : []),
    ],
  };
}

function inferResponse(name: string, model: ServedModel, id: string | undefined, output: ServedPrediction) {
  const n = output.predictions.length;
  return {
    model_name: name,
    model_version: String(model.version),
    ...(id !== undefined ? { id } : {}),
    outputs: [
      { name: 'prediction', datatype: output.classes ? 'BYTES' : 'FP64', shape: [n], data: output.predictions },
      ...(output.classes
        ? [{ name: 'probabilities', datatype: 'FP64', shape: [n, output.classes.length], parameters: { classes: output.classes }, data: Array.from(output.probabilities!) }]
        : []),
    ],
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown, version: string): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-mlops-model-version': version });
  res.end(text);
}

/** The media type of a Content-Type header, refused (415) unless it is JSON or CSV in UTF-8. */
function mediaType(header: string | undefined): 'application/json' | 'text/csv' {
  // what nearly every client sends, checked before the general parse below (it showed in profiles)
  if (header === 'application/json') return header;
  const [type, ...parameters] = (header ?? '').toLowerCase().split(';').map((s) => s.trim());
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if ((type === 'application/json' || type === 'text/csv') && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return type;
  throw new RequestError(l10n.t('Content type "{0}" is not accepted: send application/json or text/csv in UTF-8.', header ?? ''), 415);
}

/** The body as UTF-8 text; a body that came in one chunk, as small requests do, is decoded without a copy. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): RequestError {
  return new RequestError(l10n.t('The request body is larger than {0} MB.', Math.round(limit / 1048576)), 413);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(l10n.t('The request body is not valid JSON: {0}', (err as Error).message));
  }
}

/** Parses the body once, then reads it against whichever model's signature the route needs. */
function jsonParser(text: string, read: (body: unknown, inputs: ServedModel['signature']['inputs']) => ColumnBatch): (model: ServedModel) => ColumnBatch {
  const body = parseJson(text);
  return (model) => read(body, model.signature.inputs);
}

function feedbackOf(body: unknown): { request_id: string; label: unknown }[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new RequestError(l10n.t('The feedback list is empty.'));
  return list.map((item: unknown, i) => {
    const entry = item as { request_id?: unknown; label?: unknown };
    if (typeof entry !== 'object' || entry === null || typeof entry.request_id !== 'string' || entry.label === undefined || (typeof entry.label === 'object' && entry.label !== null)) {
      throw new RequestError(l10n.t('Feedback {0} needs a text "request_id" and a "label" (text, number or boolean).', i));
    }
    return { request_id: entry.request_id, label: entry.label };
  });
}

function decodePath(route: string): string {
  if (!route.includes('%')) return route;
  try {
    return decodeURIComponent(route);
  } catch {
    return route;
  }
}
