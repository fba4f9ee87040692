import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { snapshotDataset } from '../../../src/core/data';
import { buildTrainingSet, getOnlineFeatures, materialize, onlineDir, OnlineFeatures, parseTimestamp, valueAt } from '../../../src/core/features';
import { installPaths } from '../../../src/core/install';
import { initProject, openProject, type Project } from '../../../src/core/workspace';
import { featureProject, write } from './featureProject';

async function sampleProject(extraFeatures = ''): Promise<{ dir: string; project: () => Project }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-features-'));
  initProject(dir, { sampleDir: installPaths().sample, sample: true });
  if (extraFeatures) {
    const file = path.join(dir, 'mlops.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  services:\n', `${extraFeatures}  services:\n`));
  }
  await snapshotDataset(openProject(dir), 'data/weather.csv', { git: 'off' });
  return { dir, project: () => openProject(dir) };
}

const at = (iso: string) => parseTimestamp(iso)!;

/** What the sample's on-demand features read from a request: the day's measurements. */
const REQUEST = { precipitation: 1.2, temp_max: 15.5, temp_min: 7.25, wind: 3.5 };

/** The training vector of every entity at `time`, as [entity, column, value] triples, through the offline path. */
async function offlineVectors(dir: string, project: Project, entities: string[], time: string, extra = ''): Promise<Map<string, Map<string, unknown>>> {
  const names = [...Object.keys(REQUEST), ...(extra ? ['offset'] : [])];
  const values = [...Object.values(REQUEST), ...(extra ? [extra] : [])];
  write(dir, 'at.csv', `location,event_timestamp,${names.join(',')}\n${entities.map((e) => `${e},${time},${values.join(',')}`).join('\n')}\n`);
  const set = await buildTrainingSet(project, 'weather_history', 'at.csv');
  const out = new Map<string, Map<string, unknown>>();
  entities.forEach((entity, r) => out.set(entity, new Map(set.columns.map((c, j) => [c.name, valueAt(set.data[j], r)]))));
  return out;
}

