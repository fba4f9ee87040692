import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { openMetadataStore } from '../../../src/core/metadata';
import { checkHistograms, checkModel } from '../../../src/core/monitor';
import { readModelArtifact, resolveModelVersion } from '../../../src/core/registry';
import { startServer } from '../../../src/core/serve';
import { loadModel, predict } from '../../../src/core/train';
import { ENTITY_INPUTS, featureModelProject, type FeatureModelFixture, type WeatherLine } from '../fixtures/featureModel';
import { postJson } from '../serve/fixture';
import { sample } from './modelFixture';

/** Sends the rows to the real server over loopback as callers do: the entity key and the request inputs, 50 a request. */
async function serve(f: FeatureModelFixture, lines: readonly WeatherLine[], shift: Partial<Record<'temp_max' | 'temp_min', number>> = {}): Promise<void> {
  const server = await startServer(f.project(), { references: ['weather@champion'], port: 0, writeState: false });
  try {
    for (let i = 0; i < lines.length; i += 50) {
      const records = lines.slice(i, i + 50).map((l) => ({
        location: l.location, precipitation: Number(l.precipitation), temp_max: Number(l.temp_max) + (shift.temp_max ?? 0),
        temp_min: Number(l.temp_min) + (shift.temp_min ?? 0), wind: Number(l.wind),
      }));
      const answer = await postJson(server.url, '/invocations', { dataframe_records: records });
      assert.equal(answer.status, 200, answer.text);
    }
  } finally {
    await server.close();
  }
}

describe('checking a model trained on a feature service', () => {
  it('compares the entity inputs callers send, against the model applied to the features it was trained on', async () => {
    const f = await featureModelProject();
    const training = f.lines('2012-01-01', '2014-01-01');
    await f.train('today', f.writeEntities('train.csv', training), 'naive_bayes', 'champion');
    const store = await openMetadataStore(f.dir);
    try {
      await serve(f, sample(training, 300, 11));
      const calm = await checkModel(f.project(), store, { model: 'weather@champion', window: { last: 300 } });
      assert.equal(calm.window.rows, 300);
      assert.deepEqual(calm.reference, { dataset: 'today-training', version: 1, rows: training.length });
      assert.deepEqual(calm.report!.columns.map((c) => c.name), [...ENTITY_INPUTS]);
      assert.equal(calm.health, 'ok', calm.reason);

      // The reference predictions are the raw model's on the training set's feature columns, as written and trained on.
      const version = resolveModelVersion(f.project().paths, 'weather@champion');
      const model = loadModel(readModelArtifact(f.project(), version).toString('utf8'));
      const [header, ...rows] = fs.readFileSync(path.join(f.dir, 'data', 'today-training.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
      const predicted = predict(model, { header, rows });
      assert.equal(predicted.kind, 'classification');
      const histograms = checkHistograms(calm);
      assert.deepEqual(histograms.map((h) => h.column), [...ENTITY_INPUTS, 'prediction']);
      const output = histograms.at(-1)!;
      const labels = predicted.kind === 'classification' ? predicted.labels : [];
      assert.deepEqual(output.reference, output.categories!.map((c) => labels.filter((l) => l === c).length));

      await serve(f, sample(training, 300, 23), { temp_max: 8, temp_min: 8 });
      const warm = await checkModel(f.project(), store, { model: 'weather@champion', window: { last: 300 } });
      const drifted = warm.report!.columns.filter((c) => c.drift).map((c) => c.name);
      assert.deepEqual(drifted, ['temp_max', 'temp_min'], warm.reason);
      assert.notEqual(warm.health, 'ok');
      assert.match(warm.reason, /temp_max, temp_min/);
    } finally {
      store.close();
    }
  });
});
