/**
 * Retraining: policies that retrain a champion on new data, the gate a challenger must pass on a holdout neither
 * model trained on, and promotion, approval and rollback recorded in the registry's history. See docs/retraining.md.
 */
export { checkThreshold, checkThresholdSettings, type MetricThreshold, type ThresholdCheck, type ThresholdFailure } from './gate';
