import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { checkHistograms, checkModel, monitorChecks } from '../../../src/core/monitor';
import { logDir } from '../../../src/core/serve';
import { hexOf, ObjectCache } from '../../../src/core/storage';
import { monitoredProject, sample, weatherRows, type WeatherRow } from './modelFixture';

const MINUTE = 60_000;

/** One single-row request a minute from `start`, ids r0, r1... */
function requests(rows: readonly WeatherRow[], start: Date, prefix = 'r') {
  return rows.map((row, i) => ({ id: `${prefix}${i}`, time: new Date(start.getTime() + i * MINUTE), rows: [row] }));
}

async function withStore<T>(f: Awaited<ReturnType<typeof monitoredProject>>, work: (store: Awaited<ReturnType<typeof f.store>>) => Promise<T>): Promise<T> {
  const store = await f.store();
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

describe('checkModel: a window of the prediction log against the training data', () => {
  it('a window of the other city\'s days is drift, a window of the same city\'s days is ok', async () => {
    const f = await monitoredProject();
    const { seattle, newYork } = weatherRows();
    const now = Date.now();
    // 400 requests a minute apart: Seattle's from 20 hours ago, New York's from 10 hours ago
    await f.log(requests(sample(seattle, 400, 3), new Date(now - 20 * 60 * MINUTE), 's'));
    await f.log(requests(sample(newYork, 400, 5), new Date(now - 10 * 60 * MINUTE), 'n'));
    await withStore(f, async (store) => {
      const same = await checkModel(f.project(), store, { model: 'weather@champion', window: { since: new Date(now - 21 * 60 * MINUTE).toISOString(), until: new Date(now - 12 * 60 * MINUTE).toISOString() } });
      assert.equal(same.window.rows, 400);
      assert.equal(same.health, 'ok', same.reason);
      assert.equal(same.report!.driftedColumns, 0);
      assert.deepEqual(same.report!.columns.map((c) => c.name), ['precipitation', 'temp_max', 'temp_min', 'wind']);
      assert.deepEqual(same.reference, { dataset: 'seattle', version: 1, rows: seattle.length });
      assert.equal(same.alias, 'champion');
      assert.equal(same.version, 1);

      const other = await checkModel(f.project(), store, { model: 'weather@champion', window: { last: 400 } });
      assert.equal(other.window.rows, 400);
      assert.equal(other.health, 'drift', other.reason);
      assert.ok(other.report!.datasetDrift);
      assert.ok(other.report!.columns.find((c) => c.name === 'temp_min')!.drift);
      assert.match(other.reason, /temp_min/);
      // both windows are over a thousand reference rows: distances, as Evidently chooses them
      assert.ok(other.report!.columns.every((c) => c.test === 'wasserstein'));
      assert.equal(other.predictionDrift!.name, 'prediction');
      assert.equal(other.predictionDrift!.type, 'categorical');
    });
  });

  it('last N, a duration and since/until pick exactly their predictions, across rotated log files', async () => {
    const f = await monitoredProject();
    const { seattle } = weatherRows();
    const start = new Date(Date.now() - 100 * MINUTE);
    await f.log(requests(seattle.slice(0, 100), start), { maxBytes: 4096 });
    const files = fs.readdirSync(logDir(f.project().paths));
    assert.ok(files.length > 3, files.join(', '));
    await withStore(f, async (store) => {
      const at = (i: number) => new Date(start.getTime() + i * MINUTE).toISOString();
      const last = await checkModel(f.project(), store, { model: 'weather/1', window: { last: 30 } });
      assert.deepEqual(last.window, { from: at(70), to: at(99), rows: 30 });
      // requests 80..99 are within the last 20.5 minutes
      const recent = await checkModel(f.project(), store, { model: 'weather/1', window: { duration: `${20.5 * 60}s` } });
      assert.deepEqual(recent.window, { from: at(80), to: at(99), rows: 20 });
      const range = await checkModel(f.project(), store, { model: 'weather/1', window: { since: at(10), until: at(25) } });
      assert.deepEqual(range.window, { from: at(10), to: at(24), rows: 15 });
      const lastOfRange = await checkModel(f.project(), store, { model: 'weather/1', window: { since: at(10), until: at(25), last: 5 } });
      assert.deepEqual(lastOfRange.window, { from: at(20), to: at(24), rows: 5 });
      await assert.rejects(checkModel(f.project(), store, { model: 'weather/1', window: { duration: 'soon' } }), (e: MlopsError) => e.code === 'BAD_WINDOW');
      await assert.rejects(checkModel(f.project(), store, { model: 'weather/1', window: { since: at(30), until: at(20) } }), (e: MlopsError) => e.code === 'BAD_WINDOW');
    });
  });

  it('reads only the model\'s own predictions, and the version\'s when one is named', async () => {
    const f = await monitoredProject();
    const { seattle } = weatherRows();
    const start = new Date(Date.now() - 60 * MINUTE);
    await f.log(requests(seattle.slice(0, 20), start, 'a'));
    await f.log(seattle.slice(20, 30).map((row, i) => ({ id: `b${i}`, time: new Date(start.getTime() + i * MINUTE), rows: [row], version: 2 })));
    await withStore(f, async (store) => {
      assert.equal((await checkModel(f.project(), store, { model: 'weather/1' })).window.rows, 20);
      assert.equal((await checkModel(f.project(), store, { model: 'weather@champion' })).window.rows, 30);
    });
  });

  it('measures the metric from feedback labels joined by request id, as a hand count does', async () => {
    const f = await monitoredProject();
    const { seattle } = weatherRows();
    const rows = sample(seattle, 60, 11);
    const start = new Date(Date.now() - 90 * MINUTE);
    await f.log(requests(rows, start));
    // one request of two rows: its one label says nothing about either row
    await f.log([{ id: 'pair', time: new Date(start.getTime() + 70 * MINUTE), rows: [rows[0], rows[1]] }]);
    const labelled = rows.slice(0, 40);
    const feedback = [...labelled.map((r, i) => ({ time: start.toISOString(), request_id: `r${i}`, label: r.weather })), { time: start.toISOString(), request_id: 'pair', label: 'sun' }];
    fs.appendFileSync(path.join(logDir(f.project().paths), 'feedback.jsonl'), feedback.map((e) => JSON.stringify(e)).join('\n') + '\n');

    // the hand count: the logged answers of r0..r39 against their true weather
    const logged = new Map<string, string>();
    for (const line of fs.readFileSync(path.join(logDir(f.project().paths), 'predictions.jsonl'), 'utf8').trim().split('\n')) {
      const record = JSON.parse(line) as { id: string; outputs: { prediction: string[] } };
      logged.set(record.id, record.outputs.prediction[0]);
    }
    const right = labelled.filter((r, i) => logged.get(`r${i}`) === r.weather).length;

    await withStore(f, async (store) => {
      const check = await checkModel(f.project(), store, { model: 'weather@champion' });
      assert.equal(check.decay!.metric, 'accuracy');
      assert.equal(check.decay!.validation, 0.8);
      assert.equal(check.decay!.labelled, 40);
      assert.equal(check.decay!.measured, right / 40);
      const estimated = check.decay!.estimated;
      assert.ok(estimated !== null && estimated > 0 && estimated <= 1);
      assert.equal(check.decay!.alert, 0.8 - right / 40 > 0.05 || 0.8 - estimated > 0.05);
    });
  });

  it('records checks in the store, lists them newest first, with the histograms a dashboard draws', async () => {
    const f = await monitoredProject();
    const { seattle, newYork } = weatherRows();
    await f.log(requests(sample(newYork, 200, 9), new Date(Date.now() - 300 * MINUTE)));
    const ids: string[] = [];
    await withStore(f, async (store) => {
      for (let i = 0; i < 3; i++) {
        ids.push((await checkModel(f.project(), store, { model: 'weather@champion', record: true })).id);
        await new Promise((r) => setTimeout(r, 3));
      }
      await checkModel(f.project(), store, { model: 'weather@champion' });
    });
    await withStore(f, async (store) => {
      const history = monitorChecks(store, { model: 'weather@champion' });
      assert.deepEqual(history.map((c) => c.id), [...ids].reverse());
      assert.deepEqual(monitorChecks(store, { limit: 2 }).map((c) => c.id), [ids[2], ids[1]]);
      assert.deepEqual(monitorChecks(store, { model: 'other' }), []);
      const check = history[0];
      assert.equal(check.health, 'drift');
      const histograms = checkHistograms(check);
      assert.deepEqual(histograms.map((h) => h.column), ['precipitation', 'temp_max', 'temp_min', 'wind', 'prediction']);
      for (const h of histograms) {
        assert.equal(h.reference.reduce((a, b) => a + b, 0), seattle.length, h.column);
        assert.equal(h.current.reduce((a, b) => a + b, 0), 200, h.column);
        assert.equal((h.edges?.length ?? h.categories!.length + 1) - 1, h.reference.length);
      }
    });
  });

  it('bad input: an empty window is no-data, and a model without lineage or without its data or a column says what to do', async () => {
    const f = await monitoredProject();
    await withStore(f, async (store) => {
      const empty = await checkModel(f.project(), store, { model: 'weather@champion', record: true });
      assert.equal(empty.health, 'no-data');
      assert.equal(empty.report, null);
      assert.equal(empty.window.rows, 0);
      assert.match(empty.reason, /send it traffic, or widen the window/);
      assert.deepEqual(monitorChecks(store).map((c) => c.health), ['no-data']);
    });

    const { seattle } = weatherRows();
    const start = new Date(Date.now() - 30 * MINUTE);
    await f.log(requests(seattle.slice(0, 10), start));
    const noWind = seattle.slice(10, 20).map((r) => ({ ...r, wind: Number.NaN }));
    fs.rmSync(logDir(f.project().paths), { recursive: true });
    await f.log(requests(noWind, start));
    await withStore(f, async (store) => {
      await assert.rejects(checkModel(f.project(), store, { model: 'weather@champion' }), (e: MlopsError) => e.code === 'MISSING_COLUMN' && /wind/.test(e.message) && /callers send/.test(e.hint!));
      fs.rmSync(new ObjectCache(f.project().paths.cache).pathOf(hexOf(f.dataDigest)));
      await assert.rejects(checkModel(f.project(), store, { model: 'weather@champion' }), (e: MlopsError) => e.code === 'MISSING_OBJECT' && /mlops pull/.test(e.hint!));
    });

    const orphan = await monitoredProject({ lineage: false });
    await withStore(orphan, async (store) => {
      await assert.rejects(checkModel(orphan.project(), store, { model: 'weather@champion' }), (e: MlopsError) => e.code === 'NO_LINEAGE' && /mlops train/.test(e.hint!));
    });
  });
});
