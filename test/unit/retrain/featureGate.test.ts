import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { snapshotDataset } from '../../../src/core/data';
import { buildTrainingSet, snapshotTrainingSet } from '../../../src/core/features';
import { readModelArtifact, resolveModelVersion } from '../../../src/core/registry';
import { runGate } from '../../../src/core/retrain';
import { loadModel, predict } from '../../../src/core/train';
import { featureModelProject, type FeatureModelFixture } from '../fixtures/featureModel';

interface Expected {
  rows: number;
  /** Accuracy of weather/1 and weather/2, overall and per location. */
  overall: number[];
  byLocation: Map<string, number[]>;
}

/**
 * The scores worked out by hand: the service's set built from the entity rows and written as CSV (as training
 * wrote its own), each raw model predicted on it, its labels counted against the rows' weather.
 */
async function expectedScores(f: FeatureModelFixture, entities: string): Promise<Expected> {
  await buildTrainingSet(f.project(), 'weather_features', entities, { timestamp: 'date', output: 'expected.csv' });
  const [header, ...rows] = fs.readFileSync(path.join(f.dir, 'expected.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const target = header.indexOf('weather');
  const location = header.indexOf('location');
  const right = [1, 2].map((v) => {
    const model = loadModel(readModelArtifact(f.project(), resolveModelVersion(f.project().paths, `weather/${v}`)).toString('utf8'));
    const p = predict(model, { header, rows });
    assert.equal(p.kind, 'classification');
    return rows.map((row, i) => (p.kind === 'classification' && p.labels[i] === row[target] ? 1 : 0));
  });
  const accuracy = (v: number, keep: (row: string[]) => boolean) => {
    const kept = rows.flatMap((row, i) => (keep(row) ? [right[v][i]] : []));
    return kept.reduce((a, b) => a + b, 0) / kept.length;
  };
  const cities = [...new Set(rows.map((r) => r[location]))];
  return {
    rows: rows.length,
    overall: [0, 1].map((v) => accuracy(v, () => true)),
    byLocation: new Map(cities.map((c) => [c, [0, 1].map((v) => accuracy(v, (row) => row[location] === c))])),
  };
}

describe('the gate of models trained on a feature service', () => {
  it('scores both on entity rows through the point-in-time features of the service, from a file, a dataset or the default holdout', async () => {
    const f = await featureModelProject();
    assert.equal(await f.train('weather_features', f.writeEntities('y2012.csv', f.lines('2012-01-01', '2013-01-01')), 'naive_bayes', 'champion'), 1);
    assert.equal(await f.train('weather_features', f.writeEntities('y2012_2013.csv', f.lines('2012-01-01', '2014-01-01')), 'gbdt', 'challenger'), 2);

    const holdout = f.writeEntities('y2015.csv', f.lines('2015-01-01', '2016-01-01'));
    const expected = await expectedScores(f, holdout);
    const gate = await runGate(f.project(), { challenger: 'weather@challenger', holdout, metric: 'accuracy', slice: 'location', record: false });
    assert.deepEqual(gate.holdout, { source: 'y2015.csv', rows: expected.rows });
    assert.equal(gate.challenger, expected.overall[1]);
    assert.equal(gate.champion, expected.overall[0]);
    assert.deepEqual(gate.slices!.values.map((s) => [s.value, s.challenger, s.champion]), [...expected.byLocation].sort(([a], [b]) => a.localeCompare(b)).map(([c, [champion, challenger]]) => [c, challenger, champion]));
    assert.ok(gate.challenger! > 0.5 && gate.champion! > 0.5, `${gate.challenger} ${gate.champion}`);

    await snapshotDataset(f.project(), holdout, { name: 'y2015', git: 'off' });
    const named = await runGate(f.project(), { challenger: 'weather@challenger', holdout: 'y2015@1', metric: 'accuracy', record: false });
    assert.equal(named.holdout.source, 'y2015@1');
    assert.deepEqual([named.challenger, named.champion], [expected.overall[1], expected.overall[0]]);

    // A newer version of the training set: the default holdout is its rows neither model trained on (2014 and 2015),
    // whose features are built again from the service, not read from the version.
    const later = await buildTrainingSet(f.project(), 'weather_features', f.writeEntities('y2012_2015.csv', f.lines('2012-01-01', '2016-01-01')), { timestamp: 'date', output: 'data/weather_features-training.csv' });
    await snapshotTrainingSet(f.project(), later, 'weather_features-training');
    const unseen = await expectedScores(f, f.writeEntities('y2014_2015.csv', f.lines('2014-01-01', '2016-01-01')));
    const byDefault = await runGate(f.project(), { challenger: 'weather@challenger', metric: 'accuracy', record: false });
    assert.deepEqual(byDefault.holdout, { source: 'weather_features-training@3: rows in neither training version', rows: unseen.rows });
    assert.deepEqual([byDefault.challenger, byDefault.champion], [unseen.overall[1], unseen.overall[0]]);
  });

  it('a holdout without an entity column the features are built from is refused, naming the column and the model', async () => {
    const f = await featureModelProject();
    await f.train('weather_features', f.writeEntities('y2012.csv', f.lines('2012-01-01', '2013-01-01')), 'naive_bayes', 'champion');
    await f.train('weather_features', f.writeEntities('y2013.csv', f.lines('2013-01-01', '2014-01-01')), 'naive_bayes', 'challenger');
    const lines = f.lines('2015-01-01', '2015-03-01');
    const noKey = f.writeEntities('nokey.csv', lines, ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    await assert.rejects(runGate(f.project(), { challenger: 'weather@challenger', holdout: noKey, record: false }), (err: Error) => {
      assert.match(err.message, /^The holdout nokey\.csv has no column location, which weather\/2 needs to build its features from the service weather_features\.$/);
      return true;
    });
    const noTime = f.writeEntities('notime.csv', lines, ['location', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    await assert.rejects(runGate(f.project(), { challenger: 'weather@challenger', holdout: noTime, record: false }), /has no column date, which weather\/2 needs/);
    const noWind = f.writeEntities('nowind.csv', lines, ['location', 'date', 'precipitation', 'temp_max', 'temp_min', 'weather']);
    await assert.rejects(runGate(f.project(), { challenger: 'weather@challenger', holdout: noWind, record: false }), /has no column wind, which weather\/2 needs/);
  });
});
