import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError, MlopsError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import { parseModelReference } from '../../core/registry';
import { exposureWarning, fetchServerJson, importFeedbackFile, serverLogFile, serverStatus, startServer, stopServer, type EndpointSpec, type RunningServer, type ServerEvent, type ServerMetrics } from '../../core/serve';
import { openProject, type Project } from '../../core/workspace';
import { UsageError } from '../args';
import { defineCommand, JSON_OPTION, printJson, printJsonLine, type CliCommand, type CommandContext } from '../command';
import { versionReference } from '../modelReference';

const line = (ctx: CommandContext, text: string) => ctx.stdout(text + '\n');

function eventText(event: ServerEvent): string {
  switch (event.kind) {
    case 'switched':
      return l10n.t('{0} now answers with version {1} (was {2}).', event.reference, event.to, event.from);
    case 'load-failed':
      return l10n.t('Could not load {0}; the previous version keeps serving: {1}', event.reference, event.message);
    case 'config-reloaded':
      return l10n.t('mlops.yaml changed: endpoints and weights reloaded.');
    case 'config-invalid':
      return l10n.t('mlops.yaml changed but is not valid; the endpoints are unchanged: {0}', event.message);
    case 'shadow-failed':
      return l10n.t('The shadow {0} failed (callers were not affected): {1}', event.reference, event.message);
  }
}

/** `--route name@alias=weight`, or without `=weight` a weight of 1, as `weight:` defaults to in mlops.yaml. */
function routeOption(raw: string): { model: string; weight: number } {
  const equals = raw.lastIndexOf('=');
  const model = versionReference(equals === -1 ? raw : raw.slice(0, equals));
  const weightText = equals === -1 ? '1' : raw.slice(equals + 1);
  const weight = Number(weightText);
  if (weightText.trim() === '' || !Number.isFinite(weight) || weight < 0) {
    throw new UsageError(l10n.t('--route {0}: the weight after "=" must be a number of at least 0.', raw));
  }
  return { model, weight };
}

const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The endpoint the flags describe, checked as mlops.yaml's schema checks a declared one; none without --route. */
function endpointOption(options: { readonly endpoint?: string; readonly route?: string[]; readonly shadow?: string; readonly sticky?: string }, positionals: readonly string[]): EndpointSpec | undefined {
  const routes = (options.route ?? []).map(routeOption);
  if (!routes.length) {
    const stray = (['endpoint', 'shadow', 'sticky'] as const).find((o) => options[o] !== undefined);
    if (stray) throw new UsageError(l10n.t('--{0} describes the endpoint of --route: give the routes with --route name@alias=weight.', stray));
    return undefined;
  }
  if (positionals.length) throw new UsageError(l10n.t('Give the models as arguments or with --route, not both.'));
  const twice = routes.find((r, i) => routes.findIndex((o) => o.model === r.model) !== i);
  if (twice) throw new UsageError(l10n.t('--route {0} is given twice: give each model once, with its weight.', twice.model));
  if (!routes.some((r) => r.weight > 0)) throw new UsageError(l10n.t('Every --route has weight 0: at least one must take traffic.'));
  const name = options.endpoint ?? parseModelReference(routes[0].model).model;
  if (!ENDPOINT_NAME.test(name)) throw new UsageError(l10n.t('"{0}" is not a valid endpoint name: use letters, digits, dots, dashes and underscores.', name));
  return {
    name,
    routes,
    ...(options.shadow !== undefined ? { shadow: versionReference(options.shadow) } : {}),
    ...(options.sticky !== undefined ? { sticky: options.sticky } : {}),
  };
}

/**
 * Lines for .mlops/serving/server.log as well as the terminal: a server started by the editor, detached and without
 * a terminal, still says why it did not start and what it noticed. The log begins anew with each server; lines
 * noted before the server listens wait, so that a start refused because a server already runs leaves that
 * server's log alone.
 */
