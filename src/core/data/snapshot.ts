import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { resolveVersion, type ResolvedVersion } from './versions';
import { withDataLock } from './dataLock';
import { recordVersionInStore } from './datasetRecords';
import type { DataTask, IngestedFile } from './dataTasks';
import { headCommit, recordPointerInGit, type GitMode, type GitOutcome } from './git';
import type { HashedFile } from '../storage';
import { manifestText, readJsonObject, readManifest, type FolderProfile, type ManifestEntry } from './manifest';
import { hexOf, ObjectCache, toDigest } from '../storage';
import { profileInWorkers } from './parallelProfile';
import { checkDatasetName, pointerPath, readPointer, resolveInsideProject, toProjectRelative, writePointer, type DatasetLineage, type DatasetPointer, type DatasetVersion } from './pointer';
import { tabularFormatOf, type DatasetProfile } from './profile';
import { statOf, StatCache, type FileStat } from './statCache';
import { runInWorkers } from './workerPool';

export interface SnapshotProgress {
  phase: 'scanning' | 'hashing' | 'profiling' | 'recording';
  /** Bytes hashed (or profiled) so far, and in all, for the current phase. */
  done: number;
  total: number;
}

export interface SnapshotOptions {
  /** The dataset name; by default the mlops.yaml declaration whose path matches, else the file or folder name. */
  name?: string;
  message?: string;
  /** What to do in git; by default mlops.yaml's data.git, else commit. */
  git?: GitMode;
  signal?: AbortSignal;
  onProgress?: (progress: SnapshotProgress) => void;
  /** Worker threads for hashing; one per core by default. */
  threads?: number;
  /** Recorded on the new version: what derived data was made from. */
  lineage?: DatasetLineage;
}

export interface SnapshotResult {
  dataset: string;
  /** Project-relative path of the data. */
  path: string;
  /** The new version, or the latest one when the data was unchanged. */
  version: DatasetVersion;
  /** False when the data matched the latest version and nothing was recorded. */
  created: boolean;
  /** Project-relative path of the pointer file. */
  pointer: string;
  /** Files read and hashed, and files whose stat showed them unchanged. */
  hashedFiles: number;
  reusedFiles: number;
  git?: GitOutcome;
  /** Other things the user should know (the metadata store could not record the version...), translated. */
  notes: string[];
  /** One translated sentence for people. */
  summary: string;
}

interface ScannedFile {
  relative: string;
  absolute: string;
  stat: FileStat;
}

/** Which dataset a path is: the declaration whose path matches, else the file or folder name made valid. */
export function datasetNameFor(project: Project, absolute: string): string {
  for (const [name, declaration] of Object.entries(project.config.datasets ?? {})) {
    if (path.resolve(project.paths.root, declaration.path) === absolute) return name;
  }
  const base = path.basename(absolute);
  const stem = fs.statSync(absolute).isDirectory() ? base : path.parse(base).name;
  return stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'dataset';
}

/**
 * The files of a dataset, sorted by path. Symbolic links are skipped: one could lead outside the project, and
 * its target is not the dataset's to version.
 */
export function scanData(absolute: string): { kind: 'file' | 'folder'; files: ScannedFile[] } {
  const top = fs.statSync(absolute);
  if (top.isFile()) return { kind: 'file', files: [{ relative: '', absolute, stat: statOf(absolute) }] };
  const files: ScannedFile[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix + entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, relative + '/');
      else if (entry.isFile()) files.push({ relative, absolute: full, stat: statOf(full) });
    }
  };
  walk(absolute, '');
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return { kind: 'folder', files };
}

/** Where a data path is, checked: inside the project, outside .mlops, existing. */
export function resolveDataPath(project: Project, given: string, cwd: string): string {
  const absolute = path.resolve(cwd, given);
  const relative = path.relative(project.paths.root, absolute);
  resolveInsideProject(project.paths.root, relative, given);
  if (absolute === project.paths.state || absolute.startsWith(project.paths.state + path.sep)) {
    throw new MlopsError(l10n.t('{0} is inside .mlops, where MLOps Workbench keeps its own state.', given), l10n.t('Snapshot your data files or folders, not .mlops.'), 'BAD_PATH');
  }
  if (!fs.existsSync(absolute)) {
    throw new MlopsError(l10n.t('{0} does not exist.', absolute), l10n.t('Give the path of a data file or folder inside the project.'), 'NOT_FOUND');
  }
  return absolute;
}

/**
 * Snapshots a data file or folder: hashes its files on worker threads (files unchanged since the last snapshot are
 * not read again), stores new contents in the cache, profiles tabular data, and records a new version in the
 * pointer file, in git and in the metadata store. Unchanged data makes no new version.
 */
