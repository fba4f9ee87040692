import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { configurationKey } from '../../../src/core/automl';
import { runSearch } from '../../../src/core/automl/search';
import { searchSpaces } from '../../../src/core/automl/searchSpace';
import { datasetFromCsv, type Family } from '../../../src/core/train';
import { FIXTURE_DIR } from '../train/fixtures';

const iris = datasetFromCsv(fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv'), 'utf8'), { uncapped: ['target'] });
const task = { type: 'classification' as const, target: 'target' };
const spaceOf = (family: Family) => searchSpaces({ rows: iris.nRows, features: iris.columns.length - 1, classes: 3 }).find((s) => s.family === family)!;

describe('AutoML search budget', () => {
  it('never scores a configuration twice, nor one within rounding of another', async () => {
    const families: Family[] = ['naive_bayes', 'knn', 'linear'];
    const { trials } = await runSearch({ dataset: iris, task, metric: 'accuracy', seed: 5, folds: 5, maxTrials: 60, families });
    const keys = trials.map((t) => configurationKey(spaceOf(t.family), t.params, t.rows));
    assert.equal(new Set(keys).size, keys.length, 'a configuration was scored twice');
    // Near-identical smoothing values share a key: 1% of the normalized (log) range apart or less.
    const nb = spaceOf('naive_bayes');
    assert.equal(configurationKey(nb, { varSmoothing: 1e-9 }, 150), configurationKey(nb, { varSmoothing: 1.01e-9 }, 150));
  });

  it('stops on convergence before its trial count, and says why', async () => {
    const result = await runSearch({ dataset: iris, task, metric: 'accuracy', seed: 1, folds: 5, maxTrials: 400, families: ['naive_bayes'] });
    assert.ok(result.converged, 'the search ran its 400 trials on a one-parameter family');
    assert.ok(result.trials.length < 400);
    assert.ok(['repeats', 'plateau'].includes(result.converged.reason));
    const best = result.trials.indexOf(result.best);
    assert.equal(result.converged.sinceBest, result.trials.length - best - 1);
  });
});
