import { parentPort, workerData } from 'node:worker_threads';
import { MlopsError } from '../errors';
import { buildTrainingSet, type FeatureWorkerData, type FeatureWorkerMessage } from '../features';
import { openProject } from '../workspace';

const { root, service, entities, timestamp, output, cancel } = workerData as FeatureWorkerData;
const flag = new Int32Array(cancel);
// The join runs synchronously between reads, deaf to messages: it reads `aborted`, and this signal answers from the
// flag the main thread raises.
const signal = { get aborted() { return Atomics.load(flag, 0) === 1; } } as AbortSignal;
const post = (message: FeatureWorkerMessage) => parentPort?.postMessage(message);

buildTrainingSet(openProject(root), service, entities, { output, timestamp, signal, onProgress: (progress) => post({ kind: 'progress', progress }) })
  .then(
    ({ data: _data, ...result }) => post({ kind: 'result', result }),
    (err: unknown) => post({
      kind: 'error',
      error: err instanceof MlopsError ? { message: err.message, hint: err.hint, code: err.code, mlops: true } : { message: err instanceof Error ? err.stack ?? err.message : String(err), mlops: false },
    }),
  );
