// A writer process for the store's multi-process tests: starts a run, logs `points` metric points one call at a
// time, folds every `foldEvery` points, and prints "ack <step>" only after each call returned.
import { startRun } from '../../../src/core/tracking';
import { openMetadataStore } from '../../../src/core/metadata';

async function main(): Promise<void> {
  const [root, points, foldEvery] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const store = await openMetadataStore(root);
  const run = await startRun(store, { experiment: 'writers', name: `pid ${process.pid}` });
  process.stdout.write(`run ${run.id}\n`);
  for (let step = 0; step < points; step++) {
    run.logMetric('loss', step / 7, step);
    process.stdout.write(`ack ${step}\n`);
    if ((step + 1) % foldEvery === 0) await store.fold();
  }
  run.end();
  await store.fold();
  process.stdout.write('done\n');
}

void main();
