import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileDurably } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import type { CompiledView } from './definitions';
import { checkCancelled, requireService } from './offline';
import { compileForBuild, LoadedView, MutableInputs } from './source';
import { makeColumn, setValue, valueAt, type StoredColumn } from './table';
import type { Value, ValueType } from './typing';
import { assembleVector, STATUS_NAMES, vectorBuffer, type FeatureStatus, type VectorBuffer, type VectorInputs } from './vector';

/**
 * The online store of one view: one file, `.mlops/features/online/<view>.features`. A JSON header (the keys, the
 * features, where each column starts) after a length, then each stored feature's values as raw float64 or JSON text.
 * Loading it is a read, a JSON parse and one hash map from key to row; a lookup is then a map probe and array reads.
 * It is replaced whole by a rename, so a reader sees the old store or the new one.
 */
const MAGIC = 'MLFEAT1\n';

interface StoreHeader {
  schema: 1;
  view: string;
  version: string;
  source: string;
  /** The time (ms) the vectors were computed for: the materialization's end. */
  end: number;
  /** When it was written (ms). */
  written: number;
  keys: string[];
  rowTimes: BlockRef;
  features: { slot: number; name: string; type: ValueType; stage: 'row' | 'window'; block: BlockRef }[];
}

interface BlockRef {
  offset: number;
  length: number;
  encoding: 'f64' | 'json';
}

export function onlineDir(project: Project): string {
  return path.join(project.paths.state, 'features', 'online');
}

function storeFile(project: Project, view: string): string {
  return path.join(onlineDir(project), `${view}.features`);
}

/** A view's online store in memory: what lookups read. */
export class OnlineView {
  private constructor(readonly header: StoreHeader, readonly rowOfKey: Map<string, number>, readonly rowTimes: Float64Array, readonly columns: (StoredColumn | undefined)[]) {}

  static read(file: string): OnlineView | undefined {
    if (!fs.existsSync(file)) return undefined;
    const bytes = fs.readFileSync(file);
    if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
      throw new MlopsError(l10n.t('{0} is not an online feature store file.', file), l10n.t('Delete it and run `mlops features materialize` again.'), 'BAD_ONLINE_STORE');
    }
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const bodyStart = MAGIC.length + 4 + headerLength;
    const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, bodyStart)) as StoreHeader;
    const block = (ref: BlockRef, type: ValueType): StoredColumn => {
      const start = bodyStart + ref.offset;
      if (ref.encoding === 'json') return { type, texts: JSON.parse(bytes.toString('utf8', start, start + ref.length)) as (string | null)[] };
      // Copied out: the file's bytes need not be aligned for a Float64Array view.
      return { type, numbers: new Float64Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + ref.length)) };
    };
    const rowOfKey = new Map<string, number>();
    header.keys.forEach((k, i) => rowOfKey.set(k, i));
    const columns: (StoredColumn | undefined)[] = [];
    for (const f of header.features) columns[f.slot] = block(f.block, f.type);
    return new OnlineView(header, rowOfKey, block(header.rowTimes, 'datetime').numbers!, columns);
  }
}

function writeStore(file: string, header: Omit<StoreHeader, 'rowTimes' | 'features'>, rowTimes: Float64Array, stored: { slot: number; name: string; stage: 'row' | 'window'; column: StoredColumn }[]): void {
  const blocks: Buffer[] = [];
  let offset = 0;
  const add = (column: StoredColumn): BlockRef => {
    // Float64 blocks start at multiples of 8 so a future reader may map them without copying.
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      blocks.push(Buffer.alloc(pad));
      offset += pad;
    }
    const bytes = column.texts ? Buffer.from(JSON.stringify(column.texts), 'utf8') : Buffer.from(column.numbers!.buffer, column.numbers!.byteOffset, column.numbers!.byteLength);
    blocks.push(bytes);
    const ref: BlockRef = { offset, length: bytes.length, encoding: column.texts ? 'json' : 'f64' };
    offset += bytes.length;
    return ref;
  };
  const full: StoreHeader = { ...header, rowTimes: add({ type: 'datetime', numbers: rowTimes }), features: stored.map((s) => ({ slot: s.slot, name: s.name, type: s.column.type, stage: s.stage, block: add(s.column) })) };
  const headerBytes = Buffer.from(JSON.stringify(full), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  writeFileDurably(file, Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, headerBytes, ...blocks]));
}