describe('online store', () => {
  it('gives, for every entity of the sample, the vector a training row at the materialization time gets', async () => {
    const { dir, project } = await sampleProject();
    for (const end of ['2015-12-31', '2013-06-15T12:00:00Z']) {
      const [result] = await materialize(project(), undefined, at(end));
      assert.equal(result.entities, 2);
      const offline = await offlineVectors(dir, project(), ['Seattle', 'New York'], end);
      const online = getOnlineFeatures(project(), 'weather_history', [{ location: 'Seattle' }, { location: 'New York' }], { at: at(end), request: REQUEST });
      assert.equal(online.length, 2);
      ['Seattle', 'New York'].forEach((entity, i) => {
        assert.equal(online[i].length, 8);
        for (const v of online[i]) {
          assert.equal(v.value, offline.get(entity)!.get(v.name), `${entity} ${v.name} at ${end}`);
          assert.equal(v.status, 'present');
        }
      });
    }
    const seattle = getOnlineFeatures(project(), 'weather_history', [{ location: 'Seattle' }], { at: at('2013-06-15T12:00:00Z'), request: REQUEST })[0];
    assert.equal(seattle.find((v) => v.name === 'daily_weather__temp_range')!.value, REQUEST.temp_max - REQUEST.temp_min, 'computed from the request');
    const mean = seattle.find((v) => v.name === 'daily_weather__temp_max_7d_mean')!;
    const lines = fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8').split('\n');
    const week = ['09', '10', '11', '12', '13', '14', '15'].map((d) => Number(lines.find((l) => l.startsWith(`Seattle,2013-06-${d}`))!.split(',')[3]));
    assert.ok(Math.abs((mean.value as number) - week.reduce((a, b) => a + b, 0) / 7) < 1e-9, 'the 7 days up to the time: 2013-06-09 to 2013-06-15');
    assert.equal(mean.eventTime, '2013-06-15T12:00:00.000Z', 'an aggregate is as of its window\'s end');
  });

  it('evaluates on-demand features from request inputs the same way online and offline', async () => {
    const { dir, project } = await sampleProject('        warm_adjusted: "temp_max_7d_mean + request.offset"\n        windy_month: "if(wind_30d_mean > 4, month(date), 0)"\n');
    await materialize(project(), ['daily_weather'], at('2014-02-01'));
    const offline = await offlineVectors(dir, project(), ['Seattle'], '2014-02-01', '2.5');
    const [online] = getOnlineFeatures(project(), 'weather_history', [{ location: 'Seattle' }], { at: at('2014-02-01'), request: { ...REQUEST, offset: 2.5 } });
    for (const v of online) assert.equal(v.value, offline.get('Seattle')!.get(v.name), v.name);
    assert.equal(online.find((v) => v.feature === 'warm_adjusted')!.value, (online.find((v) => v.feature === 'temp_max_7d_mean')!.value as number) + 2.5);
  });

  it('enforces the TTL on read: expired past ttl, missing for an unknown entity', async () => {
    const { project } = await featureProject(
      { 'drivers.csv': 'driver_id,event_timestamp,trips\nd1,2024-01-01T00:00:00,10\nd1,2024-01-03T00:00:00,12\nd2,2024-01-02T00:00:00,7\n' },
      `
features:
  entities:
    driver: { key: driver_id }
  views:
    stats:
      entity: driver
      source: drivers
      timestamp: event_timestamp
      ttl: 2d
      features:
        trips: trips
        trips_7d: { aggregate: sum, of: trips, window: 7d }
  services:
    model: [stats]
`);
    await materialize(project(), undefined, at('2024-01-03T00:00:00Z'));
    const online = new OnlineFeatures(project());
    const look = (driver: string, time: string) => online.lookup('model', { driver_id: driver }, { at: at(time) });
    assert.deepEqual(look('d1', '2024-01-04T00:00:00Z').map((v) => [v.feature, v.value, v.status, v.eventTime]), [
      ['trips', 12, 'present', '2024-01-03T00:00:00.000Z'],
      ['trips_7d', 22, 'present', '2024-01-03T00:00:00.000Z'],
    ]);
    assert.deepEqual(look('d1', '2024-01-05T00:00:00Z').map((v) => v.status), ['present', 'present'], 'exactly ttl old is still valid');
    assert.deepEqual(look('d2', '2024-01-04T00:00:01Z').map((v) => [v.value, v.status]), [[null, 'expired'], [7, 'present']]);
    assert.deepEqual(look('d1', '2024-01-06T00:00:00Z').map((v) => [v.value, v.status]), [[null, 'expired'], [null, 'expired']]);
    assert.deepEqual(look('ghost', '2024-01-03T00:00:00Z').map((v) => [v.value, v.status, v.eventTime]), [[null, 'missing', null], [null, 'missing', null]]);
  });

  it('materializes incrementally to the same store a full rebuild writes, and replaces it atomically', async () => {
    const { project } = await sampleProject();
    const first = await materialize(project(), undefined, at('2015-06-01'));
    assert.equal(first[0].incremental, false);
    const later = await materialize(project(), undefined, at('2015-12-01'));
    assert.deepEqual([later[0].incremental, later[0].updated], [true, 2]);
    const lookups = (p: Project) => getOnlineFeatures(p, 'weather_history', [{ location: 'Seattle' }, { location: 'New York' }], { at: at('2015-12-01') });
    const incremental = lookups(project());
    fs.rmSync(onlineDir(project()), { recursive: true });
    await materialize(project(), undefined, at('2015-12-01'));
    assert.deepEqual(lookups(project()), incremental);

    // The data ends 2015-12-31: once the last end is a 30-day window past it, nothing can change any more.
    assert.equal((await materialize(project(), undefined, at('2016-03-01')))[0].updated, 2);
    const again = await materialize(project(), undefined, at('2016-04-01'));
    assert.deepEqual([again[0].incremental, again[0].updated], [true, 0]);

    const file = path.join(onlineDir(project()), 'daily_weather.features');
    const before = fs.readFileSync(file);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(materialize(project(), undefined, at('2016-06-01'), controller.signal), /Cancelled/);
    assert.deepEqual(fs.readFileSync(file), before, 'a cancelled materialization leaves the store as it was');
    assert.deepEqual(fs.readdirSync(onlineDir(project())), ['daily_weather.features'], 'no temporary is left');
  });
});
