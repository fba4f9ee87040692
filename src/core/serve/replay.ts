import * as http from 'node:http';
import * as https from 'node:https';
import { cancelled, MlopsError } from '../errors';
import { l10n } from '../l10n';
import { readFileColumns, trainingFormat } from '../models';

/** What `mlops replay` sends and how: rows of a file as MLflow `dataframe_split` requests to a scoring URL. */
export interface ReplayOptions {
  /** The scoring URL: `.../invocations` or `.../endpoints/<name>/invocations`. */
  url: string;
  /** CSV, TSV or Parquet rows to send, one request per `batch` rows, in file order, from the start again when done. */
  file: string;
  /** Requests per second over all connections; unlimited when absent. */
  rate?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Keep sending for this long, cycling through the rows; without it, each row is sent once. */
  durationMs?: number;
  /** Rows per request (default 1). */
  batch?: number;
  /** The columns to send; by default the served model's inputs, asked of the server, else every column of the file. */
  columns?: readonly string[];
  /** A bearer token, for a server that needs one. */
  token?: string;
  signal?: AbortSignal;
  /** Called after each answer with the counts so far (a live line in a terminal). */
  onProgress?: (summary: ReplaySummary) => void;
}

/** What the replay saw: every answer counted by status and by the model version that gave it. */
export interface ReplaySummary {
  url: string;
  requests: number;
  rows: number;
  /** Answers that were not 2xx, plus requests that got no answer at all. */
  failed: number;
  /** HTTP status (as text) to count; `error` counts requests that got no answer (connection refused, reset). */
  byStatus: Record<string, number>;
  /** `x-mlops-model-version` of the successful answers to count; `unknown` when a server does not send it. */
  byVersion: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  durationMs: number;
  /** The first failure's status and message, to say what went wrong without printing every one. */
  firstFailure: { status: string; message: string } | null;
  columns: string[];
}

type Cell = string | number | null;

/** Sends the rows of a file to a scoring endpoint and counts the answers. Stops early, with what it saw, on abort. */
export async function replayTraffic(options: ReplayOptions): Promise<ReplaySummary> {
  const url = scoringUrl(options.url);
  const concurrency = options.concurrency ?? 4;
  const batch = options.batch ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new MlopsError(l10n.t('The concurrency must be a whole number of at least 1; got {0}.', concurrency), l10n.t('Give --concurrency 1 or more.'), 'BAD_REPLAY');
  if (!Number.isInteger(batch) || batch < 1) throw new MlopsError(l10n.t('The batch size must be a whole number of at least 1; got {0}.', batch), l10n.t('Give --batch 1 or more.'), 'BAD_REPLAY');
  if (options.rate !== undefined && !(options.rate > 0)) throw new MlopsError(l10n.t('The rate must be more than 0 requests per second; got {0}.', options.rate), l10n.t('Give --rate 10 for ten requests a second, or leave it out to send as fast as the server answers.'), 'BAD_REPLAY');
  const agent = new (url.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: concurrency });
  try {
    const wanted = options.columns ?? (await servedInputs(url, agent, options.token));
    const table = await readRows(options.file, wanted);
    const requests = table.rows.length === 0 ? 0 : Math.ceil(table.rows.length / batch);
    if (requests === 0) throw new MlopsError(l10n.t('{0} holds no rows to send.', options.file), l10n.t('Give a file with a header line and at least one row.'), 'BAD_REPLAY');
    const bodies = Array.from({ length: requests }, (_, i) => JSON.stringify({ dataframe_split: { columns: table.columns, data: table.rows.slice(i * batch, (i + 1) * batch) } }));

    const latencies: number[] = [];
    const summary: ReplaySummary = { url: url.href, requests: 0, rows: 0, failed: 0, byStatus: {}, byVersion: {}, p50Ms: null, p99Ms: null, durationMs: 0, firstFailure: null, columns: table.columns };
    const start = performance.now();
    const endAt = options.durationMs === undefined ? Infinity : start + options.durationMs;
    let next = 0;
    const worker = async () => {
      for (;;) {
        if (options.signal?.aborted) return;
        const index = next++;
        if (options.durationMs === undefined && index >= bodies.length) return;
        if (options.rate !== undefined) {
          const due = start + (index * 1000) / options.rate;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait, options.signal);
          if (options.signal?.aborted) return;
        }
        if (performance.now() >= endAt) return;
        const body = bodies[index % bodies.length];
        const t0 = performance.now();
        const answer = await post(url, agent, body, options.token);
        latencies.push(performance.now() - t0);
        summary.requests++;
        summary.rows += Math.min(batch, table.rows.length - (index % bodies.length) * batch);
        summary.byStatus[answer.status] = (summary.byStatus[answer.status] ?? 0) + 1;
        if (answer.ok) summary.byVersion[answer.version ?? 'unknown'] = (summary.byVersion[answer.version ?? 'unknown'] ?? 0) + 1;
        else {
          summary.failed++;
          summary.firstFailure ??= { status: answer.status, message: answer.message };
        }
        options.onProgress?.(summary);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    summary.durationMs = performance.now() - start;
    latencies.sort((a, b) => a - b);
    summary.p50Ms = quantile(latencies, 0.5);
    summary.p99Ms = quantile(latencies, 0.99);
    if (options.signal?.aborted && summary.requests === 0) throw cancelled();
    return summary;
  } finally {
    agent.destroy();
  }
}

