import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAutoml } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { MlopsError } from '../../../src/core/errors';
import { openMetadataStore } from '../../../src/core/metadata';
import { sampleProject } from './sampleProject';
import { makeProject, write } from '../data/projectFixture';


async function projectWith(csv: string): Promise<string> {
  const { dir, project } = makeProject();
  write(dir, 'data/d.csv', csv);
  await snapshotDataset(project(), 'data/d.csv', { name: 'd', git: 'off' });
  return dir;
}

async function refused(promise: Promise<unknown>, message: RegExp, hint: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MlopsError, `not an MlopsError: ${String(err)}`);
    assert.equal(err.code, 'BAD_TASK');
    assert.match(err.message, message);
    assert.match(err.hint ?? '', hint);
    return true;
  });
}

describe('AutoML task and metric', () => {
  it('trains a continuous target given explicitly as a regression, though mlops.yaml says classification for its own target', async () => {
    const dir = await sampleProject();
    assert.match(fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8'), /task: classification/);
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'weather', target: 'temp_max', maxTrials: 3 });
    assert.equal(result.task, 'regression');
    assert.equal(result.metric, 'r2');
    assert.equal(result.trainingConfig.task, 'regression');
    assert.ok(result.bestScore > 0.5, String(result.bestScore));
  });

  it('keeps mlops.yaml\'s task and metric for mlops.yaml\'s target', async () => {
    const dir = await sampleProject();
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'weather', maxTrials: 2 });
    assert.deepEqual([result.target, result.task, result.metric], ['weather', 'classification', 'accuracy']);
  });

  it('lets --task override mlops.yaml\'s task, with the metric of the task trained', async () => {
    const dir = await sampleProject();
    await assert.rejects(runAutoml(await openMetadataStore(dir), { dataset: 'weather', task: 'regression', maxTrials: 2 }), /holds text/);
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'weather', target: 'wind', task: 'regression', maxTrials: 2 });
    assert.deepEqual([result.task, result.metric], ['regression', 'r2']);
  });

  it('refuses a classification with more classes than a tenth of its rows, and says what to train instead', async () => {
    const numeric = await projectWith(['x,y', ...Array.from({ length: 200 }, (_, i) => `${i},${(i % 40) / 4}`)].join('\n') + '\n');
    await refused(runAutoml(await openMetadataStore(numeric), { dataset: 'd', target: 'y', task: 'classification', maxTrials: 2 }), /40 distinct values in 200 rows/, /--task regression/);
    const text = await projectWith(['x,y', ...Array.from({ length: 200 }, (_, i) => `${i},c${i % 25}`)].join('\n') + '\n');
    await refused(runAutoml(await openMetadataStore(text), { dataset: 'd', target: 'y', maxTrials: 2 }), /25 distinct values in 200 rows/, /fewer classes/);
  });

  it('refuses a regression on a text column', async () => {
    const dir = await projectWith(['x,y', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 3 ? 'a' : 'b'}`)].join('\n') + '\n');
    await refused(runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', task: 'regression', maxTrials: 2 }), /holds text/, /classification/);
  });

  it('reads few integer levels as classes', async () => {
    const dir = await projectWith(['x,y', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 4 < 2 ? 1 : 2}`)].join('\n') + '\n');
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 2 });
    assert.deepEqual([result.task, result.metric], ['classification', 'accuracy']);
  });
});
