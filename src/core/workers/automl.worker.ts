import { parentPort, workerData } from 'node:worker_threads';
import { runAutoml, trainOnFeatures } from '../automl';
import type { AutomlProgress, AutomlWorkerData, AutomlWorkerMessage } from '../automl';
import { MlopsError } from '../errors';
import { openMetadataStore } from '../metadata';

const { root, request, features, cancel } = workerData as AutomlWorkerData;
const flag = new Int32Array(cancel);
const controller = new AbortController();
const cancelRequested = () => {
  if (Atomics.load(flag, 0) === 1 && !controller.signal.aborted) controller.abort();
  return controller.signal.aborted;
};
// Two ways a cancellation arrives: while the thread waits (a snapshot's hashing), this timer turns the shared flag into
// an abort event; while it trains (synchronous, deaf to timers), the learners read `aborted` between trees, and that
// read consults the flag itself.
const poll = setInterval(cancelRequested, 100);
const signal = new Proxy(controller.signal, {
  get(target, property) {
    if (property === 'aborted') return cancelRequested();
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
});
// The search reads `aborted` between trials and trees: a plain getter over the flag is enough.
const stopSignal = { get aborted() { return Atomics.load(flag, 1) === 1; } } as AbortSignal;
const post = (message: AutomlWorkerMessage) => parentPort?.postMessage(message);

// The worker owns its store: opened here, closed when the search ends either way.
openMetadataStore(root)
  .then((store) => {
    const hooks = { signal, stopSignal, onProgress: (progress: AutomlProgress) => post({ kind: 'progress', progress }) };
    return (features ? trainOnFeatures(store, request, features, hooks) : runAutoml(store, request, hooks)).finally(() => store.close());
  })
  .then(
    (result) => post({ kind: 'result', result }),
    (err: unknown) => post({
      kind: 'error',
      error: err instanceof MlopsError ? { message: err.message, hint: err.hint, code: err.code, mlops: true } : { message: err instanceof Error ? err.stack ?? err.message : String(err), mlops: false },
    }),
  )
  .finally(() => clearInterval(poll));
