import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAutoml } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { MlopsError } from '../../../src/core/errors';
import { listRuns } from '../../../src/core/tracking';
import { makeProject, write } from '../data/projectFixture';
import { openMetadataStore } from '../../../src/core/metadata';

/** A project whose dataset "d" is the given CSV text. */
async function projectWith(csv: string): Promise<string> {
  const { dir, project } = makeProject();
  write(dir, 'data/d.csv', csv);
  await snapshotDataset(project(), 'data/d.csv', { name: 'd', git: 'off' });
  return dir;
}

function rows(n: number, row: (i: number) => string, header: string): string {
  return [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n') + '\n';
}

async function fails(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MlopsError, `not an MlopsError: ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('AutoML on bad input', () => {
  it('names the columns when the target is missing', async () => {
    const dir = await projectWith(rows(30, (i) => `${i},${i % 2}`, 'x,y'));
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'label', maxTrials: 2 }), /target column "label" is not in the dataset/);
  });

  it('refuses a constant target, and marks the run failed', async () => {
    const dir = await projectWith(rows(30, (i) => `${i},same`, 'x,y'));
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 2 }), /single value/);
    const store = await openMetadataStore(dir);
    assert.deepEqual(listRuns(store).filter((r) => r.parentId === null).map((r) => r.status), ['failed']);
    store.close();
  });

  it('leaves out a text column with thousands of distinct values, and says so', async () => {
    const dir = await projectWith(rows(3000, (i) => `id-${i},${i % 7},${(i % 7) > 3 ? 'a' : 'b'}`, 'id,x,y'));
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 2 });
    assert.deepEqual(result.excluded, ['id']);
    assert.deepEqual(result.trainingConfig.excluded, ['id']);
    assert.ok(result.bestScore > 0.99);
  });

  it('trains with empty and NaN feature cells, and refuses empty targets', async () => {
    const csv = rows(60, (i) => `${i % 5 === 0 ? '' : i % 7 === 0 ? 'NaN' : i},${i < 30 ? 'lo' : 'hi'}`, 'x,y');
    const ok = await runAutoml(await openMetadataStore(await projectWith(csv)), { dataset: 'd', target: 'y', maxTrials: 3 });
    assert.ok(ok.bestScore > 0.8);
    const missingTarget = rows(60, (i) => `${i},${i === 4 ? '' : i < 30 ? 'lo' : 'hi'}`, 'x,y');
    await fails(runAutoml(await openMetadataStore(await projectWith(missingTarget)), { dataset: 'd', target: 'y', maxTrials: 2 }), /no value in the target column/);
  });

  it('refuses a one-row dataset', async () => {
    const dir = await projectWith('x,y\n1,2\n');
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 2 }), /at least 10 rows/);
  });

  it('refuses a budget of 0 and a metric that does not fit the task', async () => {
    const dir = await projectWith(rows(30, (i) => `${i},${i % 2}`, 'x,y'));
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', timeBudget: 0 }), /time budget must be a positive number/);
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 0 }), /at least 1/);
    await fails(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 2, metric: 'rmse' }), /does not apply to a classification/);
  });

  it('decides regression for a numeric target with many values', async () => {
    const dir = await projectWith(rows(80, (i) => `${i},${(i * 1.5).toFixed(1)}`, 'x,y'));
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 3 });
    assert.equal(result.task, 'regression');
    assert.equal(result.metric, 'r2');
    assert.ok(result.bestScore > 0.9);
  });
});
