import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { installPaths } from '../../../src/core/install';
import { encodeInput } from '../../../src/core/train/schema';
import { Cell, Dataset, Family, Rng, Task, accuracy, datasetFromCsv, fitModel, foldRows, predict, r2, subsetRows } from '../../../src/core/train';

/** The five scikit-learn datasets, their committed 5-fold assignment and scikit-learn's scores on those folds. */
export const FIXTURE_DIR = path.join(installPaths().root, 'test', 'fixtures', 'datasets');
export const FIXTURES = ['iris', 'wine', 'breast_cancer', 'digits', 'diabetes'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixtureTask(name: FixtureName): Task {
  return { type: name === 'diabetes' ? 'regression' : 'classification', target: 'target' };
}

const loaded = new Map<string, Dataset>();
export function loadFixture(name: FixtureName): Dataset {
  let ds = loaded.get(name);
  if (!ds) {
    ds = datasetFromCsv(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.csv`), 'utf8'), { uncapped: ['target'] });
    loaded.set(name, ds);
  }
  return ds;
}

export function fixtureFolds(name: FixtureName): number[] {
  return (JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'folds.json'), 'utf8')) as Record<string, number[]>)[name];
}

export interface ReferenceScore {
  metric: 'accuracy' | 'r2';
  score: number;
}

export function sklearnReference(): Record<FixtureName, Record<string, ReferenceScore>> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'sklearn_reference.json'), 'utf8')).scores;
}

/** Mean accuracy (classification) or R² (regression) over the committed folds, as scikit-learn computed its reference. */
export function crossValidate(name: FixtureName, family: Family, params: Record<string, unknown> = {}, seed = 0): number {
  const ds = loadFixture(name);
  const task = fixtureTask(name);
  const folds = fixtureFolds(name);
  const target = ds.columns.find((c) => c.name === 'target')!;
  if (target.kind !== 'numeric') throw new Error('fixture targets are numeric');
  let total = 0;
  for (let k = 0; k < 5; k++) {
    const { train, test } = foldRows(folds, k);
    const model = fitModel(family, params, subsetRows(ds, train), task, seed);
    const predictions = predict(model, subsetRows(ds, test));
    const truth = Array.from(test, (i) => target.values[i]);
    if (predictions.kind === 'regression') total += r2(truth, predictions.values);
    else total += accuracy(truth.map((v) => predictions.classes.indexOf(String(v))), predictions.classIndex);
  }
  return total / 5;
}

/** Rows where y depends on a numeric column x, a category c (a, c, e are "yes") and on whether m is missing. */
export function mixedRows(n: number, seed: number, target: 'y' | 'r' = 'y'): Record<string, Cell>[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const x = rng.float() * 10;
    const c = 'abcdef'[rng.int(6)];
    const missing = rng.float() < 0.3;
    const score = (x > 5 ? 1 : 0) + ('ace'.includes(c) ? 1 : 0) + (missing ? 1 : 0);
    const row: Record<string, Cell> = { x: x.toFixed(3), c, m: missing ? '' : String(rng.int(100)) };
    row[target] = target === 'y' ? (score >= 2 ? 'yes' : 'no') : String(score * 10 + x);
    return row;
  });
}

/** The exported graph's input X: the model's features in order, categories as their codes, missing as NaN (docs/training.md). */
export function onnxInput(model: ReturnType<typeof fitModel>, data: Dataset): ort.Tensor {
  const X = encodeInput(model.features, data);
  const width = model.features.length;
  const flat = new Float32Array(X.n * width);
  for (let i = 0; i < X.n; i++) for (let f = 0; f < width; f++) flat[i * width + f] = X.columns[f][i];
  return new ort.Tensor('float32', flat, [X.n, width]);
}
