import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { cancelled, MlopsError, type ErrorCode } from '../errors';
import { startWorker } from '../workerThreads';
import { columnPairs, summarize, type ColumnDrift, type DriftOptions, type DriftReport } from './driftReport';
import type { DriftColumn, DriftTable } from './driftTable';

/** What a drift worker receives: one column of each side (copied across the thread boundary) and the test choices. */
export interface ColumnTask {
  id: number;
  reference: DriftColumn;
  current: DriftColumn;
  options: Omit<DriftOptions, 'signal'>;
}

export type ColumnTaskReply = { id: number; column: ColumnDrift } | { id: number; error: { message: string; hint?: string; code?: ErrorCode; name: string } };

/**
 * driftReport() on worker threads, a column at a time per thread: off the caller's thread (the extension host stays
 * responsive) and on every core. Columns are copied to the threads, so memory grows by one column pair per thread.
 * Aborting stops the threads at once.
 */
export function driftReportInWorkers(reference: DriftTable, current: DriftTable, options: DriftOptions & { threads?: number } = {}): Promise<DriftReport> {
  const pairs = columnPairs(reference, current, options);
  const { signal, threads, ...choices } = options;
  if (signal?.aborted) return Promise.reject(cancelled());
  const count = Math.max(1, Math.min(pairs.length, threads ?? os.availableParallelism()));
  const columns: ColumnDrift[] = new Array(pairs.length);
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(summarize(reference, current, columns, options));
    };
    const onAbort = () => finish(cancelled());
    signal?.addEventListener('abort', onAbort);
    const feed = (worker: Worker) => {
      if (next >= pairs.length) return;
      const id = next++;
      const reference = ownCopy(pairs[id][0]);
      const current = ownCopy(pairs[id][1]);
      worker.postMessage({ id, reference, current, options: choices } satisfies ColumnTask, [buffer(reference), buffer(current)]);
    };
    for (let i = 0; i < count; i++) {
      const worker = startWorker('drift');
      workers.push(worker);
      worker.on('message', (reply: ColumnTaskReply) => {
        if (settled) return;
        if ('error' in reply) {
          const e = reply.error;
          return finish(e.name === 'MlopsError' ? new MlopsError(e.message, e.hint, e.code) : new Error(e.message));
        }
        columns[reply.id] = reply.column;
        if (++done === pairs.length) return finish();
        feed(worker);
      });
      worker.on('error', (err) => finish(err));
      feed(worker);
    }
  });
}

/**
 * The column's values in a buffer of their own, moved to the thread rather than cloned: a column is often a view into
 * a bigger buffer (a whole file read at once), and cloning a view clones all of that buffer.
 */
function ownCopy(column: DriftColumn): DriftColumn {
  return column.kind === 'numeric' ? { ...column, values: column.values.slice() } : { ...column, codes: column.codes.slice() };
}

function buffer(column: DriftColumn): ArrayBuffer {
  return (column.kind === 'numeric' ? column.values.buffer : column.codes.buffer) as ArrayBuffer;
}

