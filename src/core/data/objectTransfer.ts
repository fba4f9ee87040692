import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { isProcessAlive } from '../storage';
import { withDataLock } from './dataLock';
import type { HashedFile } from '../storage';
import { objectsOfVersion } from './manifest';
import { corruptObject, ObjectCache } from '../storage';
import { readAllPointers } from './pointer';
import { runInWorkers, type WorkOptions } from './workerPool';

/** Every object some dataset version needs (as far as the local cache can tell), deduplicated. */
function referencedObjects(project: Project, cache: ObjectCache): Set<string> {
  const hexes = new Set<string>();
  for (const pointer of readAllPointers(project.paths)) for (const v of pointer.versions) for (const h of objectsOfVersion(cache, v)) hexes.add(h);
  return hexes;
}

export interface GcResult {
  /** Unreferenced objects found (and removed, with `force`). */
  objects: number;
  bytes: number;
  removed: boolean;
  /** Leftovers of interrupted writes, removed in both modes since nothing can use them. */
  temporaries: number;
  kept: number;
}

/**
 * Finds cache objects that no dataset version references and, with `force`, deletes them. Digests named in the
 * other committed manifests (.mlops/models) are kept too, so model artifacts sharing the cache survive.
 */
export async function collectGarbage(project: Project, options: { force?: boolean } = {}): Promise<GcResult> {
  const cache = new ObjectCache(project.paths.cache);
  return withDataLock(project.paths, async () => {
    const keep = referencedObjects(project, cache);
    for (const hex of digestsNamedIn(project.paths.models)) keep.add(hex);
    let objects = 0;
    let bytes = 0;
    for (const hex of [...cache.list()]) {
      if (keep.has(hex)) continue;
      objects++;
      bytes += fs.statSync(cache.pathOf(hex)).size;
      if (options.force) cache.remove(hex);
    }
    return { objects, bytes, removed: Boolean(options.force), temporaries: removeDeadTemporaries(cache), kept: keep.size };
  });
}

/**
 * The objects the registry's committed records name (model artifacts): a clone that gates or serves a registered
 * model needs them as much as the data. The records also name digests that are no object (a card's), so these
 * travel when one side has them and are never counted missing.
 */
function registeredArtifacts(project: Project): Set<string> {
  return digestsNamedIn(project.paths.models);
}

function digestsNamedIn(dir: string): Set<string> {
  const found = new Set<string>();
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(json|ya?ml)$/.test(entry.name)) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/sha256:([0-9a-f]{64})/g)) found.add(m[1]);
  }
  return found;
}

/** Temporaries are named after the writing process; those of processes that are gone are garbage. */
function removeDeadTemporaries(cache: ObjectCache): number {
  const dir = path.join(cache.dir, 'tmp');
  if (!fs.existsSync(dir)) return 0;
  let removed = 0;
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(name.split('-')[0]);
    if (!(Number.isInteger(pid) && pid > 0 && isProcessAlive(pid))) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

export interface TransferResult {
  remote: string;
  /** Objects copied, and their bytes. */
  copied: number;
  bytes: number;
  /** Objects the destination already had. */
  present: number;
  /** Objects a version needs that the source does not have. */
  missing: string[];
}

/** The remote cache from mlops.yaml's data.remote, relative to the project root. */
export function remoteCache(project: Project): ObjectCache {
  const remote = project.config.data?.remote;
  if (!remote) {
    throw new MlopsError(
      l10n.t('No remote is configured.'),
      l10n.t('Set data.remote in mlops.yaml to a directory (a mounted share or any path), for example `remote: /mnt/team/mlops-cache` under `data:`.'),
      'NO_REMOTE',
    );
  }
  const dir = path.resolve(project.paths.root, remote);
  if (!fs.existsSync(dir)) {
    throw new MlopsError(l10n.t('The remote {0} does not exist.', dir), l10n.t('Create the folder (or mount the share), or fix data.remote in mlops.yaml.'), 'NO_REMOTE');
  }
  return new ObjectCache(dir);
}

/**
 * Copies objects `from` one cache `to` the other, on worker threads, each checked against its hash while it is
 * written to a temporary in the destination and renamed only when good.
 */
async function transfer(from: ObjectCache, to: ObjectCache, hexes: string[], options: WorkOptions): Promise<{ copied: number; bytes: number }> {
  const tasks = hexes.map((hex) => ({ kind: 'copy' as const, source: from.pathOf(hex), target: to.temporaryPath() }));
  let results: HashedFile[];
  try {
    results = (await runInWorkers(tasks, options)) as HashedFile[];
  } catch (err) {
    for (const t of tasks) fs.rmSync(t.target, { force: true });
    throw err;
  }
  let bytes = 0;
  results.forEach((r, i) => {
    if (r.sha256 !== hexes[i]) {
      for (const t of tasks.slice(i)) fs.rmSync(t.target, { force: true });
      throw corruptObject(from.pathOf(hexes[i]));
    }
    to.adopt(tasks[i].target, hexes[i]);
    bytes += r.size;
  });
  return { copied: hexes.length, bytes };
}

/** Sends the remote every object of every dataset version that it lacks. */
export async function pushObjects(project: Project, options: WorkOptions = {}): Promise<TransferResult> {
  const local = new ObjectCache(project.paths.cache);
  const remote = remoteCache(project);
  return withDataLock(project.paths, async () => {
    const wanted = [...referencedObjects(project, local)];
    const missing = wanted.filter((h) => !local.has(h));
    const toSend = [...new Set([...wanted, ...registeredArtifacts(project)])].filter((h) => local.has(h) && !remote.has(h));
    const done = await transfer(local, remote, toSend, options);
    return { remote: remote.dir, ...done, present: wanted.length - missing.length - toSend.length, missing };
  });
}

/**
 * Fetches from the remote every object of every dataset version that the local cache lacks. A folder's manifest
 * names its files, so fetching repeats until nothing new is learned.
 */
export async function pullObjects(project: Project, options: WorkOptions = {}): Promise<TransferResult> {
  const local = new ObjectCache(project.paths.cache);
  const remote = remoteCache(project);
  return withDataLock(project.paths, async () => {
    let copied = 0;
    let bytes = 0;
    const unavailable = new Set<string>();
    for (;;) {
      const lacking = [...referencedObjects(project, local)].filter((h) => !local.has(h) && !unavailable.has(h));
      const available = [...new Set([...lacking, ...registeredArtifacts(project)])].filter((h) => !local.has(h) && remote.has(h));
      for (const h of lacking) if (!remote.has(h)) unavailable.add(h);
      if (available.length === 0) break;
      const done = await transfer(remote, local, available, options);
      copied += done.copied;
      bytes += done.bytes;
    }
    const wanted = referencedObjects(project, local);
    return { remote: remote.dir, copied, bytes, present: wanted.size - copied - unavailable.size, missing: [...unavailable] };
  });
}