export async function snapshotDataset(project: Project, dataPath: string, options: SnapshotOptions = {}, cwd = project.paths.root): Promise<SnapshotResult> {
  const absolute = resolveDataPath(project, dataPath, cwd);
  const dataRelative = toProjectRelative(project.paths.root, absolute);
  const name = checkDatasetName(options.name ?? datasetNameFor(project, absolute));
  const paths = project.paths;
  return withDataLock(paths, async () => {
    const previous = readPointer(paths, name);
    if (previous && previous.path !== dataRelative) {
      throw new MlopsError(
        l10n.t('The dataset "{0}" already versions {1}, not {2}.', name, previous.path, dataRelative),
        l10n.t('Choose another name with --name, or snapshot {0}.', previous.path),
        'NAME_TAKEN',
      );
    }
    const cache = new ObjectCache(paths.cache);
    const stats = StatCache.open(paths);
    options.onProgress?.({ phase: 'scanning', done: 0, total: 0 });
    const scanned = scanData(absolute);

    const known = new Map<number, HashedFile>();
    const tasks: DataTask[] = [];
    const taskFiles: number[] = [];
    scanned.files.forEach((f, i) => {
      const hex = stats.lookup(dataRelative + (f.relative ? '/' + f.relative : ''), f.stat);
      if (hex && cache.has(hex)) known.set(i, { sha256: hex, size: f.stat.size });
      else {
        tasks.push({ kind: 'ingest', source: f.absolute, cacheDir: cache.dir, temporary: cache.temporaryPath() });
        taskFiles.push(i);
      }
    });
    const total = taskFiles.reduce((s, i) => s + scanned.files[i].stat.size, 0);
    let done = 0;
    options.onProgress?.({ phase: 'hashing', done, total });
    const hashed = (await runInWorkers(tasks, {
      threads: options.threads,
      signal: options.signal,
      onBytes: (n) => options.onProgress?.({ phase: 'hashing', done: (done += n), total }),
    })) as IngestedFile[];
    hashed.forEach((h, k) => known.set(taskFiles[k], h));
    const entries: ManifestEntry[] = scanned.files.map((f, i) => {
      const h = known.get(i) as HashedFile;
      stats.remember(dataRelative + (f.relative ? '/' + f.relative : ''), f.stat, h.sha256);
      return { path: f.relative, sha256: h.sha256, size: h.size };
    });
    stats.save();

    const digest = toDigest(scanned.kind === 'file' ? entries[0].sha256 : cache.putBytes(manifestText(entries)));
    const latest = previous?.versions.at(-1);
    const pointerRelative = toProjectRelative(paths.root, pointerPath(paths, name));
    const base = { dataset: name, path: dataRelative, pointer: pointerRelative, hashedFiles: tasks.length, reusedFiles: scanned.files.length - tasks.length };
    if (latest && latest.digest === digest && latest.kind === scanned.kind) {
      return { ...base, version: latest, created: false, notes: [], summary: l10n.t('{0} is unchanged since {1}@{2}: no new version.', dataRelative, name, latest.id) };
    }

    const { notes, ...profiled } = await profileVersion(cache, scanned.kind, entries, absolute, previous, options).catch((err: unknown) => {
      // A snapshot that fails records nothing: what it brought into the cache goes, or gc would find it unreferenced.
      for (const h of hashed) if (h.added) cache.remove(h.sha256);
      throw inUserTerms(err, cache, entries, absolute);
    });
    const id = (latest?.id ?? 0) + 1;
    const version: DatasetVersion = {
      id,
      created: new Date().toISOString(),
      ...(options.message ? { message: options.message } : {}),
      digest,
      kind: scanned.kind,
      size: entries.reduce((s, e) => s + e.size, 0),
      files: entries.length,
      ...profiled,
      ...(options.lineage ? { lineage: options.lineage } : {}),
    };
    const commit = await headCommit(paths.root);
    if (commit) version.commit = commit;
    options.onProgress?.({ phase: 'recording', done: 0, total: 0 });
    const pointer: DatasetPointer = { schema: 1, dataset: name, path: dataRelative, versions: [...(previous?.versions ?? []), version] };
    writePointer(paths, pointer);
    const gitMode = options.git ?? project.config.data?.git ?? 'commit';
    const storeProblem = recordVersionInStore(paths, name, dataRelative, version);
    const git = await recordPointerInGit(paths.root, {
      mode: gitMode,
      dataRelative,
      isFolder: scanned.kind === 'folder',
      pointerRelative,
      message: commitMessage(name, id, options.message),
    });
    if (storeProblem) notes.push(storeProblem);
    return { ...base, version, created: true, git, notes, summary: l10n.t('Snapshot {0}@{1} of {2}: {3}.', name, id, dataRelative, digest) };
  });
}

/**
 * The profiler reads the cache's copy, so its errors name an object path nobody typed: they are told in terms of
 * the user's file instead (its row and column stay as the profiler found them).
 */
function inUserTerms(err: unknown, cache: ObjectCache, entries: readonly ManifestEntry[], absolute: string): unknown {
  if (!(err instanceof MlopsError)) return err;
  let message = err.message;
  for (const e of entries) message = message.split(cache.pathOf(e.sha256)).join(e.path ? path.join(absolute, e.path) : absolute);
  return message === err.message ? err : new MlopsError(message, err.hint, err.code);
}

function commitMessage(name: string, id: number, message: string | undefined): string {
  const title = l10n.t('Snapshot dataset {0} version {1}', name, id);
  return message ? `${title}\n\n${message}` : title;
}

