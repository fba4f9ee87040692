import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { withDataLock } from './dataLock';
import type { DataTask } from './dataTasks';
import { syncFolder, temporaryNameBeside } from '../storage';
import type { HashedFile } from '../storage';
import { readManifest, type ManifestEntry } from './manifest';
import { corruptObject, hexOf, missingObject, ObjectCache } from '../storage';
import { resolveInsideProject, toProjectRelative } from './pointer';
import { scanData } from './snapshot';
import { StatCache, statOf } from './statCache';
import { resolveVersion } from './versions';
import { runInWorkers } from './workerPool';

export interface RestoreOptions {
  /** Where to write the data instead of the dataset's own path (relative to `cwd`). */
  to?: string;
  /** Overwrite local contents that no snapshot holds. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  cwd?: string;
}

export interface RestoreResult {
  dataset: string;
  version: number;
  digest: string;
  /** Where the data was written: project-relative when inside the project. */
  path: string;
  written: number;
  unchanged: number;
  removed: number;
  summary: string;
}

/**
 * Writes a version back: each file is copied from the cache to a temporary beside its target while its hash is
 * checked, and only when every file checked out are they renamed into place, so a corrupted cache object never
 * replaces good data. Local contents that no snapshot holds are only overwritten with `force`.
 */
export async function restoreVersion(project: Project, reference: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const { pointer, version } = resolveVersion(project, reference);
  const root = project.paths.root;
  const ownPath = resolveInsideProject(root, pointer.path, path.join('.mlops', 'datasets', `${pointer.dataset}.json`));
  const target = options.to ? path.resolve(options.cwd ?? root, options.to) : ownPath;
  const cache = new ObjectCache(project.paths.cache);
  return withDataLock(project.paths, async () => {
    const stats = StatCache.open(project.paths);
    // The stat cache knows files by project-relative path; only the dataset's own path can use it.
    const statKey = (relative: string) => (target === ownPath ? pointer.path + (relative ? '/' + relative : '') : undefined);
    const wanted: ManifestEntry[] = version.kind === 'file' ? [{ path: '', sha256: hexOf(version.digest), size: version.size }] : readManifest(cache, version).files;
    for (const e of wanted) if (!cache.has(e.sha256)) throw missingObject(e.sha256, cache.dir);

    const present = fs.existsSync(target) ? await currentContents(target, stats, statKey, options) : new Map<string, string>();
    if (!options.force) refuseToLoseChanges(target, present, cache);

    // A file where a folder goes, or the reverse, is replaced as a whole.
    let replaced = 0;
    if (fs.existsSync(target) && fs.statSync(target).isDirectory() !== (version.kind === 'folder')) {
      fs.rmSync(target, { recursive: true });
      replaced = present.size;
      present.clear();
    }
    const toWrite = wanted.filter((e) => present.get(e.path) !== e.sha256);
    const destination = (e: ManifestEntry) => (e.path ? path.join(target, ...e.path.split('/')) : target);
    const tasks: DataTask[] = toWrite.map((e) => {
      fs.mkdirSync(path.dirname(destination(e)), { recursive: true });
      return { kind: 'copy', source: cache.pathOf(e.sha256), target: temporaryNameBeside(destination(e)) };
    });
    const total = toWrite.reduce((s, e) => s + e.size, 0);
    let done = 0;
    const temporaries = tasks.map((t) => (t as { target: string }).target);
    try {
      const copies = (await runInWorkers(tasks, { signal: options.signal, onBytes: (n) => options.onProgress?.((done += n), total) })) as HashedFile[];
      copies.forEach((c, i) => {
        if (c.sha256 !== toWrite[i].sha256) throw corruptObject(cache.pathOf(toWrite[i].sha256));
      });
    } catch (err) {
      for (const t of temporaries) fs.rmSync(t, { force: true });
      throw err;
    }
    toWrite.forEach((e, i) => {
      fs.renameSync(temporaries[i], destination(e));
      const key = statKey(e.path);
      if (key) stats.remember(key, statOf(destination(e)), e.sha256);
    });
    for (const dir of new Set(toWrite.map((e) => path.dirname(destination(e))))) syncFolder(dir);
    const keep = new Set(wanted.map((e) => e.path));
    const extra = [...present.keys()].filter((p) => !keep.has(p));
    for (const p of extra) fs.rmSync(path.join(target, ...p.split('/')), { force: true });
    const removed = extra.length + replaced;
    stats.save();
    const shown = target.startsWith(root + path.sep) ? toProjectRelative(root, target) : target;
    return {
      dataset: pointer.dataset,
      version: version.id,
      digest: version.digest,
      path: shown,
      written: toWrite.length,
      unchanged: wanted.length - toWrite.length,
      removed,
      summary: l10n.t('Restored {0}@{1} to {2}: {3} files written, {4} unchanged, {5} removed.', pointer.dataset, version.id, shown, toWrite.length, wanted.length - toWrite.length, removed),
    };
  });
}

/** The hash of every file now at the target, by path within it; hashed on worker threads unless the stat cache knows. */
async function currentContents(target: string, stats: StatCache, statKey: (relative: string) => string | undefined, options: RestoreOptions): Promise<Map<string, string>> {
  const files = scanData(target).files;
  const result = new Map<string, string>();
  const unknown = files.filter((f) => {
    const key = statKey(f.relative);
    const hex = key ? stats.lookup(key, f.stat) : undefined;
    if (hex) result.set(f.relative, hex);
    return !hex;
  });
  const hashed = (await runInWorkers(unknown.map((f) => ({ kind: 'hash', file: f.absolute })), { signal: options.signal })) as HashedFile[];
  hashed.forEach((h, i) => result.set(unknown[i].relative, h.sha256));
  return result;
}

function refuseToLoseChanges(target: string, present: Map<string, string>, cache: ObjectCache): void {
  const unsaved = [...present].filter(([, hex]) => !cache.has(hex)).map(([p]) => p || path.basename(target));
  if (unsaved.length === 0) return;
  const listed = unsaved.slice(0, 5).join(', ') + (unsaved.length > 5 ? ', …' : '');
  throw new MlopsError(
    l10n.t('{0} has local changes that no snapshot holds ({1}); restoring would lose them.', target, listed),
    l10n.t('Snapshot them first (`mlops snapshot`), or restore with --force to discard them.'),
    'LOCAL_CHANGES',
  );
}
