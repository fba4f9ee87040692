import { resolveVersion, versionProfiles, type ColumnType } from '../data';
import { ObjectCache, hexOf } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { FeaturesConfig, Project } from '../workspace';
import { compileView, viewVersion, type CompiledView, type FeatureProblem } from './definitions';
import { makeColumn, readTable, setValue, valueAt, type CellReading, type StoredColumn } from './table';
import type { Scope, Value, ValueType } from './typing';
import type { VectorInputs } from './vector';
import * as fs from 'node:fs';

export function valueTypeOf(type: ColumnType): ValueType {
  if (type === 'integer' || type === 'float') return 'number';
  if (type === 'empty') return 'null';
  return type;
}

/** The dataset version a view reads, with the column types of its profile. */
export interface SourceVersion {
  reference: string;
  /** Project-relative path of the data, for messages and the file's format. */
  path: string;
  digest: string;
  file: string;
  columns: Map<string, ValueType>;
}

export function resolveSource(project: Project, source: string): SourceVersion {
  const { pointer, version } = resolveVersion(project, source);
  if (version.kind !== 'file') {
    throw new MlopsError(l10n.t('{0} is a folder; a feature view reads one CSV, TSV or Parquet file.', pointer.path), l10n.t('Declare the file itself as the dataset.'), 'NOT_TABULAR');
  }
  const profile = versionProfiles(project, version)?.get('');
  if (!profile) {
    throw new MlopsError(l10n.t('{0}@{1} has no profile, so its column types are unknown.', pointer.dataset, version.id), l10n.t('Snapshot the data again (CSV, TSV and Parquet are profiled).'), 'NOT_TABULAR');
  }
  const file = new ObjectCache(project.paths.cache).pathOf(hexOf(version.digest));
  if (!fs.existsSync(file)) {
    throw new MlopsError(l10n.t('The data of {0}@{1} is not in the local cache.', pointer.dataset, version.id), l10n.t('Run `mlops pull` to fetch it, or restore it from the remote.'), 'MISSING_OBJECT');
  }
  return { reference: `${pointer.dataset}@${version.id}`, path: pointer.path, digest: version.digest, file, columns: new Map(profile.columns.map((c) => [c.name, valueTypeOf(c.type)])) };
}

/** Compiles a view against its source version; throws the first problem, since a build cannot proceed past one. */
export function compileForBuild(project: Project, config: FeaturesConfig, viewName: string): { view: CompiledView; source: SourceVersion; version: string } {
  const declared = config.views?.[viewName];
  if (!declared) {
    throw new MlopsError(l10n.t('There is no feature view "{0}".', viewName), l10n.t('`mlops features list` shows the views of mlops.yaml.'), 'NO_FEATURE_VIEW');
  }
  const source = resolveSource(project, declared.source);
  const problems: FeatureProblem[] = [];
  const view = compileView(config, viewName, source.columns, problems);
  const first = problems.find((p) => p.severity === 'error');
  if (!view || first) {
    throw new MlopsError(
      l10n.t('mlops.yaml, {0}: {1}', first ? first.path.join('.') : `features.views.${viewName}`, first?.message ?? ''),
      l10n.t('Fix the definition (`mlops validate` lists every problem), then build again.'),
      'INVALID_FEATURES',
    );
  }
  return { view, source, version: viewVersion(view, source.digest) };
}

export function readingFor(type: ValueType): CellReading {
  return type === 'string' || type === 'null' ? 'text' : type;
}

/** Joins the key cells of a row into one text; several key columns are joined by a character no key holds. */
export function keyTextOf(keyColumns: StoredColumn[], row: number): string | null {
  if (keyColumns.length === 1) return keyColumns[0].texts![row];
  const parts: string[] = [];
  for (const c of keyColumns) {
    const t = c.texts![row];
    if (t === null) return null;
    parts.push(t);
  }
  return parts.join('\u001f');
}

/**
 * A view's source, ready for lookups: per entity, its rows sorted by event time with one row per event time (the
 * one with the largest `created`, then the later one in the file), and the row features of every row computed once.
 */
