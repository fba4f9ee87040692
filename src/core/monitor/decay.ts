import type { ModelVersion } from '../registry';
import { METRIC_DIRECTION, accuracy, f1Macro, logLoss, mae, r2, rmse, rocAuc, type MetricName } from '../train';
import type { LabelledPrediction, LogWindow } from './logWindow';

/** The model's metric on a window against its validation score. */
export interface Decay {
  metric: string;
  /** The version's cross-validated score (registry metrics); null when it recorded none. */
  validation: number | null;
  /** On the window's predictions that came back with a label (feedback); null without labels. */
  measured: number | null;
  /** Predictions of the window the measured score counts. */
  labelled: number;
  /** A classifier's score estimated without labels, from its confidence calibrated on the reference; never mixed with `measured`. */
  estimated: number | null;
  /** The measured or estimated score is worse than validation by more than the threshold. */
  alert: boolean;
}

const METRICS: readonly MetricName[] = ['accuracy', 'f1', 'roc_auc', 'log_loss', 'rmse', 'mae', 'r2'];

/** The metric a version was chosen by (the AutoML's), else the usual one of its task. */
export function versionMetric(version: ModelVersion): MetricName {
  const named = version.lineage.trainingConfig?.metric ?? version.keyMetric?.replace(/^cv_/, '');
  const known = METRICS.find((m) => m === named);
  return known ?? (version.signature.output.task === 'classification' ? 'accuracy' : 'rmse');
}

/** The mean of each row's highest class probability: how sure the model is, on average. */
export function referenceConfidence(probabilities: Float64Array, classes: number): number {
  const rows = probabilities.length / classes;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 0; k < classes; k++) best = Math.max(best, probabilities[i * classes + k]);
    sum += best;
  }
  return sum / rows;
}

/**
 * Measured: the metric on the labelled predictions. Estimated (classifiers): the validation score scaled by how much
 * less sure the model is on the window than on its training data, the confidence-based estimate calibrated on the
 * reference, so a model that was 0.9 sure and 0.85 right is expected to be 0.85 x c/0.9 right at confidence c.
 */
export function measureDecay(version: ModelVersion, window: LogWindow, options: { threshold: number; referenceConfidence: number | null }): Decay {
  const metric = versionMetric(version);
  const validation = version.metrics[`cv_${metric}`] ?? version.metrics[metric] ?? null;
  const measured = window.labelled.length ? score(metric, window.labelled, version.signature.output.classes) : null;
  let estimated: number | null = null;
  const confident = meanFinite(window.confidence);
  if (validation !== null && options.referenceConfidence && confident !== null && METRIC_DIRECTION[metric] === 'max') {
    estimated = Math.min(1, validation * (confident / options.referenceConfidence));
  }
  const worse = (v: number | null) => v !== null && validation !== null && (METRIC_DIRECTION[metric] === 'max' ? validation - v : v - validation) > options.threshold;
  return { metric, validation, measured, labelled: window.labelled.length, estimated, alert: worse(measured) || worse(estimated) };
}

function meanFinite(values: Float64Array): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n ? sum / n : null;
}

/** The metric on labelled predictions; null where it is undefined (labels that are not numbers for a regressor, ROC AUC of one class). */
function score(metric: MetricName, rows: readonly LabelledPrediction[], classes: readonly string[] | undefined): number | null {
  if (!classes) {
    const usable = rows.filter((r) => Number.isFinite(Number(r.label)) && r.label !== '');
    if (!usable.length) return null;
    const truth = Float64Array.from(usable, (r) => Number(r.label));
    const predicted = Float64Array.from(usable, (r) => Number(r.prediction));
    return metric === 'mae' ? mae(truth, predicted) : metric === 'r2' ? r2(truth, predicted) : rmse(truth, predicted);
  }
  // A label the model never saw is a class it cannot predict: it still counts, as a miss.
  const labels = [...new Set([...classes, ...rows.map((r) => String(r.label))])];
  const index = new Map(labels.map((l, k) => [l, k]));
  const truth = Int32Array.from(rows, (r) => index.get(String(r.label))!);
  if (metric === 'roc_auc' || metric === 'log_loss') {
    const K = labels.length;
    const probabilities = new Float64Array(rows.length * K);
    for (const [i, r] of rows.entries()) {
      if (!r.probabilities) return null;
      r.probabilities.forEach((p, k) => (probabilities[i * K + k] = p));
    }
    if (metric === 'log_loss') return logLoss(truth, probabilities, K);
    return new Set(truth).size < 2 ? null : rocAuc(truth, probabilities, K);
  }
  const predicted = Int32Array.from(rows, (r) => index.get(String(r.prediction)) ?? -1);
  return metric === 'f1' ? f1Macro(truth, predicted) : accuracy(truth, predicted);
}
