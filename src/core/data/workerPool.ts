import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { cancelled, MlopsError, type ErrorCode } from '../errors';
import { startWorker } from '../workerThreads';
import type { DataTask, DataTaskResult } from './dataTasks';

export interface WorkOptions {
  /** Threads to use; defaults to one per core. */
  threads?: number;
  signal?: AbortSignal;
  /** Called as bytes are processed, for progress. */
  onBytes?: (n: number) => void;
}

/**
 * Copying and hashing tasks a thread holds at once: copies of small files then wait for their fsyncs together (the
 * file system commits them as a group) instead of one after another. Parsing tasks are given one at a time, so a
 * thread that finishes early takes the next instead of another thread queueing it.
 */
const IO_TASKS_PER_THREAD = 8;
const IO_KINDS = new Set<DataTask['kind']>(['ingest', 'copy', 'hash']);

interface WorkerError {
  message: string;
  code?: ErrorCode;
  name?: string;
  hint?: string;
}

function rebuildError(e: WorkerError): Error {
  if (e.name === 'MlopsError') return new MlopsError(e.message, e.hint, e.code);
  return Object.assign(new Error(e.message), { code: e.code });
}

/**
 * Runs tasks on worker threads, off the caller's thread (the extension host stays responsive), one per core.
 * Results come back in the order of `tasks`. Aborting stops the threads at once and removes the temporaries of
 * unfinished copies.
 */
export function runInWorkers(tasks: readonly DataTask[], options: WorkOptions = {}): Promise<DataTaskResult[]> {
  if (tasks.length === 0) return Promise.resolve([]);
  if (options.signal?.aborted) return Promise.reject(cancelled());
  const count = Math.max(1, Math.min(tasks.length, options.threads ?? os.availableParallelism()));
  const perThread = tasks.every((t) => IO_KINDS.has(t.kind)) ? IO_TASKS_PER_THREAD : 1;
  const results: DataTaskResult[] = new Array(tasks.length);
  const unfinished = new Set<number>(tasks.map((_, i) => i));

  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) {
        for (const i of unfinished) {
          const task = tasks[i];
          if (task.kind === 'ingest') fs.rmSync(task.temporary, { force: true });
        }
        reject(err);
      } else resolve(results);
    };
    const onAbort = () => finish(cancelled());
    options.signal?.addEventListener('abort', onAbort);

    const feed = (worker: Worker) => {
      if (next >= tasks.length) return;
      const id = next++;
      worker.postMessage({ id, task: tasks[id] });
    };
    for (let i = 0; i < count; i++) {
      const worker = startWorker('data');
      workers.push(worker);
      worker.on('message', (m: { id: number; bytes: number; result?: DataTaskResult; error?: WorkerError }) => {
        if (settled) return;
        if (m.bytes) options.onBytes?.(m.bytes);
        if (m.error) return finish(rebuildError(m.error));
        if (!m.result) return;
        results[m.id] = m.result;
        unfinished.delete(m.id);
        if (unfinished.size === 0) return finish();
        feed(worker);
      });
      worker.on('error', (err) => finish(err));
      for (let k = 0; k < perThread; k++) feed(worker);
    }
  });
}
