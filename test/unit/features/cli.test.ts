import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildTrainingSet, buildTrainingSetInWorker } from '../../../src/core/features';
import { readParquetColumns } from '../../../src/core/data';
import { installPaths } from '../../../src/core/install';
import { makeProject, write } from '../data/projectFixture';
import { featureProject } from './featureProject';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

const DRIVERS = 'driver_id,event_timestamp,created,conv_rate,trips\nd1,2024-01-01T00:00:00,2024-01-01T00:00:00,0.4,10\nd1,2024-01-02T00:00:00,2024-01-02T00:00:00,0.6,40\nd1,2024-01-02T00:00:00,2024-01-02T01:00:00,0.7,45\nd2,2024-01-01T12:00:00,2024-01-01T12:00:00,0.9,31\n';
const FEATURES = `
features:
  entities:
    driver: { key: driver_id }
  views:
    driver_stats:
      entity: driver
      source: drivers
      timestamp: event_timestamp
      created: created
      ttl: 2d
      features:
        conv_rate: conv_rate
        trips: trips
        busy: "trips > 30 and conv_rate > 0.5"
        trips_7d_sum: { aggregate: sum, of: trips, window: 7d }
        trips_7d_count: { aggregate: count, window: 7d }
  services:
    driver_model: [driver_stats]
`;

describe('mlops features, end to end in a git project', () => {
  it('lists, builds, materializes and gets, as text and JSON', async () => {
    const { dir } = makeProject({ git: true });
    write(dir, 'data/drivers.csv', DRIVERS);
    assert.equal(mlops(dir, 'snapshot', 'data/drivers.csv', '--name', 'drivers').status, 0);
    fs.appendFileSync(path.join(dir, 'mlops.yaml'), FEATURES);
    assert.equal(mlops(dir, 'validate').status, 0);

    const list = JSON.parse(mlops(dir, 'features', 'list', '--json').stdout) as { views: { name: string; version: string; sourceVersion: string; features: { name: string; type: string }[] }[]; services: { name: string; features: string[] }[] };
    assert.equal(list.views[0].sourceVersion, 'drivers@1');
    assert.match(list.views[0].version, /^[0-9a-f]{16}$/);
    assert.deepEqual(list.views[0].features.map((f) => `${f.name}:${f.type}`), ['conv_rate:number', 'trips:number', 'busy:boolean', 'trips_7d_sum:number', 'trips_7d_count:number']);
    assert.equal(list.services[0].features.length, 5);

    write(dir, 'labels.csv', 'driver_id,ts,label\nd1,2024-01-02T00:00:00,1\nd2,2024-01-04T00:00:00,0\nd1,2023-12-31T00:00:00,0\nd3,2024-01-02T00:00:00,1\n');
    const built = mlops(dir, 'features', 'build', 'driver_model', '--entities', 'labels.csv', '--timestamp', 'ts', '--output', 'train.csv', '--json');
    assert.equal(built.status, 0, built.stderr);
    const summary = JSON.parse(built.stdout) as { rows: number; views: { name: string; version: string }[] };
    assert.equal(summary.rows, 4);
    assert.equal(summary.views[0].version, list.views[0].version);
    assert.equal(fs.readFileSync(path.join(dir, 'train.csv'), 'utf8'), [
      'driver_id,ts,label,driver_stats__conv_rate,driver_stats__trips,driver_stats__busy,driver_stats__trips_7d_sum,driver_stats__trips_7d_count',
      // The tie on 2024-01-02 goes to the later created row (45 trips); the window counts one row per event time.
      'd1,2024-01-02T00:00:00,1,0.7,45,true,55,2',
      // Two and a half days after d2's only row: expired past the 2d ttl, while its window still holds it.
      'd2,2024-01-04T00:00:00,0,,,,31,1',
      'd1,2023-12-31T00:00:00,0,,,,0,0',
      'd3,2024-01-02T00:00:00,1,,,,0,0',
    ].join('\n') + '\n');
    const toStdout = mlops(dir, 'features', 'build', 'driver_model', '--entities', 'labels.csv', '--timestamp', 'ts');
    assert.equal(toStdout.stdout, fs.readFileSync(path.join(dir, 'train.csv'), 'utf8'));

    const mat = mlops(dir, 'features', 'materialize', '--end', '2024-01-02T12:00:00Z', '--json');
    assert.equal(mat.status, 0, mat.stderr);
    assert.deepEqual((JSON.parse(mat.stdout) as { views: { view: string; entities: number }[] }).views.map((v) => [v.view, v.entities]), [['driver_stats', 2]]);
    const got = mlops(dir, 'features', 'get', 'driver_model', '--entity', 'driver_id=d1', '--at', '2024-01-03T00:00:00Z', '--json');
    assert.equal(got.status, 0, got.stderr);
    const vector = (JSON.parse(got.stdout) as { features: { name: string; value: unknown; status: string; eventTime: string }[] }).features;
    assert.deepEqual(vector.map((v) => [v.name, v.value, v.status]), [
      ['driver_stats__conv_rate', 0.7, 'present'], ['driver_stats__trips', 45, 'present'], ['driver_stats__busy', true, 'present'],
      ['driver_stats__trips_7d_sum', 55, 'present'], ['driver_stats__trips_7d_count', 2, 'present'],
    ]);
    assert.equal(vector[0].eventTime, '2024-01-02T00:00:00.000Z');
    const text = mlops(dir, 'features', 'get', 'driver_model', '--entity', 'driver_id=d2', '--at', '2024-01-10T00:00:00Z');
    assert.match(text.stdout, /driver_stats__trips +- +expired +2024-01-01T12:00:00\.000Z/);
    assert.match(mlops(dir, 'features', 'list').stdout, /busy: boolean = trips > 30 and conv_rate > 0\.5/);
  });

  it('shows definition problems in mlops validate at their line and column', async () => {
    const { dir } = await featureProject({ 'data/drivers.csv': DRIVERS }, FEATURES.replace('trips > 30', 'trip > 30'));
    const r = mlops(dir, 'validate');
    assert.equal(r.status, 1);
    const line = fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('trip > 30')) + 1;
    const column = fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8').split('\n')[line - 1].indexOf('trip >') + 1;
    assert.match(r.stderr, new RegExp(`mlops\\.yaml:${line}:${column}: error: Unknown column or feature "trip"\\. Did you mean "trips"\\?`));
  });
});

