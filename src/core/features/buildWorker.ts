import { cancelled, MlopsError, type ErrorCode } from '../errors';
import { startWorker } from '../workerThreads';
import type { BuildProgress, TrainingSet } from './offline';

/** A training set built on a worker thread: written to its output file; the columns stay on that thread. */
export type WorkerBuildResult = Omit<TrainingSet, 'data'>;

export interface FeatureWorkerData {
  root: string;
  service: string;
  entities: string;
  timestamp?: string;
  output: string;
  cancel: SharedArrayBuffer;
}

export type FeatureWorkerMessage =
  | { kind: 'progress'; progress: BuildProgress }
  | { kind: 'result'; result: WorkerBuildResult }
  | { kind: 'error'; error: { message: string; hint?: string; code?: ErrorCode; mlops: boolean } };

/** After a cancellation, how long the worker gets to stop at its next check (and remove its temporary) before it is terminated. */
const GRACE_MS = 5_000;

/**
 * buildTrainingSet() on a worker thread, so the editor stays responsive. Aborting `signal` raises a shared flag the
 * worker reads between blocks of rows; it stops, removes its temporary file, and the promise rejects as cancelled.
 */
export function buildTrainingSetInWorker(
  root: string, service: string, entities: string,
  options: { output: string; timestamp?: string; signal?: AbortSignal; onProgress?: (p: BuildProgress) => void },
): Promise<WorkerBuildResult> {
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const data: FeatureWorkerData = { root, service, entities, output: options.output, cancel, ...(options.timestamp ? { timestamp: options.timestamp } : {}) };
  const worker = startWorker('features', { workerData: data });
  return new Promise<WorkerBuildResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(cancelled());
      }, GRACE_MS);
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    const settle = () => {
      options.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.on('message', (m: FeatureWorkerMessage) => {
      if (m.kind === 'progress') return options.onProgress?.(m.progress);
      settle();
      if (m.kind === 'result') resolve(m.result);
      else reject(m.error.mlops ? new MlopsError(m.error.message, m.error.hint, m.error.code) : new Error(m.error.message));
    });
    worker.on('error', (err) => {
      settle();
      reject(err);
    });
  });
}
