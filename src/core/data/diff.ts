import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import type { KeyedRowDiff } from './keyedDiff';
import { readManifest, readProfiles } from './manifest';
import { hexOf, ObjectCache } from '../storage';
import type { DatasetVersion } from './pointer';
import type { ColumnProfile, DatasetProfile, TabularFormat } from './profile';
import { resolveVersion } from './versions';
import { runInWorkers } from './workerPool';

export interface Change<T> {
  from: T;
  to: T;
}

/** Statistics compared between versions, in the order people read them. */
const COMPARED = ['count', 'nulls', 'distinct', 'min', 'max', 'mean', 'std'] as const;
type ComparedStat = (typeof COMPARED)[number] | 'p50';

export interface TableDiff {
  rows: Change<number>;
  schema: { added: string[]; removed: string[]; typeChanged: ({ column: string } & Change<string>)[] };
  /** Columns present in both versions whose statistics differ. */
  columns: { column: string; changes: Partial<Record<ComparedStat, Change<unknown>>> }[];
  keyed?: KeyedRowDiff;
}

export interface VersionDiff {
  dataset: string;
  from: { version: number; digest: string };
  to: { version: number; digest: string };
  identical: boolean;
  /** Folders: which files were added, removed or modified. */
  files?: { added: string[]; removed: string[]; modified: string[] };
  /** A tabular file: how its table changed. */
  table?: TableDiff;
  /** A folder: how each modified tabular file's table changed, by path. */
  tables?: Record<string, TableDiff>;
}

export function compareProfiles(a: DatasetProfile, b: DatasetProfile): TableDiff {
  const before = new Map(a.columns.map((c) => [c.name, c]));
  const after = new Map(b.columns.map((c) => [c.name, c]));
  const diff: TableDiff = {
    rows: { from: a.rows, to: b.rows },
    schema: {
      added: b.columns.filter((c) => !before.has(c.name)).map((c) => c.name),
      removed: a.columns.filter((c) => !after.has(c.name)).map((c) => c.name),
      typeChanged: [],
    },
    columns: [],
  };
  for (const column of b.columns) {
    const old = before.get(column.name);
    if (!old) continue;
    if (old.type !== column.type) diff.schema.typeChanged.push({ column: column.name, from: old.type, to: column.type });
    const changes: TableDiff['columns'][number]['changes'] = {};
    for (const stat of COMPARED) if (old[stat] !== column[stat]) changes[stat] = { from: old[stat] ?? null, to: column[stat] ?? null };
    const median = (c: ColumnProfile) => c.quantiles?.p50 ?? null;
    if (median(old) !== median(column)) changes.p50 = { from: median(old), to: median(column) };
    if (Object.keys(changes).length) diff.columns.push({ column: column.name, changes });
  }
  return diff;
}

export interface DiffOptions {
  /** The columns that identify a row, to compare rows: `['location', 'date']`, or as typed, `location,date`. */
  key?: string | readonly string[];
  signal?: AbortSignal;
}

function keyColumns(key: DiffOptions['key']): string[] | undefined {
  if (key === undefined) return undefined;
  const columns = (typeof key === 'string' ? key.split(',') : [...key]).map((c) => c.trim()).filter(Boolean);
  if (columns.length === 0) throw new MlopsError(l10n.t('--key names no column.'), l10n.t('Give the columns that identify a row, e.g. --key id or --key location,date.'), 'BAD_KEY');
  return columns;
}

/**
 * How version `b` differs from version `a`: files for folders, schema, row counts and column statistics for
 * tables (from the stored profiles, so it costs nothing), and with `key` the rows added, removed and changed
 * (which reads both versions, on a worker thread).
 */
export async function diffVersions(project: Project, referenceA: string, referenceB: string, options: DiffOptions = {}): Promise<VersionDiff> {
  const a = resolveVersion(project, referenceA);
  const b = resolveVersion(project, referenceB);
  const key = keyColumns(options.key);
  const cache = new ObjectCache(project.paths.cache);
  const diff: VersionDiff = {
    dataset: b.pointer.dataset,
    from: { version: a.version.id, digest: a.version.digest },
    to: { version: b.version.id, digest: b.version.digest },
    identical: a.version.digest === b.version.digest,
  };
  const profilesA = readProfiles(cache, a.version);
  const profilesB = readProfiles(cache, b.version);
  const formatOf = (p: DatasetProfile | undefined) => p?.format;
  if (a.version.kind === 'file' && b.version.kind === 'file') {
    const pa = profilesA?.get('');
    const pb = profilesB?.get('');
    if (pa && pb) {
      diff.table = compareProfiles(pa, pb);
      if (key) diff.table.keyed = await keyedInWorker(cache, a.version, b.version, '', '', formatOf(pa)!, formatOf(pb)!, pa, pb, key, diff.dataset, options.signal);
    } else if (key) throw notTabularKey();
    return diff;
  }
  const filesA = new Map(a.version.kind === 'folder' ? readManifest(cache, a.version).files.map((f) => [f.path, f.sha256]) : []);
  const filesB = new Map(b.version.kind === 'folder' ? readManifest(cache, b.version).files.map((f) => [f.path, f.sha256]) : []);
  diff.files = {
    added: [...filesB.keys()].filter((p) => !filesA.has(p)),
    removed: [...filesA.keys()].filter((p) => !filesB.has(p)),
    modified: [...filesB.keys()].filter((p) => filesA.has(p) && filesA.get(p) !== filesB.get(p)),
  };
  for (const p of diff.files.modified) {
    const pa = profilesA?.get(p);
    const pb = profilesB?.get(p);
    if (!pa || !pb) continue;
    const table = compareProfiles(pa, pb);
    if (key) table.keyed = await keyedInWorker(cache, a.version, b.version, filesA.get(p)!, filesB.get(p)!, pa.format, pb.format, pa, pb, key, `${diff.dataset}/${p}`, options.signal);
    (diff.tables ??= {})[p] = table;
  }
  return diff;
}

function notTabularKey(): MlopsError {
  return new MlopsError(l10n.t('--key compares rows of tables, and these versions are not CSV, TSV, JSON lines or Parquet.'), l10n.t('Leave out --key to compare the versions by their files.'), 'NOT_TABULAR');
}

async function keyedInWorker(
  cache: ObjectCache,
  a: DatasetVersion,
  b: DatasetVersion,
  hexA: string,
  hexB: string,
  formatA: TabularFormat,
  formatB: TabularFormat,
  pa: DatasetProfile,
  pb: DatasetProfile,
  key: string[],
  dataset: string,
  signal: AbortSignal | undefined,
): Promise<KeyedRowDiff> {
  const side = (version: DatasetVersion, hex: string, format: TabularFormat, profile: DatasetProfile) => ({ file: cache.pathOf(hex || hexOf(version.digest)), format, columns: profile.columns.map((c) => c.name), label: `${dataset}@${version.id}` });
  const [result] = await runInWorkers([{ kind: 'keyDiff', a: side(a, hexA, formatA, pa), b: side(b, hexB, formatB, pb), key }], { signal });
  return result as KeyedRowDiff;
}
