import { parentPort, workerData } from 'node:worker_threads';
import { runAutoml } from '../automl/automl';
import type { AutomlWorkerData, AutomlWorkerMessage } from '../automl/automlWorker';
import { MlopsError } from '../errors';

const { root, request, cancel } = workerData as AutomlWorkerData;
const flag = new Int32Array(cancel);
// The learners poll `aborted` between trees; a real AbortSignal could only be aborted by an event this busy thread never gets to.
const signal = { get aborted() { return Atomics.load(flag, 0) === 1; } } as AbortSignal;
const post = (message: AutomlWorkerMessage) => parentPort?.postMessage(message);

runAutoml(root, request, { signal, onProgress: (progress) => post({ kind: 'progress', progress }) }).then(
  (result) => post({ kind: 'result', result }),
  (err: unknown) => post({
    kind: 'error',
    error: err instanceof MlopsError ? { message: err.message, hint: err.hint, code: err.code, mlops: true } : { message: err instanceof Error ? err.stack ?? err.message : String(err), mlops: false },
  }),
);