export interface MaterializeResult {
  view: string;
  version: string;
  source: string;
  end: string;
  entities: number;
  /** Entities whose vectors were computed again; the others were carried over from the last materialization. */
  updated: number;
  incremental: boolean;
  file: string;
}

/**
 * Writes, for each view, every entity's row features (from its latest row at or before `end`) and window aggregates
 * (at `end`) to the online store. Incremental: when the view's version is the one last materialized and `end` is
 * later, only entities with rows in (last end - longest window, end] are computed again; the others cannot have
 * changed. Each store file is replaced atomically.
 */
export async function materialize(project: Project, views?: string[], end: number = Date.now(), signal?: AbortSignal): Promise<MaterializeResult[]> {
  const config = project.config.features ?? {};
  const names = views && views.length ? views : Object.keys(config.views ?? {});
  if (!Number.isFinite(end)) throw new MlopsError(l10n.t('The end time is not a valid time.'), l10n.t('Give an ISO 8601 date or date-time, as 2024-05-01 or 2024-05-01T12:00:00Z.'), 'BAD_TIME');
  // Compile every view before writing any: a mistake in the last one must not leave the first ones updated alone.
  const compiled = names.map((name) => compileForBuild(project, config, name));
  const results: MaterializeResult[] = [];
  for (const { view, source, version } of compiled) {
    checkCancelled(signal);
    const loaded = await LoadedView.load(view, version, source, signal);
    const file = storeFile(project, view.name);
    const previous = OnlineView.read(file);
    const reusable = previous && previous.header.version === version && previous.header.end <= end ? previous : undefined;
    const n = loaded.keyOfEntity.length;
    const stored = view.features.filter((f) => f.stage !== 'point');
    const columns = stored.map((f) => makeColumn(f.type, n));
    const rowTimes = new Float64Array(n);
    const inputs = new MutableInputs(loaded);
    const since = reusable ? reusable.header.end - view.longestWindowMs : -Infinity;
    let updated = 0;
    for (let e = 0; e < n; e++) {
      if ((e & 0xffff) === 0) checkCancelled(signal);
      const from = loaded.starts[e];
      const to = loaded.starts[e + 1];
      const old = reusable?.rowOfKey.get(loaded.keyOfEntity[e]);
      if (old !== undefined && !hasRowIn(loaded.times, from, to, since, end)) {
        rowTimes[e] = reusable!.rowTimes[old];
        stored.forEach((f, i) => setValue(columns[i], e, valueAt(reusable!.columns[f.slot]!, old)));
        continue;
      }
      updated++;
      loaded.inputsAt(from, to, end, inputs);
      rowTimes[e] = inputs.rowTime;
      stored.forEach((f, i) => setValue(columns[i], e, f.stage === 'row' ? (inputs.row >= 0 ? inputs.rowValue(f.slot) : null) : inputs.windowValue(f.slot)));
    }
    writeStore(file, { schema: 1, view: view.name, version, source: source.reference, end, written: Date.now(), keys: loaded.keyOfEntity }, rowTimes,
      stored.map((f, i) => ({ slot: f.slot, name: f.name, stage: f.stage as 'row' | 'window', column: columns[i] })));
    results.push({ view: view.name, version, source: source.reference, end: new Date(end).toISOString(), entities: n, updated, incremental: reusable !== undefined, file });
  }
  return results;
}

/** Whether the entity has a row with event time in (since, end]. */
function hasRowIn(times: Float64Array, from: number, to: number, since: number, end: number): boolean {
  for (let k = to - 1; k >= from; k--) {
    if (times[k] <= since) return false;
    if (times[k] <= end) return true;
  }
  return false;
}

export interface OnlineValue {
  /** `<view>__<feature>`, the training set's column name. */
  name: string;
  view: string;
  feature: string;
  value: Value;
  /** ISO 8601; null when there is none (a missing entity). */
  eventTime: string | null;
  status: FeatureStatus;
}

export interface LookupOptions {
  /** The time of the lookup (ms), against which TTL is enforced; now by default. */
  at?: number;
  /** Request inputs of on-demand features (`request.x`). */
  request?: Record<string, Value>;
}

