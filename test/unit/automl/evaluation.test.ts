import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readLeaderboard, runAutoml } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { openMetadataStore } from '../../../src/core/metadata';
import { getRun } from '../../../src/core/tracking';
import { sampleProject } from './sampleProject';
import { makeProject, write } from '../data/projectFixture';


describe('AutoML evaluation', () => {
  it('scores the sample against its majority class, per class, and on the latest fifth of its days', async () => {
    const dir = await sampleProject();
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { maxTrials: 4 });
    const e = result.evaluation;
    const weather = fs.readFileSync(path.join(dir, 'data/weather.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').at(-1)!);
    const counts = new Map<string, number>();
    for (const w of weather) counts.set(w, (counts.get(w) ?? 0) + 1);
    const majorityShare = Math.max(...counts.values()) / weather.length;
    assert.equal(e.baselineKind, 'majority class');
    // Stratified folds keep the class shares: the majority baseline scores about the majority's share.
    assert.ok(Math.abs(e.baseline - majorityShare) < 0.01, `${e.baseline} vs ${majorityShare}`);
    assert.ok(e.beatsBaseline && e.score > e.baseline);
    assert.deepEqual(e.classes!.map((c) => [c.label, c.support]), [...counts].sort(([a], [b]) => a.localeCompare(b)));
    for (const [k, c] of e.classes!.entries()) {
      assert.equal(e.confusion![k].reduce((a, b) => a + b, 0), c.support);
      assert.equal(c.recall, e.confusion![k][k] / c.support);
    }
    const hits = e.confusion!.reduce((a, row, k) => a + row[k], 0);
    assert.ok(Math.abs(hits / weather.length - e.score) < 0.02, 'out-of-fold accuracy is the CV score');
    assert.deepEqual([e.holdout!.column, e.holdout!.testRows, e.holdout!.trainRows], ['date', Math.floor(weather.length * 0.2), weather.length - Math.floor(weather.length * 0.2)]);
    const run = getRun(store, result.runId);
    assert.equal(run.metrics.baseline_accuracy.value, e.baseline);
    assert.equal(run.metrics.holdout_accuracy.value, e.holdout!.score);
    assert.equal(run.tags['mlops.beatsBaseline'], String(e.holdout!.beatsBaseline));
    assert.deepEqual(readLeaderboard(store, result.runId).evaluation, e);
    store.close();
  });

  it('gives a regression its mean baseline and residuals', async () => {
    const { dir, project } = makeProject();
    write(dir, 'data/d.csv', ['x,y', ...Array.from({ length: 200 }, (_, i) => `${i % 37},${((i % 37) * 1.5 + (i % 5)).toFixed(2)}`)].join('\n') + '\n');
    await snapshotDataset(project(), 'data/d.csv', { name: 'd', git: 'off' });
    const result = await runAutoml(await openMetadataStore(dir), { dataset: 'd', target: 'y', maxTrials: 3 });
    const e = result.evaluation;
    assert.equal(e.baselineKind, 'mean');
    assert.ok(e.baseline <= 0 && e.baseline > -0.1, String(e.baseline));
    assert.ok(e.residuals!.maxAbsolute >= e.residuals!.p90Absolute && e.residuals!.p90Absolute >= e.residuals!.medianAbsolute);
    assert.ok(e.residuals!.std > 0 && e.residuals!.maxAbsolute < 5);
    assert.equal(e.holdout, undefined);
  });

  it('flags a model that does not beat the majority class, on the run', async () => {
    const { dir, project } = makeProject();
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    write(dir, 'data/d.csv', ['x,y', ...Array.from({ length: 300 }, () => `${next().toFixed(3)},${next() < 0.85 ? 'no' : 'yes'}`)].join('\n') + '\n');
    await snapshotDataset(project(), 'data/d.csv', { name: 'd', git: 'off' });
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { dataset: 'd', target: 'y', maxTrials: 3, families: ['linear'] });
    assert.equal(result.evaluation.beatsBaseline, false);
    const run = getRun(store, result.runId);
    assert.equal(run.tags['mlops.beatsBaseline'], 'false');
    assert.match(run.notes ?? '', /does not beat a baseline/);
    store.close();
  });
});
