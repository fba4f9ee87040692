import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { DatedColumn } from '../tracking';
import { METRIC_DIRECTION, fitModel, predict, subsetRows, type Dataset, type MetricName, type ModelFamily } from '../train';
import { baselinePredictions, baselineScore, scoreFold, type CvSetup } from './crossValidation';

/**
 * How far to believe the best trial: its score next to a baseline that ignores the features, where it errs (per
 * class, or its residuals), and, when the rows have a time, how it does on the latest rows having seen only the
 * earlier ones (cross-validation shuffles the future into the training folds).
 */
export interface Evaluation {
  metric: MetricName;
  /** The best trial's mean CV score. */
  score: number;
  /** Most frequent class (classification) or mean (regression) of the training folds, scored on the same folds. */
  baseline: number;
  baselineKind: 'majority class' | 'mean';
  beatsBaseline: boolean;
  /** Rows the out-of-fold figures below come from (a sample on large data). */
  rows: number;
  classes?: ClassFigures[];
  /** counts[truth][predicted], classes in `classes` order. */
  confusion?: number[][];
  residuals?: ResidualFigures;
  holdout?: TimeHoldout;
}

export interface ClassFigures {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows of this class. */
  support: number;
}

/** Of truth minus prediction, out of fold. */
export interface ResidualFigures {
  mean: number;
  std: number;
  medianAbsolute: number;
  p90Absolute: number;
  maxAbsolute: number;
}

export interface TimeHoldout {
  column: string;
  trainRows: number;
  testRows: number;
  score: number;
  baseline: number;
  beatsBaseline: boolean;
}

/** The latest rows held out when the data has a time: the share of them. */
export const HOLDOUT_SHARE = 0.2;

export interface EvaluationInput {
  evidence: { setup: CvSetup; outOfFold: Float64Array };
  score: number;
  family: ModelFamily;
  params: Readonly<Record<string, unknown>>;
  /** The column that orders the rows in time, when there is one. */
  time?: TimeColumn;
  signal?: AbortSignal;
}

/**
 * A numeric column of times, a date column trained on as its parts, or the times of a column the model does not read
 * (the entity rows' time of a training set built from a feature service), one per row.
 */
export type TimeColumn = { column: string; kind: 'numeric' } | { column: string; kind: 'dated' } | { column: string; kind: 'given'; keys: Float64Array };

export function evaluate(input: EvaluationInput): Evaluation {
  const { setup, outOfFold } = input.evidence;
  const baseline = baselineScore(setup);
  const evaluation: Evaluation = {
    metric: setup.metric,
    score: input.score,
    baseline,
    baselineKind: setup.labels ? 'majority class' : 'mean',
    beatsBaseline: beats(setup.metric, input.score, baseline),
    rows: setup.dataset.nRows,
  };
  if (setup.labels) Object.assign(evaluation, classFigures(setup.truth, outOfFold, setup.labels));
  else evaluation.residuals = residualFigures(setup.truth, outOfFold);
  const holdout = input.time && timeHoldout(input, input.time);
  if (holdout) evaluation.holdout = holdout;
  return evaluation;
}

/** Strictly better: a tie with the baseline is no evidence of learning. */
function beats(metric: MetricName, score: number, baseline: number): boolean {
  return METRIC_DIRECTION[metric] === 'max' ? score > baseline : score < baseline;
}