describe('bad input: a clear error naming the row, and nothing written', () => {
  async function project() {
    const made = await featureProject({ 'data/drivers.csv': DRIVERS }, FEATURES);
    return made;
  }
  const cases: [string, string, RegExp][] = [
    ['an unparseable timestamp', 'driver_id,event_timestamp\nd1,2024-01-02\nd2,yesterday\n', /labels\.csv, row 2 \(line 3\): "yesterday" in column event_timestamp is not an ISO 8601 date/],
    ['an impossible date', 'driver_id,event_timestamp\nd1,2024-02-30\n', /row 1 \(line 2\): "2024-02-30"/],
    ['an empty time', 'driver_id,event_timestamp\nd1,\n', /row 1 \(line 2\): the time column event_timestamp is empty/],
    ['a missing key column', 'driver,event_timestamp\nd1,2024-01-02\n', /has no key column "driver_id" of the entity driver/],
    ['a missing time column', 'driver_id,time\nd1,2024-01-02\n', /has no column "event_timestamp" with the time of each row/],
    ['a row with too many cells', 'driver_id,event_timestamp\nd1,2024-01-02\nd2,2024-01-02,extra\n', /not a table: row 2 \(line 3\) has 3 cells where the header has 2/],
    ['a column that clashes with a feature column', 'driver_id,event_timestamp,driver_stats__trips\nd1,2024-01-02,3\n', /already has a column "driver_stats__trips"/],
  ];
  for (const [what, csv, message] of cases) {
    it(what, async () => {
      const { dir, project: open } = await project();
      write(dir, 'labels.csv', csv);
      await assert.rejects(buildTrainingSet(open(), 'driver_model', 'labels.csv', { output: 'out/train.csv' }), message);
      assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'nothing written');
    });
  }
  it('an entity file that is not tabular', async () => {
    const { dir, project: open } = await project();
    write(dir, 'labels.json', '{"driver_id": "d1"}');
    await assert.rejects(buildTrainingSet(open(), 'driver_model', 'labels.json'), /labels\.json is not a table: only CSV, TSV and Parquet files are read/);
  });
  it('a duplicate feature name in mlops.yaml', async () => {
    const { dir } = await featureProject({ 'data/drivers.csv': DRIVERS }, FEATURES.replace('        trips: trips\n', '        trips: trips\n        trips: conv_rate\n'));
    const r = mlops(dir, 'validate');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /mlops\.yaml:\d+:\d+: error: YAML syntax: Map keys must be unique/);
  });
  it('an output that is neither CSV nor Parquet is refused with what to do, before any work', async () => {
    const { dir, project: open } = await project();
    write(dir, 'labels.csv', 'driver_id,event_timestamp\nd1,2024-01-02\n');
    await assert.rejects(buildTrainingSet(open(), 'driver_model', 'labels.csv', { output: 'out/train.xlsx' }), /written as CSV or Parquet/);
    assert.equal(fs.existsSync(path.join(dir, 'out')), false);
  });
});

