import * as path from 'node:path';
import type { SignatureInput } from '../registry';
import type { Cell } from '../train';
import type { Project, ProjectPaths } from '../workspace';
import { fileLines, logFiles } from './appendLog';
import type { ServedPrediction } from './modelSource';
import type { ColumnBatch } from './requestInputs';

export const PREDICTION_LOG = 'predictions';
export const FEEDBACK_LOG = 'feedback';

export const servingDir = (paths: ProjectPaths) => path.join(paths.state, 'serving');
export const logDir = (paths: ProjectPaths) => path.join(servingDir(paths), 'log');

/** One request as the log keeps it: its inputs as columns, its outputs in row order. */
export interface PredictionRecord {
  /** ISO 8601, UTC: when the request arrived. */
  time: string;
  rows: number;
  id: string;
  endpoint: string;
  model: string;
  version: number;
  /** `route`: the answer the caller got; `shadow`: a mirror's answer, never returned. */
  role: 'route' | 'shadow';
  latencyMs: number;
  inputs: Record<string, Cell[]>;
  outputs: { prediction: (string | number)[]; probabilities?: number[][] };
}

/**
 * The record as one line, its fields in a fixed order: time, rows, id and endpoint lead, so that a reader can
 * count and filter lines without parsing their inputs.
 */
export function predictionLine(r: PredictionRecord): string {
  return JSON.stringify({
    time: r.time, rows: r.rows, id: r.id, endpoint: r.endpoint, model: r.model, version: r.version, role: r.role, latencyMs: r.latencyMs, inputs: r.inputs, outputs: r.outputs,
  });
}

/** A record's fields other than its inputs and outputs. */
export type PredictionHead = Omit<PredictionRecord, 'rows' | 'inputs' | 'outputs'>;

/**
 * The line predictionLine() gives for this request, byte for byte, written straight from the request's columns and
 * the model's output: neither the record object nor its number[][] of probabilities is built (both showed in the
 * server's profile, once per request).
 */
export function encodePredictionLine(head: PredictionHead, inputs: readonly SignatureInput[], batch: ColumnBatch, output: ServedPrediction): string {
  let line = `{"time":${quote(head.time)},"rows":${number(batch.rows)},"id":${quote(head.id)},"endpoint":${quote(head.endpoint)},"model":${quote(head.model)},"version":${number(head.version)},"role":${quote(head.role)},"latencyMs":${number(head.latencyMs)},"inputs":{`;
  const keys = inputKeys(inputs);
  for (let k = 0; k < keys.length; k++) line += (k ? ',' : '') + keys[k].name + cells(batch.columns[keys[k].column]);
  line += `},"outputs":{"prediction":${cells(output.predictions)}`;
  const p = output.probabilities;
  if (p) {
    const width = output.classes?.length ?? 0;
    const rows = width ? Math.floor(p.length / width) : 0;
    line += ',"probabilities":[';
    for (let r = 0; r < rows; r++) {
      line += r ? ',[' : '[';
      for (let k = 0; k < width; k++) line += (k ? ',' : '') + number(p[r * width + k]);
      line += ']';
    }
    line += ']';
  }
  return `${line}}}`;
}