/** Accepts a server's base URL too (`http://127.0.0.1:5005`): its default endpoint is `/invocations`. */
export function scoringUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MlopsError(l10n.t('"{0}" is not a URL.', text), l10n.t('Give the endpoint as http://127.0.0.1:5005/invocations, or by its name when `mlops serve` runs in this project.'), 'BAD_REPLAY');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MlopsError(l10n.t('"{0}" is not an http or https URL.', text), l10n.t('Give the endpoint as http://127.0.0.1:5005/invocations.'), 'BAD_REPLAY');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/invocations';
  return url;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface Answer {
  ok: boolean;
  status: string;
  version: string | undefined;
  message: string;
}

function post(url: URL, agent: http.Agent, body: string, token: string | undefined): Promise<Answer> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = client.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const version = res.headers['x-mlops-model-version'];
        const ok = status >= 200 && status < 300;
        resolve({ ok, status: String(status), version: typeof version === 'string' && version !== '' ? version : undefined, message: ok ? '' : errorMessage(Buffer.concat(chunks).toString('utf8')) });
      });
      res.on('error', (err) => resolve({ ok: false, status: 'error', version: undefined, message: err.message }));
    });
    req.on('error', (err) => resolve({ ok: false, status: 'error', version: undefined, message: err.message }));
    req.end(body);
  });
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: the text itself says it
  }
  return text.slice(0, 200);
}

function getJson(url: URL, agent: http.Agent, token: string | undefined): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.get(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/**
 * The input columns of the model behind a scoring URL of this project's server, from its Open Inference Protocol
 * metadata: a file of whole rows (with the target, ids) can then be replayed as it is, since the server refuses
 * columns the model does not use. Undefined for another kind of server: every column is sent.
 */
async function servedInputs(url: URL, agent: http.Agent, token: string | undefined): Promise<string[] | undefined> {
  const named = /^(.*)\/endpoints\/([^/]+)\/invocations$/.exec(url.pathname);
  let metadataPath: string | undefined;
  if (named) metadataPath = `${named[1]}/v2/models/${named[2]}`;
  else if (url.pathname.endsWith('/invocations')) {
    const base = url.pathname.slice(0, -'/invocations'.length);
    const ping = (await getJson(new URL(`${base}/ping`, url), agent, token)) as { model?: unknown; version?: unknown } | undefined;
    if (typeof ping?.model === 'string' && (typeof ping.version === 'number' || typeof ping.version === 'string')) metadataPath = `${base}/v2/models/${encodeURIComponent(ping.model)}/versions/${String(ping.version)}`;
  }
  if (!metadataPath) return undefined;
  const metadata = (await getJson(new URL(metadataPath, url), agent, token)) as { inputs?: { name?: unknown }[] } | undefined;
  const names = metadata?.inputs?.map((i) => i.name).filter((n): n is string => typeof n === 'string');
  return names?.length ? names : undefined;
}

/** The rows of the file as JSON cells, in the order of `wanted` (every column when undefined). */
async function readRows(file: string, wanted: readonly string[] | undefined): Promise<{ columns: string[]; rows: Cell[][] }> {
  const keep = wanted ? new Set(wanted) : undefined;
  const read = await readFileColumns(file, trainingFormat(file), (name) => !keep || keep.has(name));
  const columns = wanted ? [...wanted] : read.names;
  const missing = columns.filter((c) => !read.names.includes(c));
  if (missing.length) {
    throw new MlopsError(l10n.t('{0} has no column {1}, which the model needs.', file, missing.join(', ')), l10n.t('Its columns are {0}; give a file with the model\'s inputs, or name the columns to send with --columns.', read.names.join(', ')), 'BAD_REPLAY');
  }
  const sources = columns.map((c) => read.columns[read.names.indexOf(c)]!);
  const rows: Cell[][] = new Array<Cell[]>(read.rows);
  for (let r = 0; r < read.rows; r++) {
    rows[r] = sources.map((s) => {
      if (s.kind === 'text') return s.values[r] ?? null;
      const v = s.values[r];
      return Number.isNaN(v) ? null : v;
    });
  }
  return { columns, rows };
}
