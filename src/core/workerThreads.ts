import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker thread of `src/core/workers/<name>.worker.ts`. The bundles have each worker beside them in dist/;
 * the tests compiled by tsc find it in out/src/core/workers, one folder over from any capability.
 */
export function startWorker(name: string, options?: WorkerOptions): Worker {
  const file = `${name}.worker.js`;
  const candidates = [path.join(__dirname, file), path.join(__dirname, 'workers', file), path.join(__dirname, '..', 'workers', file)];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`${file} not found in ${candidates.join(' or ')}`);
  return new Worker(found, options);
}