export class LoadedView {
  /** Entity key text to entity number. */
  readonly entities = new Map<string, number>();
  /** Rows of entity e are order[starts[e]] .. order[starts[e + 1] - 1], by increasing event time. */
  starts = new Int32Array(1);
  order = new Int32Array(0);
  /** Event time of order[k]. */
  times = new Float64Array(0);
  /** Row features by slot (undefined for the others), indexed by source row. */
  readonly rowFeatures: (StoredColumn | undefined)[];
  readonly keyOfEntity: string[] = [];

  private constructor(readonly view: CompiledView, readonly version: string, readonly source: SourceVersion) {
    this.rowFeatures = new Array<StoredColumn | undefined>(view.features.length);
  }

  static async load(view: CompiledView, version: string, source: SourceVersion, signal?: AbortSignal): Promise<LoadedView> {
    const loaded = new LoadedView(view, version, source);
    const wanted = new Map<string, CellReading>();
    for (const key of view.keys) wanted.set(key, 'text');
    wanted.set(view.timestamp, 'datetime');
    const createdType = view.created ? source.columns.get(view.created) : undefined;
    if (view.created) wanted.set(view.created, createdType === 'datetime' ? 'datetime' : 'number');
    for (const c of view.columns) if (!wanted.has(c.name)) wanted.set(c.name, readingFor(c.type));
    const table = await readTable(source.file, source.path, wanted, signal);
    loaded.index(table.rows, view.keys.map((k) => table.columns.get(k)!), table.columns.get(view.timestamp)!.numbers!, view.created ? table.columns.get(view.created)!.numbers! : undefined);
    loaded.computeRowFeatures(table.rows, view.columns.map((c) => table.columns.get(c.name)!));
    return loaded;
  }

  private index(rows: number, keyColumns: StoredColumn[], eventTimes: Float64Array, created: Float64Array | undefined): void {
    const entityOfRow = new Int32Array(rows).fill(-1);
    const counts: number[] = [];
    for (let r = 0; r < rows; r++) {
      const key = keyTextOf(keyColumns, r);
      // A row without a key or an event time cannot be placed: it belongs to no entity at no time.
      if (key === null || Number.isNaN(eventTimes[r])) continue;
      let e = this.entities.get(key);
      if (e === undefined) {
        e = counts.length;
        this.entities.set(key, e);
        this.keyOfEntity.push(key);
        counts.push(0);
      }
      entityOfRow[r] = e;
      counts[e]++;
    }
    // Counting sort by entity keeps file order inside each entity; then each entity's few rows are sorted by time.
    const starts = new Int32Array(counts.length + 1);
    for (let e = 0; e < counts.length; e++) starts[e + 1] = starts[e] + counts[e];
    const fill = starts.slice(0, counts.length);
    const order = new Int32Array(starts[counts.length]);
    for (let r = 0; r < rows; r++) if (entityOfRow[r] >= 0) order[fill[entityOfRow[r]]++] = r;
    const byTime = (a: number, b: number) => eventTimes[a] - eventTimes[b] || (created ? nullsFirst(created[a], created[b]) : 0) || a - b;
    const kept = new Int32Array(order.length);
    const keptStarts = new Int32Array(counts.length + 1);
    let k = 0;
    for (let e = 0; e < counts.length; e++) {
      const rowsOfEntity = order.subarray(starts[e], starts[e + 1]);
      if (!isSortedBy(rowsOfEntity, byTime)) rowsOfEntity.sort(byTime);
      // Of the rows sharing an event time, the last after sorting (largest created, then latest in the file) wins.
      for (let i = 0; i < rowsOfEntity.length; i++) {
        if (i + 1 < rowsOfEntity.length && eventTimes[rowsOfEntity[i + 1]] === eventTimes[rowsOfEntity[i]]) continue;
        kept[k++] = rowsOfEntity[i];
      }
      keptStarts[e + 1] = k;
    }
    this.order = kept.slice(0, k);
    this.starts = keptStarts;
    this.times = Float64Array.from(this.order, (r) => eventTimes[r]);
  }

