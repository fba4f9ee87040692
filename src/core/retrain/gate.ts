import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/**
 * A gate on one metric, with MLflow's `MetricThreshold` meaning: every bound is inclusive, a missing candidate
 * value fails, and a change bound without a baseline value fails too.
 */
export interface MetricThreshold {
  /** The candidate's value must be at least this (at most, when lower is better): a floor. */
  threshold?: number;
  /** The candidate must beat the baseline by at least this much, in the metric's units. */
  minAbsoluteChange?: number;
  /** The candidate must beat the baseline by at least this fraction of the baseline's value (0 < r < 1). */
  minRelativeChange?: number;
  greaterIsBetter: boolean;
}

export type ThresholdFailure = 'missing-candidate' | 'missing-baseline' | 'threshold' | 'min-absolute-change' | 'min-relative-change';

export interface ThresholdCheck {
  passed: boolean;
  failures: ThresholdFailure[];
  /** One sentence per failure, for people. */
  reasons: string[];
}

/**
 * MLflow's smallest improvement over a zero baseline: a relative change of a zero value is undefined, so MLflow
 * falls back to asking for a strictly better value, written as "at least baseline ± 1e-10".
 */
const ZERO_BASELINE_STEP = 1e-10;

const present = (value: number | null | undefined): value is number => typeof value === 'number' && !Number.isNaN(value);

/** Refuses bounds MLflow refuses, so a policy in mlops.yaml fails when read and not when a gate runs. */
export function checkThresholdSettings(threshold: MetricThreshold): MetricThreshold {
  const { minAbsoluteChange, minRelativeChange } = threshold;
  if (minAbsoluteChange !== undefined && !(minAbsoluteChange > 0 && Number.isFinite(minAbsoluteChange))) {
    throw new MlopsError(l10n.t('The minimum absolute change must be a positive number; got {0}.', String(minAbsoluteChange)), l10n.t('Give --min-gain 0.01, for example.'), 'BAD_GATE');
  }
  if (minRelativeChange !== undefined && !(minRelativeChange > 0 && minRelativeChange < 1)) {
    throw new MlopsError(l10n.t('The minimum relative change must be between 0 and 1 (exclusive); got {0}.', String(minRelativeChange)), l10n.t('Give --min-relative-gain 0.05 for 5%, for example.'), 'BAD_GATE');
  }
  if (threshold.threshold !== undefined && !Number.isFinite(threshold.threshold)) {
    throw new MlopsError(l10n.t('The floor must be a number; got {0}.', String(threshold.threshold)), l10n.t('Give the lowest acceptable value of the metric.'), 'BAD_GATE');
  }
  return threshold;
}

/** Judges a candidate's metric against a baseline's as MLflow's model validation does. */
export function checkThreshold(metric: string, threshold: MetricThreshold, candidate: number | null | undefined, baseline: number | null | undefined): ThresholdCheck {
  const failures: ThresholdFailure[] = [];
  const reasons: string[] = [];
  const fail = (failure: ThresholdFailure, reason: string) => {
    failures.push(failure);
    reasons.push(reason);
  };
  if (!present(candidate)) {
    fail('missing-candidate', l10n.t('The challenger has no value for {0}.', metric));
    return { passed: false, failures, reasons };
  }
  const better = threshold.greaterIsBetter;
  const atLeast = (value: number, bound: number) => (better ? value >= bound : value <= bound);
  const shifted = (value: number, by: number) => (better ? value + by : value - by);
  if (threshold.threshold !== undefined && !atLeast(candidate, threshold.threshold)) {
    fail('threshold', better
      ? l10n.t('{0} = {1} is below the floor {2}.', metric, round(candidate), threshold.threshold)
      : l10n.t('{0} = {1} is above the ceiling {2}.', metric, round(candidate), threshold.threshold));
  }
  const compares = threshold.minAbsoluteChange !== undefined || threshold.minRelativeChange !== undefined;
  if (!compares) return { passed: failures.length === 0, failures, reasons };
  if (!present(baseline)) {
    fail('missing-baseline', l10n.t('The champion has no value for {0} to compare with.', metric));
    return { passed: false, failures, reasons };
  }
  if (threshold.minAbsoluteChange !== undefined && !atLeast(candidate, shifted(baseline, threshold.minAbsoluteChange))) {
    fail('min-absolute-change', l10n.t('{0} = {1} does not beat the champion\'s {2} by at least {3}.', metric, round(candidate), round(baseline), threshold.minAbsoluteChange));
  }
  if (threshold.minRelativeChange !== undefined) {
    if (baseline === 0) {
      if (!atLeast(candidate, shifted(0, ZERO_BASELINE_STEP))) {
        fail('min-relative-change', l10n.t('{0} = {1} is not better than the champion\'s 0 (a relative change of 0 is undefined, so any improvement is required).', metric, round(candidate)));
      }
    } else {
      // MLflow divides by the baseline itself, not its absolute value.
      const change = (better ? candidate - baseline : baseline - candidate) / baseline;
      if (change < threshold.minRelativeChange) {
        fail('min-relative-change', l10n.t('{0} = {1} changes the champion\'s {2} by {3}%, less than the {4}% required.', metric, round(candidate), round(baseline), round(change * 100), round(threshold.minRelativeChange * 100)));
      }
    }
  }
  return { passed: failures.length === 0, failures, reasons };
}

/**
 * The gate's rule where no gain is asked for, and on every slice: the challenger may not be worse than the
 * champion (equal passes). Null when it holds, else the reason.
 */
export function noRegression(metric: string, greaterIsBetter: boolean, challenger: number, champion: number | null, where?: string): string | null {
  if (champion === null || Number.isNaN(champion)) return null;
  if (greaterIsBetter ? challenger >= champion : challenger <= champion) return null;
  return where
    ? l10n.t('On {0}, {1} = {2} is worse than the champion\'s {3}.', where, metric, round(challenger), round(champion))
    : l10n.t('{0} = {1} is worse than the champion\'s {2}.', metric, round(challenger), round(champion));
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}
