import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Family } from '../../../src/core/train';
import { FixtureName, crossValidate, sklearnReference } from './fixtures';

/**
 * Each family, cross-validated on the committed folds, scores close to scikit-learn's counterpart on the same
 * folds (sklearn_reference.json). The slow combinations run on smaller configurations or are left to bench/train.
 */
const reference = sklearnReference();

const cases: [Family, FixtureName, string, Record<string, unknown>, number][] = [
  ['gbdt', 'iris', 'hgb', {}, 0.03],
  ['gbdt', 'wine', 'hgb', {}, 0.03],
  ['gbdt', 'breast_cancer', 'hgb', {}, 0.02],
  ['gbdt', 'diabetes', 'hgb', {}, 0.03],
  ['random_forest', 'iris', 'rf', {}, 0.03],
  ['random_forest', 'breast_cancer', 'rf', {}, 0.02],
  ['random_forest', 'digits', 'rf', { nEstimators: 30 }, 0.03],
  ['random_forest', 'diabetes', 'rf', { nEstimators: 50 }, 0.03],
  ['extra_trees', 'wine', 'extra_trees', {}, 0.03],
  ['extra_trees', 'breast_cancer', 'extra_trees', {}, 0.02],
  ['linear', 'iris', 'linear', {}, 0.01],
  ['linear', 'wine', 'linear', {}, 0.01],
  ['linear', 'breast_cancer', 'linear', {}, 0.01],
  ['linear', 'diabetes', 'linear', {}, 0.01],
  ['knn', 'breast_cancer', 'knn', {}, 0.01],
  ['knn', 'digits', 'knn', {}, 0.01],
  ['knn', 'diabetes', 'knn', {}, 0.01],
  ['naive_bayes', 'iris', 'naive_bayes', {}, 0.01],
  ['naive_bayes', 'breast_cancer', 'naive_bayes', {}, 0.01],
  ['naive_bayes', 'digits', 'naive_bayes', {}, 0.02],
];

describe('learners against scikit-learn on the committed folds', () => {
  for (const [family, dataset, sklearnModel, params, tolerance] of cases) {
    const expected = reference[dataset][sklearnModel];
    it(`${family} on ${dataset} scores within ${tolerance} of scikit-learn's ${sklearnModel} (${expected.metric} ${expected.score})`, () => {
      const score = crossValidate(dataset, family, params);
      assert.ok(score >= expected.score - tolerance, `${expected.metric} ${score.toFixed(4)} < ${expected.score} - ${tolerance}`);
    });
  }
});