  private computeRowFeatures(rows: number, columns: StoredColumn[]): void {
    let row = 0;
    const scope: Scope = {
      read: (slot) => (slot >= 0 ? valueAt(columns[slot], row) : valueAt(this.rowFeatures[-1 - slot]!, row)),
      request: () => null,
    };
    for (const f of this.view.features) {
      if (f.stage !== 'row') continue;
      if (f.kind === 'column') {
        this.rowFeatures[f.slot] = columns[this.view.columns.findIndex((c) => c.name === f.column)];
        continue;
      }
      const out = makeColumn(f.type, rows);
      const evaluate = f.evaluator!.evaluate;
      for (let k = 0; k < this.order.length; k++) {
        row = this.order[k];
        setValue(out, row, evaluate(scope));
      }
      this.rowFeatures[f.slot] = out;
    }
  }

  /** The entity's rows as the range [from, to) of `order`; empty for an unknown entity. */
  rangeOf(key: string | null): [number, number] {
    const e = key === null ? undefined : this.entities.get(key);
    return e === undefined ? [0, 0] : [this.starts[e], this.starts[e + 1]];
  }

  /**
   * Fills `inputs` for a lookup at `t` in the range of one entity: its latest row at or before t, and each window
   * aggregate over the rows in (t - window, t].
   */
  inputsAt(from: number, to: number, t: number, into: MutableInputs): void {
    const hi = upperBound(this.times, from, to, t);
    into.windowTime = t;
    if (hi > from) {
      into.rowTime = this.times[hi - 1];
      into.row = this.order[hi - 1];
    } else {
      into.rowTime = NaN;
      into.row = -1;
    }
    for (const f of this.view.features) {
      if (f.stage !== 'window') continue;
      const a = f.aggregate!;
      const lo = upperBound(this.times, from, hi, t - a.windowMs);
      into.windows[f.slot] = aggregateRange(a.fn, a.of === undefined ? undefined : this.rowFeatures[a.of], this.order, lo, hi);
    }
  }
}

/** Lookup inputs that a loaded view fills in place, row after row, without allocating. */
export class MutableInputs implements VectorInputs {
  rowTime = NaN;
  windowTime = NaN;
  row = -1;
  readonly windows: Value[];
  constructor(private readonly loaded: LoadedView) {
    this.windows = new Array<Value>(loaded.view.features.length).fill(null);
  }
  rowValue(slot: number): Value {
    return valueAt(this.loaded.rowFeatures[slot]!, this.row);
  }
  windowValue(slot: number): Value {
    return this.windows[slot];
  }
}

function nullsFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

function isSortedBy(rows: Int32Array, compare: (a: number, b: number) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1], rows[i]) > 0) return false;
  return true;
}

/** The first index in [from, to) whose time is greater than t (to if none). */
function upperBound(times: Float64Array, from: number, to: number, t: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An aggregate over order[lo..hi), in time order. Sums add in time order, one value after another, so the result
 * is the same number a reference computing it the plain way gets. Missing values are skipped; `count` without a
 * column counts rows; an empty window is count 0, sum 0, and null for the others.
 */
function aggregateRange(fn: string, column: StoredColumn | undefined, order: Int32Array, lo: number, hi: number): Value {
  if (!column) return hi - lo;
  if (fn === 'last') return hi > lo ? valueAt(column, order[hi - 1]) : null;
  if (column.texts) {
    let n = 0;
    for (let k = lo; k < hi; k++) if (column.texts[order[k]] !== null) n++;
    return fn === 'count' ? n : null;
  }
  const values = column.numbers!;
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = lo; k < hi; k++) {
    const v = values[order[k]];
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (fn === 'count') return n;
  if (fn === 'sum') return sum;
  if (n === 0) return null;
  if (fn === 'mean') return sum / n;
  return fn === 'min' ? min : max;
}