function serverLog(ctx: CommandContext, paths: Project['paths']) {
  const file = serverLogFile(paths);
  let pending: string[] | undefined = [];
  const stamp = (text: string) => `${new Date().toISOString()} ${text}\n`;
  return {
    note(text: string) {
      ctx.stderr(text + '\n');
      if (pending) pending.push(stamp(text));
      else fs.appendFileSync(file, stamp(text));
    },
    /** Starts the log with what waited; `text` first (the failure to start, or where the server listens). */
    begin(text: string) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, stamp(text) + (pending ?? []).join(''));
      pending = undefined;
    },
  };
}

const serve = defineCommand({
  name: 'serve',
  usage: 'mlops serve [name@alias | name/version ...] [--route name@alias=weight ... [--shadow name@alias] [--sticky key] [--endpoint name]] [--port P] [--host H] [--json]',
  summary: 'Serve registered models over HTTP (MLflow scoring and Open Inference Protocol v2) until stopped.',
  options: [
    { name: 'port', type: 'number', integer: true, min: 0, description: 'TCP port (default: serving.port, else 5005; 0 picks a free one).' },
    { name: 'host', type: 'string', description: 'Address to bind (default 127.0.0.1).' },
    { name: 'route', type: 'string', repeatable: true, description: 'A route of one endpoint: name@alias=weight (weight 1 without "="); repeat it for a canary.' },
    { name: 'shadow', type: 'string', description: 'A model that gets a copy of each request of the --route endpoint; its answers are logged, never returned.' },
    { name: 'sticky', type: 'string', description: 'A column or request header whose value always reaches the same --route.' },
    { name: 'endpoint', type: 'string', description: 'The name of the --route endpoint (default: the first route\'s model); mlops.yaml drives it once edited to declare it.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const { port, json } = ctx.args.options;
    if (port !== undefined && port > 65535) throw new UsageError(l10n.t('--port must be a port number (0 to 65535).'));
    const endpoint = endpointOption(ctx.args.options, ctx.args.positionals);
    const host = ctx.args.options.host ?? project.config.serving?.host ?? '127.0.0.1';
    const log = serverLog(ctx, project.paths);
    const warning = exposureWarning(host);
    if (warning) log.note(warning);
    let server: RunningServer;
    try {
      server = await startServer(project, { references: ctx.args.positionals, endpoint, host, port, onEvent: (event) => log.note(eventText(event)) });
    } catch (err) {
      if (!(err instanceof MlopsError && err.code === 'ALREADY_SERVING')) log.begin(l10n.t('Error: {0}', describeError(err)));
      throw err;
    }
    const metrics = server.metrics();
    log.begin(l10n.t('Serving on {0} (process {1}).', server.url, metrics.pid));
    if (json) printJsonLine(ctx, 'serve', { pid: metrics.pid, url: server.url, endpoints: metrics.endpoints.map((e) => ({ name: e.name, url: e.url, routes: e.routes })) });
    else {
      line(ctx, l10n.t('Serving on {0} (process {1}); stop with Ctrl+C or `mlops serve stop`.', server.url, metrics.pid));
      for (const e of metrics.endpoints) {
        const routes = e.routes.map((r) => `${r.model} → ${r.version}${e.routes.length > 1 ? ` (${r.weight})` : ''}`).join(', ');
        line(ctx, `  ${e.name}  ${e.url}  ${routes}${e.shadow ? `  shadow ${e.shadow.model} → ${e.shadow.version ?? '?'}` : ''}${e.default ? `  (${server.url}/invocations)` : ''}`);
      }
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void server.close().then(resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    log.note(l10n.t('Stopped.'));
    return 0;
  },
});

const status = defineCommand({
  name: 'serve status',
  usage: 'mlops serve status [--json]',
  summary: 'Show the running model server: endpoints, versions answering, requests/s, p99 latency and errors.',
  options: [JSON_OPTION],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const found = serverStatus(project.paths);
    if (found?.kind !== 'running') {
      const dead = found ? { pid: found.state.pid, url: found.state.url, started: found.state.started } : undefined;
      if (ctx.args.options.json) printJson(ctx, 'serve status', { running: false, ...(dead ? { dead } : {}) });
      else if (dead) line(ctx, l10n.t('The model server (process {0}, {1}) died without stopping: it was killed or crashed. Its last words are in {2}; start it again with `mlops serve`.', dead.pid, dead.url, path.relative(ctx.cwd, serverLogFile(project.paths))));
      else line(ctx, l10n.t('No model server is running for this project. Start one with `mlops serve`.'));
      return ctx.args.options.json ? 0 : 1;
    }
    const tokenEnv = project.config.serving?.auth?.tokenEnv;
    const metrics = (await fetchServerJson(found.state, '/metrics', tokenEnv ? process.env[tokenEnv] : undefined)) as ServerMetrics;
    if (ctx.args.options.json) {
      printJson(ctx, 'serve status', { running: true, ...metrics });
      return 0;
    }
    line(ctx, l10n.t('Serving on {0} (process {1}) since {2}.', metrics.url, metrics.pid, metrics.started));
    for (const e of metrics.endpoints) {
      const routes = e.routes.map((r) => `${r.model} → ${r.version ?? '?'}${e.routes.length > 1 ? ` (${r.weight})` : ''}`).join(', ');
      const p99 = e.p99Ms === null ? '-' : `${e.p99Ms.toFixed(1)} ms`;
      line(ctx, `  ${e.name}  ${e.url}  ${routes}${e.shadow ? `  shadow ${e.shadow.model} → ${e.shadow.version ?? '?'}` : ''}`);
      line(ctx, '    ' + l10n.t('{0} requests/s, p99 {1}, {2} errors of {3} requests{4}', e.requestsPerSecond.toFixed(1), p99, e.errors, e.requests, e.loaded ? '' : l10n.t(' (unloaded)')));
    }
    return 0;
  },
});

const stop = defineCommand({
  name: 'serve stop',
  usage: 'mlops serve stop [--json]',
  summary: 'Stop the running model server after the requests in flight are answered.',
  options: [JSON_OPTION],
  async run(ctx) {
    const stopped = await stopServer(openProject(ctx.cwd).paths);
    if (ctx.args.options.json) printJson(ctx, 'serve stop', { stopped: !!stopped, pid: stopped?.pid ?? null });
    else line(ctx, stopped ? l10n.t('Stopped the server on {0} (process {1}).', stopped.url, stopped.pid) : l10n.t('No model server was running for this project.'));
    return 0;
  },
});

const feedback = defineCommand({
  name: 'feedback',
  usage: 'mlops feedback --file labels.csv --id-column request_id [--label-column label] [--json]',
  summary: 'Record the true labels of earlier predictions, by request id, for monitoring.',
  options: [
    { name: 'file', type: 'string', description: 'A CSV file with a request id column and a label column.' },
    { name: 'id-column', type: 'string', description: 'The column holding request ids (x-request-id of the answers).' },
    { name: 'label-column', type: 'string', description: 'The column holding the true labels (default: label).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const { file, 'id-column': idColumn, 'label-column': labelColumn } = ctx.args.options;
    if (!file || !idColumn) throw new UsageError(l10n.t('--file and --id-column are required.'));
    const result = await importFeedbackFile(openProject(ctx.cwd), path.resolve(ctx.cwd, file), { idColumn, labelColumn });
    if (ctx.args.options.json) printJson(ctx, 'feedback', result);
    else line(ctx, l10n.t('Recorded {0} labels ({1} rows without a label skipped).', result.labels, result.skipped));
    return 0;
  },
});

export const serveCommands: readonly CliCommand[] = [serve, status, stop, feedback];
