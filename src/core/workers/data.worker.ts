import { parentPort } from 'node:worker_threads';
import { runDataTask, type DataTask, type DataTaskResult } from '../data';

/** Progress is batched: a message per megabyte would cost more than the work it reports. */
const REPORT_EVERY = 16 << 20;

/**
 * The sorted columns of a part of a file move to the main thread instead of being copied: they are tens of
 * megabytes for a large file, and the copy was a tenth of a second on each side of the thread boundary.
 */
function transferables(result: DataTaskResult): ArrayBuffer[] {
  if (!('columns' in result)) return [];
  return result.columns.flatMap((c) => ('values' in c ? [c.values.buffer as ArrayBuffer] : []));
}

// One task at a time per thread: the pool keeps every thread busy, and the order of messages stays simple.
parentPort?.on('message', (message: { id: number; task: DataTask }) => {
  let unreported = 0;
  const onBytes = (n: number) => {
    unreported += n;
    if (unreported >= REPORT_EVERY) {
      parentPort?.postMessage({ id: message.id, bytes: unreported });
      unreported = 0;
    }
  };
  runDataTask(message.task, onBytes).then(
    (result) => parentPort?.postMessage({ id: message.id, bytes: unreported, result }, transferables(result)),
    (err: unknown) => parentPort?.postMessage({ id: message.id, bytes: unreported, error: err instanceof Error ? { message: err.message, code: (err as NodeJS.ErrnoException).code, name: err.name, hint: (err as { hint?: string }).hint } : { message: String(err) } }),
  );
});
