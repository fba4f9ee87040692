import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/**
 * Scores with scikit-learn's definitions, so numbers can be compared with it. Classification metrics take class
 * indices (0..K-1) and, where needed, probabilities as a row-major n x K array.
 */
export type MetricName = 'accuracy' | 'f1' | 'roc_auc' | 'log_loss' | 'rmse' | 'mae' | 'r2';

/** Whether a larger value is better, for searches that maximize or minimize. */
export const METRIC_DIRECTION: Readonly<Record<MetricName, 'max' | 'min'>> = { accuracy: 'max', f1: 'max', roc_auc: 'max', log_loss: 'min', rmse: 'min', mae: 'min', r2: 'max' };

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length || a.length === 0) {
    throw new MlopsError(l10n.t('Cannot score {0} predictions against {1} true values.', b.length, a.length), l10n.t('Score predictions of the same, non-empty rows.'));
  }
}

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(truth, predicted);
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) right++;
  return right / truth.length;
}

/** Macro F1 over the classes present in truth or predictions (scikit-learn's labels=None). */
export function f1Macro(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(truth, predicted);
  const tp = new Map<number, number>();
  const fp = new Map<number, number>();
  const fn = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === predicted[i]) bump(tp, truth[i]);
    else {
      bump(fp, predicted[i]);
      bump(fn, truth[i]);
    }
  }
  const labels = new Set([...tp.keys(), ...fp.keys(), ...fn.keys()]);
  let sum = 0;
  for (const k of labels) {
    const t = tp.get(k) ?? 0;
    const denominator = 2 * t + (fp.get(k) ?? 0) + (fn.get(k) ?? 0);
    sum += denominator === 0 ? 0 : (2 * t) / denominator;
  }
  return sum / labels.size;
}

/** Area under the ROC curve of scores for the positive class, ties counted half (the Mann-Whitney statistic). */
function binaryAuc(positive: ArrayLike<boolean>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPositive = 0;
  let nPositive = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && score[order[end]] === score[order[start]]) end++;
    const midRank = (start + end + 1) / 2;
    for (let j = start; j < end; j++) {
      if (positive[order[j]]) {
        rankSumPositive += midRank;
        nPositive++;
      }
    }
    start = end;
  }
  const nNegative = n - nPositive;
  if (nPositive === 0 || nNegative === 0) {
    throw new MlopsError(l10n.t('ROC AUC is undefined when the true values hold a single class.'), l10n.t('Score on a sample with both classes, or use accuracy.'));
  }
  return (rankSumPositive - (nPositive * (nPositive + 1)) / 2) / (nPositive * nNegative);
}

/** Binary: AUC of the class-1 probability. Multiclass: one-vs-rest AUC averaged over classes (macro). */
export function rocAuc(truth: ArrayLike<number>, probabilities: Float64Array, nClasses: number): number {
  checkLengths(truth, { length: probabilities.length / nClasses });
  const n = truth.length;
  const column = (k: number) => Float64Array.from({ length: n }, (_, i) => probabilities[i * nClasses + k]);
  if (nClasses === 2) return binaryAuc(Array.from(truth, (t) => t === 1), column(1));
  let sum = 0;
  for (let k = 0; k < nClasses; k++) sum += binaryAuc(Array.from(truth, (t) => t === k), column(k));
  return sum / nClasses;
}

export function logLoss(truth: ArrayLike<number>, probabilities: Float64Array, nClasses: number): number {
  checkLengths(truth, { length: probabilities.length / nClasses });
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    // Clipped as scikit-learn does, so one confident mistake costs a lot but not Infinity.
    const p = Math.min(Math.max(probabilities[i * nClasses + truth[i]], 1e-15), 1 - 1e-15);
    total -= Math.log(p);
  }
  return total / truth.length;
}

export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(truth, predicted);
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (truth[i] - predicted[i]) ** 2;
  return Math.sqrt(s / truth.length);
}

export function mae(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(truth, predicted);
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(truth[i] - predicted[i]);
  return s / truth.length;
}

/** Coefficient of determination: 1 - residual sum of squares / total sum of squares. */
export function r2(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(truth, predicted);
  let mean = 0;
  for (let i = 0; i < truth.length; i++) mean += truth[i];
  mean /= truth.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    residual += (truth[i] - predicted[i]) ** 2;
    total += (truth[i] - mean) ** 2;
  }
  // scikit-learn's convention for a constant truth: 1 if predicted exactly, else 0.
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
