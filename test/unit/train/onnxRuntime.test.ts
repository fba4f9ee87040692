import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import { installPaths } from '../../../src/core/install';
import { Dataset, Family, Task, datasetFromCsv, datasetFromRows, exportOnnx, fitModel, predict } from '../../../src/core/train';
import { loadFixture, mixedRows, onnxInput } from './fixtures';

// The exported graphs run in ONNX Runtime (its WebAssembly build, so no native binary is needed) and must answer
// what the engine answers: the same labels, and scores equal to float32 precision.
ort.env.wasm.numThreads = 1;

const EXPORTABLE: Family[] = ['gbdt', 'random_forest', 'extra_trees', 'linear'];
const small: Partial<Record<Family, Record<string, unknown>>> = { gbdt: { maxIter: 30 }, random_forest: { nEstimators: 25 }, extra_trees: { nEstimators: 25 } };

const cases: { name: string; data: () => Dataset; task: Task }[] = [
  { name: 'three classes (iris)', data: () => loadFixture('iris'), task: { type: 'classification', target: 'target' } },
  { name: 'two classes (breast cancer)', data: () => loadFixture('breast_cancer'), task: { type: 'classification', target: 'target' } },
  { name: 'two classes from a category and missing values', data: () => datasetFromRows(mixedRows(400, 3)), task: { type: 'classification', target: 'y' } },
  // The sample's weather data: its date column is a category of 1,461 values, split on again and again.
  { name: 'a category of 1,461 values (weather)', data: () => datasetFromCsv(fs.readFileSync(path.join(installPaths().sample, 'weather.csv'), 'utf8')), task: { type: 'classification', target: 'weather' } },
  { name: 'regression (diabetes)', data: () => loadFixture('diabetes'), task: { type: 'regression', target: 'target' } },
  { name: 'regression from a category and missing values', data: () => datasetFromRows(mixedRows(400, 4, 'r')), task: { type: 'regression', target: 'r' } },
];

describe('ONNX export, run in ONNX Runtime', () => {
  for (const family of EXPORTABLE) {
    for (const c of cases) {
      it(`${family}, ${c.name}: the runtime predicts what the engine predicts`, async () => {
        const data = c.data();
        const model = fitModel(family, small[family] ?? {}, data, c.task, 0);
        const session = await ort.InferenceSession.create(exportOnnx(model));
        const out = await session.run({ X: onnxInput(model, data) });
        const ours = predict(model, data);
        if (ours.kind === 'classification') {
          assert.deepEqual(Array.from(out.label.data as string[]), ours.labels);
          const probabilities = out.probabilities.data as Float32Array;
          assert.equal(probabilities.length, ours.probabilities.length);
          const worst = Math.max(...probabilities.map((p, i) => Math.abs(p - ours.probabilities[i])));
          assert.ok(worst < 1e-5, `probabilities differ by up to ${worst}`);
        } else {
          const values = out.variable.data as Float32Array;
          assert.equal(values.length, ours.values.length);
          const worst = Math.max(...values.map((v, i) => Math.abs(v - ours.values[i]) / Math.max(1, Math.abs(ours.values[i]))));
          assert.ok(worst < 1e-5, `values differ by up to ${worst} (relative)`);
        }
      });
    }
  }
});
