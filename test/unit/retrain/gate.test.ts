import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkThreshold, checkThresholdSettings, type MetricThreshold, type ThresholdFailure } from '../../../src/core/retrain';

interface Case {
  name: string;
  threshold: MetricThreshold;
  candidate: number | null | undefined;
  baseline: number | null | undefined;
  failures: ThresholdFailure[];
}

// Each row is what MLflow's validate() decides for the same MetricThreshold and values.
const CASES: Case[] = [
  { name: 'higher is better: floor met exactly (inclusive)', threshold: { threshold: 0.8, greaterIsBetter: true }, candidate: 0.8, baseline: null, failures: [] },
  { name: 'higher is better: below the floor', threshold: { threshold: 0.8, greaterIsBetter: true }, candidate: 0.79, baseline: null, failures: ['threshold'] },
  { name: 'lower is better: ceiling met exactly', threshold: { threshold: 0.5, greaterIsBetter: false }, candidate: 0.5, baseline: null, failures: [] },
  { name: 'lower is better: above the ceiling', threshold: { threshold: 0.5, greaterIsBetter: false }, candidate: 0.51, baseline: null, failures: ['threshold'] },
  { name: 'absolute gain met exactly', threshold: { minAbsoluteChange: 0.25, greaterIsBetter: true }, candidate: 0.75, baseline: 0.5, failures: [] },
  { name: 'absolute gain too small', threshold: { minAbsoluteChange: 0.25, greaterIsBetter: true }, candidate: 0.7, baseline: 0.5, failures: ['min-absolute-change'] },
  { name: 'absolute: lower is better, enough drop', threshold: { minAbsoluteChange: 0.5, greaterIsBetter: false }, candidate: 1.5, baseline: 2, failures: [] },
  { name: 'absolute: lower is better, a rise fails', threshold: { minAbsoluteChange: 0.5, greaterIsBetter: false }, candidate: 2.1, baseline: 2, failures: ['min-absolute-change'] },
  { name: 'relative gain met exactly', threshold: { minRelativeChange: 0.5, greaterIsBetter: true }, candidate: 0.75, baseline: 0.5, failures: [] },
  { name: 'relative gain too small', threshold: { minRelativeChange: 0.5, greaterIsBetter: true }, candidate: 0.7, baseline: 0.5, failures: ['min-relative-change'] },
  { name: 'relative: lower is better, 25% drop', threshold: { minRelativeChange: 0.25, greaterIsBetter: false }, candidate: 3, baseline: 4, failures: [] },
  { name: 'relative: lower is better, 10% drop is not 25%', threshold: { minRelativeChange: 0.25, greaterIsBetter: false }, candidate: 3.6, baseline: 4, failures: ['min-relative-change'] },
  { name: 'relative: negative baseline divides by the baseline itself (MLflow)', threshold: { minRelativeChange: 0.1, greaterIsBetter: true }, candidate: -0.5, baseline: -1, failures: ['min-relative-change'] },
  { name: 'zero baseline, higher is better: any improvement passes', threshold: { minRelativeChange: 0.5, greaterIsBetter: true }, candidate: 0.001, baseline: 0, failures: [] },
  { name: 'zero baseline, higher is better: equal fails', threshold: { minRelativeChange: 0.5, greaterIsBetter: true }, candidate: 0, baseline: 0, failures: ['min-relative-change'] },
  { name: 'zero baseline, lower is better: a rise fails', threshold: { minRelativeChange: 0.5, greaterIsBetter: false }, candidate: 0.2, baseline: 0, failures: ['min-relative-change'] },
  { name: 'zero baseline, lower is better: below zero passes', threshold: { minRelativeChange: 0.5, greaterIsBetter: false }, candidate: -0.2, baseline: 0, failures: [] },
  { name: 'missing candidate fails, whatever the bounds', threshold: { greaterIsBetter: true }, candidate: undefined, baseline: 0.5, failures: ['missing-candidate'] },
  { name: 'NaN candidate is missing', threshold: { threshold: 0, greaterIsBetter: true }, candidate: NaN, baseline: 0.5, failures: ['missing-candidate'] },
  { name: 'missing baseline fails a change bound', threshold: { minAbsoluteChange: 0.1, greaterIsBetter: true }, candidate: 0.9, baseline: null, failures: ['missing-baseline'] },
  { name: 'missing baseline does not matter without a change bound', threshold: { threshold: 0.5, greaterIsBetter: true }, candidate: 0.9, baseline: null, failures: [] },
  { name: 'floor and gain both fail', threshold: { threshold: 0.9, minAbsoluteChange: 0.1, greaterIsBetter: true }, candidate: 0.6, baseline: 0.55, failures: ['threshold', 'min-absolute-change'] },
  { name: 'all bounds met', threshold: { threshold: 0.5, minAbsoluteChange: 0.05, minRelativeChange: 0.1, greaterIsBetter: true }, candidate: 0.8, baseline: 0.7, failures: [] },
];

describe('checkThreshold: MLflow MetricThreshold rules', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = checkThreshold('accuracy', c.threshold, c.candidate, c.baseline);
      assert.deepEqual(result.failures, c.failures);
      assert.equal(result.passed, c.failures.length === 0);
      assert.equal(result.reasons.length, c.failures.length);
    });
  }

  it('a reason names the metric and both values', () => {
    const [reason] = checkThreshold('rmse', { minAbsoluteChange: 0.5, greaterIsBetter: false }, 2.1, 2).reasons;
    assert.match(reason, /rmse/);
    assert.match(reason, /2\.1/);
  });
});

describe('checkThresholdSettings', () => {
  it('refuses what MLflow refuses: a non-positive absolute change, a relative change outside (0, 1)', () => {
    assert.throws(() => checkThresholdSettings({ minAbsoluteChange: 0, greaterIsBetter: true }), /positive/);
    assert.throws(() => checkThresholdSettings({ minAbsoluteChange: -1, greaterIsBetter: true }), /positive/);
    assert.throws(() => checkThresholdSettings({ minRelativeChange: 1, greaterIsBetter: true }), /between 0 and 1/);
    assert.throws(() => checkThresholdSettings({ minRelativeChange: 0, greaterIsBetter: true }), /between 0 and 1/);
    assert.deepEqual(checkThresholdSettings({ minRelativeChange: 0.05, greaterIsBetter: true }), { minRelativeChange: 0.05, greaterIsBetter: true });
  });
});