describe('Parquet output and snapshots of a training set', () => {
  it('writes Parquet that the project\'s Parquet reader reads back as the CSV\'s cells, typed', async () => {
    const { dir, project: open } = await featureProject({ 'data/drivers.csv': DRIVERS }, FEATURES);
    write(dir, 'labels.csv', 'driver_id,ts,label\nd1,2024-01-02T00:00:00,1\nd2,2024-01-04T00:00:00,0\nd3,2024-01-02T00:00:00,1\n');
    await buildTrainingSet(open(), 'driver_model', 'labels.csv', { timestamp: 'ts', output: 'train.csv' });
    const set = await buildTrainingSet(open(), 'driver_model', 'labels.csv', { timestamp: 'ts', output: 'train.parquet' });
    assert.equal(set.output, path.join(dir, 'train.parquet'));
    const [header, ...rows] = fs.readFileSync(path.join(dir, 'train.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    const read = await readParquetColumns(path.join(dir, 'train.parquet'), new Set());
    assert.deepEqual(read.names, header);
    assert.equal(read.rows, 3);
    const cells = read.columns.map((c) => (c!.kind === 'numeric' ? Array.from(c!.values, (v) => (Number.isNaN(v) ? '' : String(v))) : c!.values.map((v) => v ?? '')));
    assert.deepEqual(rows, [0, 1, 2].map((r) => cells.map((column) => column[r])));
    // Numbers stay numbers (the reader sees a numeric column), booleans and the entity rows' text stay text.
    assert.deepEqual(read.columns.map((c) => c!.kind), ['text', 'text', 'text', 'numeric', 'numeric', 'text', 'numeric', 'numeric']);
  });

  it('--snapshot records the set as a dataset version with lineage to the service and each view version', async () => {
    const { dir } = makeProject({ git: true });
    write(dir, 'data/drivers.csv', DRIVERS);
    assert.equal(mlops(dir, 'snapshot', 'data/drivers.csv', '--name', 'drivers').status, 0);
    fs.appendFileSync(path.join(dir, 'mlops.yaml'), FEATURES);
    write(dir, 'labels.csv', 'driver_id,event_timestamp,label\nd1,2024-01-02,1\nd2,2024-01-02,0\n');
    assert.equal(mlops(dir, 'features', 'build', 'driver_model', '--entities', 'labels.csv', '--snapshot', 'driver-training').status, 2, 'no --output: a usage mistake');
    const built = mlops(dir, 'features', 'build', 'driver_model', '--entities', 'labels.csv', '--output', 'data/driver-training.parquet', '--snapshot', 'driver-training', '--json');
    assert.equal(built.status, 0, built.stderr);
    const summary = JSON.parse(built.stdout) as { serviceVersion: string; views: { name: string; version: string; source: string }[]; snapshot: { dataset: string; version: number; digest: string; created: boolean } };
    assert.match(summary.serviceVersion, /^[0-9a-f]{16}$/);
    assert.deepEqual({ ...summary.snapshot, digest: undefined }, { dataset: 'driver-training', version: 1, digest: undefined, created: true });
    const versions = JSON.parse(mlops(dir, 'versions', 'driver-training', '--json').stdout) as { versions: { id: number; digest: string; rows: number; lineage: unknown }[] };
    assert.equal(versions.versions[0].digest, summary.snapshot.digest);
    assert.equal(versions.versions[0].rows, 2);
    assert.deepEqual(versions.versions[0].lineage, { featureService: { name: 'driver_model', version: summary.serviceVersion, views: summary.views } });
    assert.equal(summary.views[0].source, 'drivers@1');
    // The same set again is the same data: no new version.
    const again = JSON.parse(mlops(dir, 'features', 'build', 'driver_model', '--entities', 'labels.csv', '--output', 'data/driver-training.parquet', '--snapshot', 'driver-training', '--json').stdout) as { snapshot: { version: number; created: boolean } };
    assert.deepEqual(again.snapshot && [again.snapshot.version, again.snapshot.created], [1, false]);
  });
});

describe('training sets on a worker thread', () => {
  it('builds the same file as in process, with progress', async () => {
    const { dir, project: open } = await featureProject({ 'data/drivers.csv': DRIVERS }, FEATURES);
    write(dir, 'labels.csv', 'driver_id,event_timestamp\nd1,2024-01-02\nd2,2024-01-02\n');
    await buildTrainingSet(open(), 'driver_model', 'labels.csv', { output: 'here.csv' });
    const phases: string[] = [];
    const result = await buildTrainingSetInWorker(dir, 'driver_model', 'labels.csv', { output: 'there.csv', onProgress: (p) => phases.push(p.phase) });
    assert.equal(result.rows, 2);
    assert.deepEqual([...new Set(phases)], ['reading', 'joining', 'writing']);
    assert.equal(fs.readFileSync(path.join(dir, 'there.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'here.csv'), 'utf8'));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(buildTrainingSetInWorker(dir, 'driver_model', 'labels.csv', { output: 'cancelled.csv', signal: controller.signal }), /Cancelled/);
    assert.equal(fs.existsSync(path.join(dir, 'cancelled.csv')), false);
  });
});
