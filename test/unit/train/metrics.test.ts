import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { accuracy, f1Macro, foldRows, kFoldAssignment, logLoss, mae, r2, rmse, rocAuc } from '../../../src/core/train';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

describe('metrics (values checked against scikit-learn by hand)', () => {
  it('accuracy and macro F1', () => {
    const truth = [0, 0, 1, 1, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0];
    close(accuracy(truth, predicted), 4 / 6);
    // Per class F1: 0 -> 0.5, 1 -> 0.8, 2 -> 2/3.
    close(f1Macro(truth, predicted), (0.5 + 0.8 + 2 / 3) / 3);
  });

  it('binary ROC AUC counts ties as half', () => {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    close(rocAuc([0, 0, 1, 1], Float64Array.from([0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]), 2), 0.75);
    close(rocAuc([0, 1], Float64Array.from([0.5, 0.5, 0.5, 0.5]), 2), 0.5);
  });

  it('multiclass ROC AUC is the one-vs-rest macro average', () => {
    const probabilities = Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7, 0.15, 0.3, 0.55]);
    // Class 0 ranks 3 of its 4 (positive, negative) pairs right, classes 1 and 2 all of theirs.
    close(rocAuc([0, 1, 2, 0], probabilities, 3), (0.75 + 1 + 1) / 3);
    assert.throws(() => rocAuc([1, 1], Float64Array.from([0.3, 0.7, 0.4, 0.6]), 2), MlopsError);
  });

  it('log loss clips probabilities', () => {
    close(logLoss([1, 0], Float64Array.from([0.2, 0.8, 0.6, 0.4]), 2), -(Math.log(0.8) + Math.log(0.6)) / 2);
    assert.ok(Number.isFinite(logLoss([0], Float64Array.from([0, 1]), 2)));
  });

  it('rmse, mae and r2', () => {
    const truth = [3, -0.5, 2, 7];
    const predicted = [2.5, 0, 2, 8];
    close(mae(truth, predicted), 0.5);
    close(rmse(truth, predicted), Math.sqrt(0.375));
    close(r2(truth, predicted), 0.9486081370449679);
    close(r2([1, 1], [1, 1]), 1);
  });

  it('refuses to score lists of different lengths', () => {
    assert.throws(() => accuracy([1, 2], [1]), MlopsError);
  });
});

describe('stratified k-fold', () => {
  const classes = Array.from({ length: 103 }, (_, i) => (i < 70 ? 0 : i < 95 ? 1 : 2));

  it('deals every class evenly over the folds and every row to exactly one fold', () => {
    const fold = kFoldAssignment(classes.length, 5, 42, classes);
    for (let c = 0; c < 3; c++) {
      const perFold = [0, 0, 0, 0, 0];
      classes.forEach((y, i) => y === c && perFold[fold[i]]++);
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${c}: ${perFold}`);
    }
    const sizes = [0, 1, 2, 3, 4].map((k) => foldRows(fold, k).test.length);
    assert.equal(sizes.reduce((a, b) => a + b), 103);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  });

  it('is deterministic for a seed and changes with it', () => {
    assert.deepEqual(kFoldAssignment(103, 5, 42, classes), kFoldAssignment(103, 5, 42, classes));
    assert.notDeepEqual(kFoldAssignment(103, 5, 42, classes), kFoldAssignment(103, 5, 43, classes));
  });

  it('rejects fewer rows than folds', () => {
    assert.throws(() => kFoldAssignment(3, 5, 0), MlopsError);
  });
});