/** What JSON.stringify escapes in a string (lone surrogates among them; paired ones go the slow way too). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON's text of a string: most need no escape, and quoting them costs a quarter of JSON.stringify. */
const quote = (s: string) => (ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`);

/** JSON's text of a number: non-finite numbers are null. */
const number = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

function cells(values: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) text += ',';
    text += typeof v === 'string' ? quote(v) : typeof v === 'number' ? number(v) : (JSON.stringify(v) ?? 'null');
  }
  return `${text}]`;
}

const keysOf = new WeakMap<readonly SignatureInput[], { name: string; column: number }[]>();

/**
 * The input columns in the order, and under the names, an object of them serializes to, each name already JSON
 * text with its colon. An object is built once per signature to learn it: names that look like array indices come
 * first in ascending order, a name given twice keeps its last column, and `__proto__` is no key at all.
 */
function inputKeys(inputs: readonly SignatureInput[]): { name: string; column: number }[] {
  let keys = keysOf.get(inputs);
  if (!keys) {
    const probe: Record<string, number[]> = {};
    inputs.forEach((input, c) => (probe[input.name] = [c]));
    keys = Object.keys(probe).map((name) => ({ name: `${JSON.stringify(name)}:`, column: probe[name][0] }));
    keysOf.set(inputs, keys);
  }
  return keys;
}

const LINE_HEAD = /^\{"time":"([^"]*)","rows":(\d+),"id":"(?:[^"\\]|\\.)*","endpoint":("(?:[^"\\]|\\.)*"),"model":("(?:[^"\\]|\\.)*"),"version":(\d+)/;

export interface PredictionLogQuery {
  /** Only predictions at or after this time (inclusive). */
  since?: Date;
  /** Only predictions before this time (exclusive). */
  until?: Date;
  /** Only the last N predictions (rows) that pass the other filters. */
  last?: number;
  endpoint?: string;
  /** Only predictions of this registered model, and of this version of it when given. */
  model?: string;
  version?: number;
  /** Include shadow predictions; off by default, since monitoring judges what callers got. */
  shadow?: boolean;
  /** Rows per batch (default 65,536). */
  batchRows?: number;
  signal?: AbortSignal;
}

/** Predictions as columns, one entry per predicted row. */
export interface PredictionBatch {
  rows: number;
  requestId: string[];
  /** Milliseconds since the epoch. */
  time: Float64Array;
  endpoint: string[];
  model: string[];
  version: Int32Array;
  role: ('route' | 'shadow')[];
  latencyMs: Float64Array;
  /** Every input column seen in the batch; null where a row's model does not read that column. */
  inputs: Record<string, Cell[]>;
  prediction: (string | number)[];
  /** A classifier's class probabilities for the row; null for a regressor. */
  probabilities: (number[] | null)[];
}

/**
 * Streams the prediction log oldest first in columnar batches: memory holds one batch and one line, never the log.
 * `last` costs a first pass that reads only each line's head.
 */
export async function* readPredictionLog(project: Project, query: PredictionLogQuery = {}): AsyncGenerator<PredictionBatch> {
  const files = logFiles(logDir(project.paths), PREDICTION_LOG);
  const since = query.since?.getTime() ?? -Infinity;
  const until = query.until?.getTime() ?? Infinity;
  const endpoint = query.endpoint === undefined ? undefined : JSON.stringify(query.endpoint);
  const model = query.model === undefined ? undefined : JSON.stringify(query.model);
  const wanted = (line: string): { time: number; rows: number } | undefined => {
    const head = LINE_HEAD.exec(line);
    if (!head) return undefined;
    const time = Date.parse(head[1]);
    if (!(time >= since && time < until)) return undefined;
    if (endpoint !== undefined && head[3] !== endpoint) return undefined;
    if (model !== undefined && head[4] !== model) return undefined;
    if (query.version !== undefined && Number(head[5]) !== query.version) return undefined;
    if (!query.shadow && !line.includes('"role":"route"')) return undefined;
    return { time, rows: Number(head[2]) };
  };

  let skip = 0;
  if (query.last !== undefined) {
    let total = 0;
    for (const file of files) for await (const line of fileLines(file, query.signal)) total += wanted(line)?.rows ?? 0;
    skip = Math.max(0, total - query.last);
  }

  const size = query.batchRows ?? 65_536;
  let batch = emptyBatch();
  for (const file of files) {
    for await (const line of fileLines(file, query.signal)) {
      const head = wanted(line);
      if (!head) continue;
      if (skip >= head.rows) {
        skip -= head.rows;
        continue;
      }
      let record: PredictionRecord;
      try {
        record = JSON.parse(line) as PredictionRecord;
      } catch {
        continue;
      }
      for (let r = skip; r < record.rows; ) {
        const end = Math.min(record.rows, r + size - batch.rows);
        addRows(batch, record, r, end, head.time);
        r = end;
        if (batch.rows === size) {
          yield finish(batch);
          batch = emptyBatch();
        }
      }
      skip = 0;
    }
  }
  if (batch.rows) yield finish(batch);
}

interface GrowingBatch {
  rows: number;
  requestId: string[];
  time: number[];
  endpoint: string[];
  model: string[];
  version: number[];
  role: ('route' | 'shadow')[];
  latencyMs: number[];
  inputs: Record<string, Cell[]>;
  prediction: (string | number)[];
  probabilities: (number[] | null)[];
}

function emptyBatch(): GrowingBatch {
  return { rows: 0, requestId: [], time: [], endpoint: [], model: [], version: [], role: [], latencyMs: [], inputs: {}, prediction: [], probabilities: [] };
}

/** Rows `from` to `end` (exclusive) of a record; its columns are looked up once per record, not once per row. */
function addRows(batch: GrowingBatch, record: PredictionRecord, from: number, end: number, time: number): void {
  const probabilities = record.outputs.probabilities;
  for (let r = from; r < end; r++) {
    batch.requestId.push(record.id);
    batch.time.push(time);
    batch.endpoint.push(record.endpoint);
    batch.model.push(record.model);
    batch.version.push(record.version);
    batch.role.push(record.role);
    batch.latencyMs.push(record.latencyMs);
    batch.prediction.push(record.outputs.prediction[r]);
    batch.probabilities.push(probabilities?.[r] ?? null);
  }
  for (const [name, values] of Object.entries(record.inputs)) {
    // a column first seen mid-batch: the rows before it come from models that do not read it
    const column = (batch.inputs[name] ??= new Array<Cell>(batch.rows).fill(null));
    for (let r = from; r < end; r++) column.push(values[r]);
  }
  batch.rows += end - from;
  for (const column of Object.values(batch.inputs)) while (column.length < batch.rows) column.push(null);
}

function finish(b: GrowingBatch): PredictionBatch {
  return { ...b, time: Float64Array.from(b.time), version: Int32Array.from(b.version), latencyMs: Float64Array.from(b.latencyMs) };
}
