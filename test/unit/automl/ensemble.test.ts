import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import { refitFromConfig, runAutoml } from '../../../src/core/automl';
import { cvSetup, scoreFold } from '../../../src/core/automl/crossValidation';
import { selectEnsemble } from '../../../src/core/automl/ensembleSelection';
import type { LibraryEntry } from '../../../src/core/automl/search';
import { MlopsError } from '../../../src/core/errors';
import { openMetadataStore } from '../../../src/core/metadata';
import { Rng, datasetFromRows, exportOnnx, fitModel, foldRows, loadModel, predict, serializeModel, type Dataset, type Family, type Task } from '../../../src/core/train';
import { encodeInput } from '../../../src/core/train/schema';
import { loadFixture } from '../train/fixtures';
import { sampleProject } from './sampleProject';

ort.env.wasm.numThreads = 1;

const MEMBERS: { family: Family; params: Record<string, unknown> }[] = [
  { family: 'gbdt', params: { maxIter: 30 } },
  { family: 'random_forest', params: { nEstimators: 25 } },
  { family: 'linear', params: {} },
];
const WEIGHTS = [3, 1, 2];
const cases: { name: string; data: () => Dataset; task: Task }[] = [
  { name: 'three classes (iris)', data: () => loadFixture('iris'), task: { type: 'classification', target: 'target' } },
  { name: 'two classes (breast cancer)', data: () => loadFixture('breast_cancer'), task: { type: 'classification', target: 'target' } },
  { name: 'regression (diabetes)', data: () => loadFixture('diabetes'), task: { type: 'regression', target: 'target' } },
];

function output(p: ReturnType<typeof predict>): Float64Array {
  return p.kind === 'classification' ? p.probabilities : p.values;
}

describe('ensemble models', () => {
  for (const c of cases) {
    it(`${c.name}: predicts the weighted mean of its members, survives its artifact, and refits to the same bytes`, () => {
      const data = c.data();
      const ensemble = fitModel('ensemble', { members: MEMBERS, weights: WEIGHTS }, data, c.task, 7);
      const members = MEMBERS.map((m) => output(predict(fitModel(m.family, m.params, data, c.task, 7), data)));
      const ours = predict(ensemble, data);
      const mine = output(ours);
      for (let j = 0; j < mine.length; j++) {
        const expected = (3 * members[0][j] + members[1][j] + 2 * members[2][j]) / 6;
        assert.ok(Math.abs(mine[j] - expected) < 1e-12, `output ${j}: ${mine[j]} vs ${expected}`);
      }
      if (ours.kind === 'classification') {
        for (let i = 0; i < ours.classIndex.length; i++) {
          const K: number = ours.classes.length;
          const row: number[] = Array.from(mine.subarray(i * K, (i + 1) * K));
          assert.equal(ours.classIndex[i], row.indexOf(Math.max(...row)));
        }
      }
      const bytes = serializeModel(ensemble);
      assert.equal(serializeModel(fitModel('ensemble', { members: MEMBERS, weights: WEIGHTS }, data, c.task, 7)), bytes);
      assert.deepEqual(output(predict(loadModel(bytes), data)), mine);
      assert.equal(serializeModel(loadModel(bytes)), bytes);
    });

    it(`${c.name}: the ONNX export of a gbdt + random_forest + linear ensemble predicts what the engine predicts`, async () => {
      const data = c.data();
      const model = fitModel('ensemble', { members: MEMBERS, weights: WEIGHTS }, data, c.task, 0);
      const X = encodeInput(model.features, data);
      const width = model.features.length;
      const flat = new Float32Array(X.n * width);
      for (let i = 0; i < X.n; i++) for (let f = 0; f < width; f++) flat[i * width + f] = X.columns[f][i];
      const session = await ort.InferenceSession.create(exportOnnx(model));
      const out = await session.run({ X: new ort.Tensor('float32', flat, [X.n, width]) });
      const ours = predict(model, data);
      if (ours.kind === 'classification') {
        const probabilities = out.probabilities.data as Float32Array;
        assert.equal(probabilities.length, ours.probabilities.length);
        const worst = Math.max(...probabilities.map((p, i) => Math.abs(p - ours.probabilities[i])));
        assert.ok(worst < 1e-5, `probabilities differ by up to ${worst}`);
        assert.deepEqual(Array.from(out.label.data as string[]), ours.labels);
      } else {
        const values = out.variable.data as Float32Array;
        assert.equal(values.length, ours.values.length);
        const worst = Math.max(...values.map((v, i) => Math.abs(v - ours.values[i]) / Math.max(1, Math.abs(ours.values[i]))));
        assert.ok(worst < 1e-5, `values differ by up to ${worst} (relative)`);
      }
    });
  }

  it('refuses to export an ensemble with a member ONNX cannot express, naming it', () => {
    const model = fitModel('ensemble', { members: [MEMBERS[0], { family: 'knn', params: {} }], weights: [1, 1] }, loadFixture('iris'), { type: 'classification', target: 'target' }, 0);
    assert.throws(() => exportOnnx(model), (e: unknown) => e instanceof MlopsError && e.code === 'NOT_EXPORTABLE' && /knn member/.test(e.message));
  });

  it('refuses ensemble parameters without members or whole weights', () => {
    for (const params of [{ members: [], weights: [] }, { members: MEMBERS, weights: [1, 2] }, { members: MEMBERS, weights: [1, 0.5, 2] }]) {
      assert.throws(() => fitModel('ensemble', params, loadFixture('iris'), { type: 'classification', target: 'target' }, 0), (e: unknown) => e instanceof MlopsError && e.code === 'BAD_TRAINING_CONFIG');
    }
  });
});

