import * as fs from 'node:fs';
import type { Project } from '../workspace';
import { readManifest } from './manifest';
import { hexOf, ObjectCache } from '../storage';
import { readAllPointers, resolveInsideProject } from './pointer';
import { scanData } from './snapshot';
import { StatCache } from './statCache';

export interface LocalChange {
  dataset: string;
  /** Project-relative, with forward slashes. */
  path: string;
  status: 'modified' | 'added' | 'removed';
}

/**
 * Files that differ from their dataset's latest snapshot, found from file stats alone (nothing is read, so the
 * editor can call this on every save). A file touched but not really changed shows as modified until the next
 * snapshot, which hashes it and finds it equal.
 */
export function changedSinceSnapshot(project: Project, dataset?: string): LocalChange[] {
  const stats = StatCache.open(project.paths);
  const cache = new ObjectCache(project.paths.cache);
  const changes: LocalChange[] = [];
  for (const pointer of readAllPointers(project.paths)) {
    const latest = pointer.versions.at(-1);
    if (!latest || (dataset && pointer.dataset !== dataset)) continue;
    const absolute = resolveInsideProject(project.paths.root, pointer.path, pointer.dataset);
    const change = (path: string, status: LocalChange['status']) => changes.push({ dataset: pointer.dataset, path, status });
    const expected = new Map<string, string>(
      latest.kind === 'file' ? [['', hexOf(latest.digest)]] : cache.has(hexOf(latest.digest)) ? readManifest(cache, latest).files.map((f) => [f.path, f.sha256]) : [],
    );
    const present = fs.existsSync(absolute) ? scanData(absolute).files : [];
    for (const f of present) {
      const key = pointer.path + (f.relative ? '/' + f.relative : '');
      const hex = expected.get(f.relative);
      if (hex === undefined) change(key, 'added');
      else if (stats.lookup(key, f.stat) !== hex) change(key, 'modified');
      expected.delete(f.relative);
    }
    for (const relative of expected.keys()) change(pointer.path + (relative ? '/' + relative : ''), 'removed');
  }
  return changes;
}
