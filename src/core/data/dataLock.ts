import * as path from 'node:path';
import { acquireLock } from '../storage';
import type { ProjectPaths } from '../workspace';

/**
 * Runs `work` while holding .mlops/data.lock, so two snapshots (the editor and a terminal) never both number a
 * version 4, and gc never deletes an object a snapshot is about to reference.
 */
export async function withDataLock<T>(paths: ProjectPaths, work: () => Promise<T>): Promise<T> {
  const release = await acquireLock(path.join(paths.state, 'data.lock'));
  try {
    return await work();
  } finally {
    release();
  }
}
