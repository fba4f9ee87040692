import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import {
  accuracy, f1Macro, fitModel, foldRows, kFoldAssignment, logLoss, mae, predict, r2, rmse, rocAuc, subsetRows,
  type Column, type Dataset, type MetricName, type ModelFamily, type Predictions, type Task,
} from '../train';

export const CLASSIFICATION_METRICS: readonly MetricName[] = ['accuracy', 'f1', 'roc_auc', 'log_loss'];
export const REGRESSION_METRICS: readonly MetricName[] = ['r2', 'rmse', 'mae'];

/** The rows, folds and truth a search scores every configuration on: built once, shared by all trials. */
export interface CvSetup {
  readonly dataset: Dataset;
  readonly task: Task;
  readonly metric: MetricName;
  readonly seed: number;
  readonly k: number;
  readonly folds: Int32Array;
  /** Class index (into `labels`) or value, per row. */
  readonly truth: Float64Array;
  readonly labels?: readonly string[];
}

export function targetColumn(dataset: Dataset, target: string): Column {
  const column = dataset.columns.find((c) => c.name === target);
  if (!column) throw targetNotFound(target, dataset.columns.map((c) => c.name));
  return column;
}

/** `columns`: the file's header, so that a column left out of the features is still listed. */
export function targetNotFound(target: string, columns: readonly string[]): MlopsError {
  return new MlopsError(l10n.t('The target column "{0}" is not in the dataset.', target), l10n.t('Columns found: {0}.', columns.join(', ')), 'NO_TARGET');
}

/** The label text of each row (undefined when missing), as the learners name classes. */
function labelTexts(column: Column): (string | undefined)[] {
  if (column.kind === 'numeric') return Array.from(column.values, (v) => (Number.isNaN(v) ? undefined : String(v)));
  return Array.from(column.codes, (c) => (c < 0 ? undefined : column.vocabulary[c]));
}

