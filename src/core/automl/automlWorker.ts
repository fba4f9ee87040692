import { MlopsError, type ErrorCode } from '../errors';
import { startWorker } from '../workerThreads';
import { RunLogger, runFiles } from '../tracking';
import { trainingCancelled } from '../train';
import { projectPaths } from '../workspace';
import type { AutomlHooks, AutomlProgress, AutomlRequest, AutomlResult } from './automl';
import type { FeatureTrainingSource } from './featureTraining';

/** Messages from automl.worker.ts. */
export type AutomlWorkerMessage =
  | { kind: 'progress'; progress: AutomlProgress }
  | { kind: 'result'; result: AutomlResult }
  | { kind: 'error'; error: { message: string; hint?: string; code?: ErrorCode; mlops: boolean } };

/**
 * What the worker receives: the work, and shared flags it polls between trees, since its thread never idles to hear
 * messages: word 0 cancels, word 1 stops the search and keeps its best.
 */
export interface AutomlWorkerData {
  root: string;
  request: AutomlRequest;
  /** Given: the rows are a training set built from a feature service (trainOnFeatures). */
  features?: FeatureTrainingSource;
  cancel: SharedArrayBuffer;
}

/** After a cancellation, how long the worker gets to stop between two trees and close its runs before it is terminated. */
const GRACE_MS = 10_000;

/**
 * runAutoml() (or trainOnFeatures() when `features` is given) on a worker thread, so the editor never freezes. Aborting `signal` asks the worker to stop (it
 * marks its runs killed); one that does not stop within the grace period is terminated and its run marked here.
 */
export function trainInWorker(root: string, request: AutomlRequest, hooks: AutomlHooks = {}, features?: FeatureTrainingSource): Promise<AutomlResult> {
  const cancel = new SharedArrayBuffer(8);
  const flag = new Int32Array(cancel);
  const worker = startWorker('automl', { workerData: { root, request, cancel, ...(features ? { features } : {}) } satisfies AutomlWorkerData });
  let runId: string | undefined;
  return new Promise<AutomlResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      timer = setTimeout(() => {
        void worker.terminate();
        if (runId) new RunLogger(runId, runFiles(projectPaths(root).state, runId).log).end('killed');
        reject(trainingCancelled());
      }, GRACE_MS);
    };
    const onStop = () => Atomics.store(flag, 1, 1);
    if (hooks.signal?.aborted) onAbort();
    if (hooks.stopSignal?.aborted) onStop();
    hooks.signal?.addEventListener('abort', onAbort);
    hooks.stopSignal?.addEventListener('abort', onStop);
    const settle = () => {
      hooks.signal?.removeEventListener('abort', onAbort);
      hooks.stopSignal?.removeEventListener('abort', onStop);
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.on('message', (m: AutomlWorkerMessage) => {
      if (m.kind === 'progress') {
        runId = m.progress.runId ?? runId;
        hooks.onProgress?.(m.progress);
      } else if (m.kind === 'result') {
        settle();
        resolve(m.result);
      } else {
        settle();
        reject(m.error.mlops ? new MlopsError(m.error.message, m.error.hint, m.error.code) : new Error(m.error.message));
      }
    });
    worker.on('error', (err) => {
      settle();
      reject(err);
    });
  });
}