function classFigures(truth: Float64Array, predicted: Float64Array, labels: readonly string[]): { classes: ClassFigures[]; confusion: number[][] } {
  const K = labels.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < truth.length; i++) {
    if (Number.isNaN(truth[i]) || Number.isNaN(predicted[i])) continue;
    confusion[truth[i]][predicted[i]]++;
  }
  const classes = labels.map((label, k): ClassFigures => {
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const predictedAsK = confusion.reduce((a, row) => a + row[k], 0);
    const hits = confusion[k][k];
    const precision = predictedAsK ? hits / predictedAsK : 0;
    const recall = support ? hits / support : 0;
    return { label, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  return { classes, confusion };
}

function residualFigures(truth: Float64Array, predicted: Float64Array): ResidualFigures {
  const residuals: number[] = [];
  for (let i = 0; i < truth.length; i++) if (!Number.isNaN(truth[i]) && !Number.isNaN(predicted[i])) residuals.push(truth[i] - predicted[i]);
  const n = residuals.length || 1;
  const mean = residuals.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(residuals.reduce((a, r) => a + (r - mean) ** 2, 0) / n);
  const absolute = residuals.map(Math.abs).sort((a, b) => a - b);
  const quantile = (q: number) => (absolute.length ? absolute[Math.min(absolute.length - 1, Math.floor(q * absolute.length))] : 0);
  return { mean, std, medianAbsolute: quantile(0.5), p90Absolute: quantile(0.9), maxAbsolute: absolute.at(-1) ?? 0 };
}

/**
 * The best configuration fitted on the earliest rows and scored on the latest HOLDOUT_SHARE of them (rows without
 * a time train). Undefined when it cannot be fitted on the earlier rows alone (a class only seen lately...).
 */
function timeHoldout(input: EvaluationInput, time: TimeColumn): TimeHoldout | undefined {
  const { setup } = input.evidence;
  const key = timeKeys(setup.dataset, time);
  if (!key) return undefined;
  const timed = Array.from({ length: setup.dataset.nRows }, (_, i) => i).filter((i) => !Number.isNaN(key[i]));
  // Stable: rows at the same time keep file order, so the split is the same on every run.
  timed.sort((a, b) => key[a] - key[b] || a - b);
  const testCount = Math.floor(timed.length * HOLDOUT_SHARE);
  if (testCount < 1) return undefined;
  const test = Uint32Array.from(timed.slice(timed.length - testCount)).sort();
  const inTest = new Set(test);
  const train = Uint32Array.from({ length: setup.dataset.nRows }, (_, i) => i).filter((i) => !inTest.has(i));
  let score: number;
  try {
    const model = fitModel(input.family, input.params, subsetRows(setup.dataset, train), setup.task, setup.seed, input.signal);
    score = scoreFold(setup, test, predict(model, subsetRows(setup.dataset, test), input.signal));
  } catch (err) {
    if (input.signal?.aborted || !(err instanceof MlopsError)) throw err;
    return undefined;
  }
  const baseline = scoreFold(setup, test, baselinePredictions(setup, train, test.length));
  return { column: time.column, trainRows: train.length, testRows: test.length, score, baseline, beatsBaseline: beats(setup.metric, score, baseline) };
}

/** A number per row that orders the rows in time (NaN: no time). */
function timeKeys(dataset: Dataset, time: TimeColumn): Float64Array | undefined {
  const values = (name: string) => {
    const column = dataset.columns.find((c) => c.name === name);
    return column?.kind === 'numeric' ? column.values : undefined;
  };
  if (time.kind === 'given') return time.keys;
  if (time.kind === 'numeric') return values(time.column);
  const year = values(`${time.column}.year`);
  const day = values(`${time.column}.dayOfYear`);
  if (!year || !day) return undefined;
  const hour = values(`${time.column}.hour`);
  return Float64Array.from(year, (y, i) => (y * 367 + day[i]) * 24 + (hour ? hour[i] : 0));
}

/**
 * The column that orders the rows: mlops.yaml's timestamp when it was read as dates or numbers, else the file's only
 * date column.
 */
export function timeColumnOf(dataset: Dataset, dated: readonly DatedColumn[], declared: string | undefined): TimeColumn | undefined {
  if (declared && dated.some((d) => d.column === declared)) return { column: declared, kind: 'dated' };
  if (declared && dataset.columns.some((c) => c.name === declared && c.kind === 'numeric')) return { column: declared, kind: 'numeric' };
  return dated.length === 1 ? { column: dated[0].column, kind: 'dated' } : undefined;
}

const shown = (v: number) => v.toFixed(4);

/** The warning a score that does not beat its baseline deserves, in cross-validation or on the latest rows. */
export function baselineWarnings(e: Evaluation): string[] {
  const baseline = e.baselineKind === 'majority class' ? l10n.t('always the most frequent class') : l10n.t('always the mean');
  const out: string[] = [];
  if (!e.beatsBaseline) {
    out.push(l10n.t('The best model ({0} = {1}) does not beat a baseline that ignores every feature ({2}: {3}); do not use it as it is.', e.metric, shown(e.score), baseline, shown(e.baseline)));
  }
  if (e.holdout && !e.holdout.beatsBaseline) {
    out.push(l10n.t('On the latest {0} rows by {1}, the model ({2} = {3}) does not beat the baseline ({4}: {5}): it may not hold up on later data.', e.holdout.testRows, e.holdout.column, e.metric, shown(e.holdout.score), baseline, shown(e.holdout.baseline)));
  }
  return out;
}