export function cvSetup(dataset: Dataset, task: Task, metric: MetricName, k: number, seed: number, assignment?: Int32Array): CvSetup {
  const column = targetColumn(dataset, task.target);
  if (task.type === 'regression') {
    if (column.kind !== 'numeric') {
      throw new MlopsError(l10n.t('The target column "{0}" is not numeric, so it cannot be a regression target.', column.name), l10n.t('Train a classification instead, or fix the non-numeric values.'));
    }
    return { dataset, task, metric, seed, k, folds: assignment ?? kFoldAssignment(dataset.nRows, k, seed), truth: column.values };
  }
  const texts = labelTexts(column);
  const labels = [...new Set(texts.filter((t): t is string => t !== undefined))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const truth = Float64Array.from(texts, (t) => (t === undefined ? NaN : index.get(t)!));
  return { dataset, task, metric, seed, k, folds: assignment ?? kFoldAssignment(dataset.nRows, k, seed, truth), truth, labels };
}

export interface CvResult {
  score: number;
  foldScores: number[];
  fitSeconds: number;
  /** Per row of the setup, from the model that did not see it: the class index (into `labels`) or the value. */
  outOfFold: Float64Array;
  /** The same rows' probabilities (n x K, classes in `labels` order) or values: what an ensemble averages. */
  outOfFoldOutput: Float64Array;
}

/** Mean of the folds' scores (what scikit-learn's cross_val_score averages), each model fitted on the other folds. */
export function crossValidate(setup: CvSetup, family: ModelFamily, params: Readonly<Record<string, unknown>>, signal?: AbortSignal): CvResult {
  const foldScores: number[] = [];
  let fitSeconds = 0;
  const outOfFold = new Float64Array(setup.dataset.nRows).fill(NaN);
  const K = setup.labels?.length ?? 0;
  const outOfFoldOutput = K ? new Float64Array(setup.dataset.nRows * K) : outOfFold;
  for (let f = 0; f < setup.k; f++) {
    const { train, test } = foldRows(setup.folds, f);
    const started = performance.now();
    const model = fitModel(family, params, subsetRows(setup.dataset, train), setup.task, setup.seed, signal);
    fitSeconds += (performance.now() - started) / 1000;
    const p = predict(model, subsetRows(setup.dataset, test), signal);
    foldScores.push(scoreFold(setup, test, p));
    const globalOf = p.kind === 'classification' ? p.classes.map((c) => setup.labels!.indexOf(c)) : [];
    for (const [i, row] of test.entries()) outOfFold[row] = p.kind === 'regression' ? p.values[i] : globalOf[p.classIndex[i]];
    if (p.kind === 'classification') {
      const local = p.classes.length;
      for (const [i, row] of test.entries()) for (let c = 0; c < local; c++) outOfFoldOutput[row * K + globalOf[c]] = p.probabilities[i * local + c];
    }
  }
  return { score: mean(foldScores), foldScores, fitSeconds, outOfFold, outOfFoldOutput };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * What a model that ignores every feature scores on the same folds: the training folds' most frequent class (with
 * their class shares as probabilities) or their mean. A model that does not beat it has learned nothing usable.
 */
export function baselineScore(setup: CvSetup): number {
  const foldScores: number[] = [];
  for (let f = 0; f < setup.k; f++) {
    const { train, test } = foldRows(setup.folds, f);
    foldScores.push(scoreFold(setup, test, baselinePredictions(setup, train, test.length)));
  }
  return mean(foldScores);
}

/** The baseline fitted on `train` (rows of the setup), predicting `n` rows. */
export function baselinePredictions(setup: Pick<CvSetup, 'truth' | 'labels'>, train: ArrayLike<number>, n: number): Predictions {
  if (!setup.labels) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < train.length; i++) {
      const v = setup.truth[train[i]];
      if (Number.isNaN(v)) continue;
      sum += v;
      count++;
    }
    return { kind: 'regression', values: new Float64Array(n).fill(count ? sum / count : 0) };
  }
  const K = setup.labels.length;
  const counts = new Float64Array(K);
  for (let i = 0; i < train.length; i++) {
    const c = setup.truth[train[i]];
    if (!Number.isNaN(c)) counts[c]++;
  }
  let majority = 0;
  for (let k = 1; k < K; k++) if (counts[k] > counts[majority]) majority = k;
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const probabilities = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) probabilities[i * K + k] = counts[k] / total;
  return { kind: 'classification', classes: setup.labels, labels: new Array<string>(n).fill(setup.labels[majority]), classIndex: new Int32Array(n).fill(majority), probabilities };
}

export function scoreFold(setup: Pick<CvSetup, 'truth' | 'labels' | 'metric'>, test: ArrayLike<number>, p: Predictions): number {
  const truth = Float64Array.from(test as ArrayLike<number>, (i) => setup.truth[i]);
  if (p.kind === 'regression') {
    const score = setup.metric === 'rmse' ? rmse : setup.metric === 'mae' ? mae : r2;
    return score(truth, p.values);
  }
  // A fold's model may have seen fewer classes than the whole data: its columns are put back in the global order.
  const labels = setup.labels!;
  const K = labels.length;
  const globalOf = p.classes.map((c) => labels.indexOf(c));
  if (setup.metric === 'accuracy' || setup.metric === 'f1') {
    const predicted = Int32Array.from(p.classIndex, (c) => globalOf[c]);
    return setup.metric === 'accuracy' ? accuracy(truth, predicted) : f1Macro(truth, predicted);
  }
  const probabilities = new Float64Array(test.length * K);
  const local = p.classes.length;
  for (let i = 0; i < test.length; i++) for (let c = 0; c < local; c++) probabilities[i * K + globalOf[c]] = p.probabilities[i * local + c];
  return setup.metric === 'roc_auc' ? rocAuc(truth, probabilities, K) : logLoss(truth, probabilities, K);
}