/**
 * Profiles the tabular files of a new version, reading the cache objects (which cannot change underneath). A file
 * whose contents a previous version already profiled reuses that profile.
 */
async function profileVersion(
  cache: ObjectCache,
  kind: 'file' | 'folder',
  entries: ManifestEntry[],
  absolute: string,
  previous: DatasetPointer | undefined,
  options: SnapshotOptions,
): Promise<Pick<DatasetVersion, 'profile' | 'rows' | 'columns'> & { notes: string[] }> {
  const reusable = reusableProfiles(cache, previous);
  const notes: string[] = [];
  const wanted = entries.filter((e) => tabularFormatOf(kind === 'file' ? absolute : e.path) && !reusable.has(e.sha256));
  const total = wanted.reduce((s, e) => s + e.size, 0);
  let done = 0;
  options.onProgress?.({ phase: 'profiling', done, total });
  const work = { threads: options.threads, signal: options.signal, onBytes: (n: number) => options.onProgress?.({ phase: 'profiling', done: (done += n), total }) };
  const formatOf = (e: ManifestEntry) => tabularFormatOf(kind === 'file' ? absolute : e.path)!;
  // One file uses every core by parts; many files use every core one file each.
  const profileAll = async () => wanted.length === 1
    ? [await profileInWorkers(cache.pathOf(wanted[0].sha256), formatOf(wanted[0]), work)]
    : ((await runInWorkers(wanted.map((e) => ({ kind: 'profile', file: cache.pathOf(e.sha256), format: formatOf(e) })), work)) as DatasetProfile[]);
  // A Parquet file that cannot be decoded (damaged, or an encoding the reader lacks) is still versioned, without its
  // profile: then each file is profiled alone, to know which, and the user is told.
  const profileEach = async () => {
    const each: (DatasetProfile | undefined)[] = [];
    for (const e of wanted) {
      try {
        each.push(await profileInWorkers(cache.pathOf(e.sha256), formatOf(e), work));
      } catch (err) {
        if ((err as MlopsError).code !== 'BAD_PARQUET') throw err;
        notes.push(l10n.t('{0} is versioned without a profile. {1}', e.path || path.basename(absolute), (err as Error).message));
        each.push(undefined);
      }
    }
    return each;
  };
  const profiles = await profileAll().catch((err: MlopsError) => (err.code === 'BAD_PARQUET' ? profileEach() : Promise.reject(err)));
  const byHash = new Map<string, { digest: string; profile?: DatasetProfile }>(reusable);
  profiles.forEach((p, i) => p && byHash.set(wanted[i].sha256, { digest: toDigest(cache.putBytes(JSON.stringify(p))), profile: p }));

  const shapes = entries.flatMap((e) => {
    const found = byHash.get(e.sha256);
    if (!found || !tabularFormatOf(kind === 'file' ? absolute : e.path)) return [];
    const profile = found.profile ?? readJsonObject<DatasetProfile>(cache, found.digest);
    return [{ path: e.path, digest: found.digest, rows: profile.rows, columns: profile.columns.map((c) => c.name) }];
  });
  if (shapes.length === 0) return { notes };
  const rows = shapes.reduce((s, p) => s + p.rows, 0);
  const columns = new Set(shapes.flatMap((p) => p.columns)).size;
  if (kind === 'file') return { profile: shapes[0].digest, rows, columns, notes };
  const index: FolderProfile = { schema: 1, files: Object.fromEntries(shapes.map((p) => [p.path, p.digest])) };
  return { profile: toDigest(cache.putBytes(JSON.stringify(index))), rows, columns, notes };
}

/** Profiles of earlier versions, by the hash of the contents they describe. */
function reusableProfiles(cache: ObjectCache, previous: DatasetPointer | undefined): Map<string, { digest: string }> {
  const found = new Map<string, { digest: string }>();
  for (const v of previous?.versions ?? []) {
    if (!v.profile) continue;
    try {
      if (v.kind === 'file') {
        if (cache.has(hexOf(v.profile))) found.set(hexOf(v.digest), { digest: v.profile });
      } else {
        const manifest = readManifest(cache, v);
        const index = readJsonObject<FolderProfile>(cache, v.profile);
        for (const f of manifest.files) {
          const digest = index.files[f.path];
          if (digest && cache.has(hexOf(digest))) found.set(f.sha256, { digest });
        }
      }
    } catch {
      // an old version whose objects are gone from this cache just cannot lend its profiles
    }
  }
  return found;
}

/**
 * The latest version of a dataset, or of `name@...` as given. A dataset declared in mlops.yaml but never
 * snapshotted gets its first version now, so the run has data lineage.
 */
export async function ensureVersion(project: Project, reference: string, signal?: AbortSignal): Promise<ResolvedVersion> {
  const declared = reference.includes('@') ? undefined : project.config.datasets?.[reference];
  try {
    return resolveVersion(project, reference);
  } catch (err) {
    if (!declared || !(err instanceof MlopsError) || err.code !== 'NO_DATASET') throw err;
  }
  await snapshotDataset(project, declared.path, { name: reference, signal, message: l10n.t('First version, taken for training.') });
  return resolveVersion(project, reference);
}
