import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { refitFromConfig, runAutoml } from '../../../src/core/automl';
import { MlopsError } from '../../../src/core/errors';
import { openMetadataStore } from '../../../src/core/metadata';
import { exportOnnx, loadModel, predict } from '../../../src/core/train';
import { modelOfRun, predictFile } from '../../../src/core/models';
import { sampleProject } from './sampleProject';


describe('AutoML column roles', () => {
  it('trains the sample on the parts of its date, never on the date as categories, and refits the same bytes', async () => {
    const dir = await sampleProject();
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { maxTrials: 4 });
    const model = loadModel(Buffer.from(modelOfRun(store, result.runId).bytes).toString('utf8'));
    store.close();
    assert.equal(model.features.some((f) => f.name === 'date'), false);
    assert.deepEqual(model.features.filter((f) => f.kind === 'numeric' && f.datePart).map((f) => f.name), ['date.year', 'date.month', 'date.dayOfYear', 'date.dayOfWeek']);
    const date = result.columns.find((c) => c.column === 'date');
    assert.deepEqual(date, { column: 'date', use: 'feature', encoding: 'date parts', parts: ['year', 'month', 'dayOfYear', 'dayOfWeek'], role: 'timestamp' });
    assert.deepEqual(result.columns.find((c) => c.column === 'location'), { column: 'location', use: 'feature', encoding: 'categories', categories: 2, role: 'entity' });
    assert.deepEqual(result.columns.find((c) => c.column === 'weather'), { column: 'weather', use: 'target' });
    assert.deepEqual(result.trainingConfig.dated, [{ column: 'date', parts: ['year', 'month', 'dayOfYear', 'dayOfWeek'] }]);
    assert.equal((await refitFromConfig(dir, result.trainingConfig)).sha256, result.model.sha256);
  });

  it('derives the date parts at predict time from the raw date, in mlops predict as in the predict API', async () => {
    const dir = await sampleProject();
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { maxTrials: 2 });
    const bytes = modelOfRun(store, result.runId).bytes;
    store.close();
    const model = loadModel(Buffer.from(bytes).toString('utf8'));
    const rows = [
      { location: 'Seattle', date: '2013-01-15', precipitation: 5.1, temp_max: 7.2, temp_min: 2.8, wind: 4.1 },
      { location: 'New York', date: '2015-07-04', precipitation: 0, temp_max: 31, temp_min: 22, wind: 2 },
    ];
    const input = path.join(dir, 'in.csv');
    fs.writeFileSync(input, 'location,date,precipitation,temp_max,temp_min,wind\n' + rows.map((r) => Object.values(r).join(',')).join('\n') + '\n');
    await predictFile(bytes, input, path.join(dir, 'out.csv'));
    const written = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[6]);
    const api = predict(model, rows);
    assert.equal(api.kind, 'classification');
    assert.deepEqual(written, api.kind === 'classification' ? api.labels : []);
    // The same day given as its parts (what the date means) gives the same probabilities as the date itself.
    const X = predict(model, [{ ...rows[0], date: '2013-01-15T00:00' }]);
    assert.deepEqual(X.kind === 'classification' && Array.from(X.probabilities), api.kind === 'classification' && Array.from(api.probabilities.slice(0, model.classes!.length)));
  });

  it('refuses to export date parts to ONNX, saying what to do', async () => {
    const dir = await sampleProject();
    const store = await openMetadataStore(dir);
    const result = await runAutoml(store, { maxTrials: 2, families: ['gbdt'] });
    const model = loadModel(Buffer.from(modelOfRun(store, result.runId).bytes).toString('utf8'));
    store.close();
    assert.throws(() => exportOnnx(model), (err: unknown) => err instanceof MlopsError && err.code === 'NOT_EXPORTABLE' && /date/.test(err.message) && /training\.ignore/.test(err.hint ?? ''));
  });

  it('leaves out training.ignore and what training.features does not list, and records why', async () => {
    const dir = await sampleProject('  ignore: [date]\n');
    const store = await openMetadataStore(dir);
    const ignored = await runAutoml(store, { maxTrials: 2 });
    store.close();
    assert.deepEqual(ignored.columns.find((c) => c.column === 'date'), { column: 'date', use: 'excluded', reason: 'ignored', role: 'timestamp' });
    assert.deepEqual(ignored.excluded, ['date']);
    assert.equal(ignored.trainingConfig.dated?.length, 0);
    assert.equal((await refitFromConfig(dir, ignored.trainingConfig)).sha256, ignored.model.sha256);

    const listed = await sampleProject('  features: [temp_max, temp_min]\n');
    const listedStore = await openMetadataStore(listed);
    const chosen = await runAutoml(listedStore, { maxTrials: 2 });
    const model = loadModel(Buffer.from(modelOfRun(listedStore, chosen.runId).bytes).toString('utf8'));
    listedStore.close();
    assert.deepEqual(model.features.map((f) => f.name), ['temp_max', 'temp_min']);
    assert.deepEqual(chosen.columns.filter((c) => c.use === 'excluded').map((c) => [c.column, c.reason]), [['location', 'not listed'], ['date', 'not listed'], ['precipitation', 'not listed'], ['wind', 'not listed']]);
  });

  it('refuses a training.features name the data does not have, listing the columns', async () => {
    const dir = await sampleProject('  features: [temp_max, humidity]\n');
    await assert.rejects(runAutoml(await openMetadataStore(dir), { maxTrials: 2 }), (err: unknown) => err instanceof MlopsError && err.code === 'BAD_COLUMNS' && /humidity/.test(err.message) && /location, date/.test(err.hint ?? ''));
  });
});