/** Reads from the online store view by view. */
class StoreInputs implements VectorInputs {
  rowTime = NaN;
  windowTime = NaN;
  row = -1;
  constructor(private readonly store: OnlineView) {}
  rowValue(slot: number): Value {
    return valueAt(this.store.columns[slot]!, this.row);
  }
  windowValue(slot: number): Value {
    return valueAt(this.store.columns[slot]!, this.row);
  }
}

interface PreparedView {
  view: CompiledView;
  store: OnlineView;
  inputs: StoreInputs;
  vector: VectorBuffer;
  /** Slots of the service's features of this view, with their output index. */
  wanted: { slot: number; index: number; name: string; feature: string }[];
}

/**
 * The in-process lookup the model server calls: stores are loaded once, then each lookup is a hash probe per view
 * and the same `assembleVector` a training set is built with, TTL enforced against the lookup time.
 */
export class OnlineFeatures {
  private readonly services = new Map<string, { prepared: PreparedView[]; size: number }>();

  constructor(private readonly project: Project) {}

  private prepare(service: string): { prepared: PreparedView[]; size: number } {
    const cached = this.services.get(service);
    if (cached) return cached;
    const requested = requireService(this.project, service);
    const config = this.project.config.features ?? {};
    const prepared: PreparedView[] = [];
    for (const viewName of new Set(requested.map((r) => r.view))) {
      const { view, version } = compileForBuild(this.project, config, viewName);
      const store = OnlineView.read(storeFile(this.project, viewName));
      if (!store) {
        throw new MlopsError(l10n.t('The view {0} has not been materialized.', viewName), l10n.t('Run `mlops features materialize {0}` first.', viewName), 'NOT_MATERIALIZED');
      }
      if (store.header.version !== version) {
        throw new MlopsError(
          l10n.t('The online store of {0} holds version {1}, and the view is now version {2} (its definition or its source changed).', viewName, store.header.version, version),
          l10n.t('Run `mlops features materialize {0}` again.', viewName),
          'STALE_ONLINE_STORE',
        );
      }
      const wanted = requested.map((r, index) => ({ r, index })).filter(({ r }) => r.view === viewName)
        .map(({ r, index }) => ({ slot: view.features.find((f) => f.name === r.feature && !f.hidden)!.slot, index, name: `${viewName}__${r.feature}`, feature: r.feature }));
      prepared.push({ view, store, inputs: new StoreInputs(store), vector: vectorBuffer(view), wanted });
    }
    const entry = { prepared, size: requested.length };
    this.services.set(service, entry);
    return entry;
  }

  /** The service's vector for one entity; `keys` gives each key column's value (`{ location: 'Seattle' }`). */
  lookup(service: string, keys: Readonly<Record<string, string | number>>, options: LookupOptions = {}): OnlineValue[] {
    const { prepared, size } = this.prepare(service);
    const at = options.at ?? Date.now();
    const request = options.request ?? {};
    const readRequest = (name: string) => request[name] ?? null;
    const out = new Array<OnlineValue>(size);
    for (const p of prepared) {
      const parts: string[] = [];
      for (const k of p.view.keys) {
        const v = keys[k];
        if (v === undefined) {
          throw new MlopsError(l10n.t('The lookup gives no value for the key column {0} of the entity {1}.', k, p.view.entity), l10n.t('Pass it as --entity {0}=VALUE.', k), 'MISSING_KEY');
        }
        parts.push(String(v));
      }
      const row = p.store.rowOfKey.get(parts.join('\u001f'));
      const inputs = p.inputs;
      inputs.row = row ?? -1;
      inputs.rowTime = row === undefined ? NaN : p.store.rowTimes[row];
      inputs.windowTime = row === undefined ? NaN : p.store.header.end;
      assembleVector(p.view, inputs, at, readRequest, p.vector);
      for (const w of p.wanted) {
        const t = p.vector.times[w.slot];
        out[w.index] = { name: w.name, view: p.view.name, feature: w.feature, value: p.vector.values[w.slot], eventTime: Number.isNaN(t) ? null : new Date(t).toISOString(), status: STATUS_NAMES[p.vector.statuses[w.slot]] };
      }
    }
    return out;
  }
}

/** One lookup per entity; for many lookups keep an OnlineFeatures, which loads each store once. */
export function getOnlineFeatures(project: Project, service: string, entityKeys: Readonly<Record<string, string | number>>[], options: LookupOptions = {}): OnlineValue[][] {
  const online = new OnlineFeatures(project);
  return entityKeys.map((keys) => online.lookup(service, keys, options));
}