/** A regression target and candidates that are the truth plus noise: independent noises average out, copies do not. */
function library(noises: number[][]): { setup: ReturnType<typeof cvSetup>; entries: LibraryEntry[] } {
  const n = noises[0].length;
  const rng = new Rng(1);
  const y = Array.from({ length: n }, () => rng.float() * 10);
  const setup = cvSetup(datasetFromRows(y.map((v, i) => ({ x: i, y: v }))), { type: 'regression', target: 'y' }, 'r2', 5, 0);
  const entries = noises.map((noise, t): LibraryEntry => {
    const outputValues = Float64Array.from(y, (v, i) => v + noise[i]);
    const foldScores = Array.from({ length: 5 }, (_, f) => {
      const { test } = foldRows(setup.folds, f);
      return scoreFold(setup, test, { kind: 'regression', values: Float64Array.from(test, (r) => outputValues[r]) });
    });
    const score = foldScores.reduce((a, b) => a + b, 0) / 5;
    return { trial: { trial: t + 1, family: 'linear', params: { alpha: t }, rows: n, status: 'ok', score, foldScores, fitSeconds: 0, elapsedSeconds: 0 }, output: outputValues };
  });
  entries.sort((a, b) => b.trial.score! - a.trial.score!);
  return { setup, entries };
}

describe('ensemble selection', () => {
  const gauss = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const noise = (seed: number, n: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => gauss(rng) * 2);
  };

  it('keeps an ensemble of models whose errors are independent, scored higher than the best single in nested CV', () => {
    const { setup, entries } = library([noise(2, 400), noise(3, 400), noise(4, 400)]);
    const selection = selectEnsemble(setup, entries)!;
    assert.equal(selection.entry.kept, true, selection.entry.reason);
    assert.equal(selection.entry.members.length, 3);
    assert.ok(selection.entry.score > entries[0].trial.score! + 0.05, `${selection.entry.score} vs ${entries[0].trial.score}`);
    assert.deepEqual(selection.params.weights, selection.entry.members.map((m) => m.weight));
  });

  it('does not keep an ensemble that does not beat the best single model', () => {
    const same = noise(5, 400);
    const { setup, entries } = library([same, same.map((v) => v * 1.5), same.map((v) => v * 2)]);
    const selection = selectEnsemble(setup, entries)!;
    assert.equal(selection.entry.kept, false);
    assert.ok(selection.entry.reason);
    assert.equal(selection.entry.bestSingle, entries[0].trial.score);
  });
});

describe('an ensemble recorded as a training configuration', () => {
  it('refits from the recorded data version to the same bytes, as mlops reproduce checks', async () => {
    const dir = await sampleProject();
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { maxTrials: 2, families: ['gbdt', 'linear'] });
    store.close();
    const config = { ...result.trainingConfig, family: 'ensemble' as const, params: { members: [{ family: 'gbdt', params: { maxIter: 20 } }, { family: 'linear', params: {} }], weights: [2, 1] } };
    const a = await refitFromConfig(dir, config);
    const b = await refitFromConfig(dir, config);
    assert.equal(a.sha256, b.sha256);
    const model = loadModel(Buffer.from(a.bytes).toString('utf8'));
    assert.equal(model.family, 'ensemble');
    assert.deepEqual((model.body as { members: { family: string }[] }).members.map((m) => m.family), ['gbdt', 'linear']);
  });
});
