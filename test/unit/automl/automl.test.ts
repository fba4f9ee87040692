import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readLeaderboard, refitFromConfig, runAutoml } from '../../../src/core/automl';
import { MODEL_ARTIFACT, TRAINING_CONFIG_PARAM, parseTrainingConfig } from '../../../src/core/tracking';
import { modelOfRun } from '../../../src/core/models';
import { snapshotDataset } from '../../../src/core/data';
import { getRun } from '../../../src/core/tracking';
import { loadModel } from '../../../src/core/train';
import { makeProject, write } from '../data/projectFixture';
import { FIXTURE_DIR } from '../train/fixtures';
import { openMetadataStore } from '../../../src/core/metadata';

/** A project with the iris fixture snapshotted as dataset "iris". */
async function irisProject(): Promise<string> {
  const { dir, project } = makeProject();
  write(dir, 'data/iris.csv', fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv')));
  await snapshotDataset(project(), 'data/iris.csv', { name: 'iris', git: 'off' });
  return dir;
}

describe('AutoML', () => {
  it('records a parent run with the model artifact contract and a child run per trial', async () => {
    const dir = await irisProject();
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'iris', target: 'target', maxTrials: 6, seed: 3 });
    assert.equal(result.task, 'classification');
    assert.equal(result.metric, 'accuracy');
    assert.equal(result.trials, 6);
    assert.ok(result.bestScore > 0.85, String(result.bestScore));
    const store = await openMetadataStore(dir);
    const run = getRun(store, result.runId);
    assert.equal(run.status, 'finished');
    assert.deepEqual({ kind: run.tags['mlops.kind'], task: run.tags['mlops.task'], target: run.tags['mlops.target'], metric: run.tags['mlops.metric'], family: run.tags['mlops.family'] },
      { kind: 'automl', task: 'classification', target: 'target', metric: 'accuracy', family: result.bestModel.family });
    assert.equal(Number(run.metrics.cv_accuracy.value), result.bestScore);
    for (const [k, v] of Object.entries(result.bestModel.params)) assert.equal(run.params[`model.${k}`], typeof v === 'string' ? v : JSON.stringify(v));
    assert.deepEqual(run.inputs.map((i) => [i.kind, i.name, i.version]), [['dataset', 'iris', '1']]);
    assert.equal(run.seeds.seed, '3');
    const artifact = run.artifacts.find((a) => a.path === MODEL_ARTIFACT)!;
    assert.equal(artifact.sha256, result.model.sha256);
    const model = modelOfRun(store, result.runId);
    assert.equal(loadModel(Buffer.from(model.bytes).toString('utf8')).family, result.bestModel.family);

    const config = parseTrainingConfig(run.params[TRAINING_CONFIG_PARAM]);
    assert.deepEqual(
      { dataset: config.dataset, version: config.version, target: config.target, task: config.task, metric: config.metric, family: config.family, seed: config.seed, folds: config.folds },
      { dataset: 'iris', version: 1, target: 'target', task: 'classification', metric: 'accuracy', family: result.bestModel.family, seed: 3, folds: 5 },
    );
    const refit = await refitFromConfig(dir, config);
    assert.equal(refit.sha256, result.model.sha256);

    assert.equal(run.children.length, 6);
    const child = getRun(store, run.children[0]);
    assert.equal(child.tags['mlops.kind'], 'trial');
    assert.ok(child.tags['mlops.family']);
    assert.ok(child.metrics.cv_accuracy);
    assert.ok(child.metrics.fit_seconds);
    const board = readLeaderboard(store, result.runId);
    assert.equal(board.trials.length, 6);
    assert.deepEqual(new Set(board.trials.map((t) => t.runId)), new Set(run.children));
    store.close();
  });

  it('gives the same model bytes for the same data, seed and max-trials', async () => {
    const dir = await irisProject();
    const a = await runAutoml(await openMetadataStore(dir), { dataset: 'iris', target: 'target', maxTrials: 8, seed: 11 });
    const b = await runAutoml(await openMetadataStore(dir), { dataset: 'iris', target: 'target', maxTrials: 8, seed: 11 });
    assert.equal(a.model.sha256, b.model.sha256);
    assert.deepEqual(a.bestModel, b.bestModel);
  });
});
