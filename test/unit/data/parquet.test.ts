import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { datasetColumns } from '../../../src/core/automl';
import { profileFile, snapshotDataset } from '../../../src/core/data';
import { profileParquet } from '../../../src/core/data/parquet';
import { installPaths } from '../../../src/core/install';
import { makeProject, write } from './projectFixture';

type Columns = Parameters<typeof parquetWriteBuffer>[0]['columnData'];
const parquet = (columnData: Columns, rowGroupSize?: number) => Buffer.from(parquetWriteBuffer({ columnData, ...(rowGroupSize ? { rowGroupSize } : {}) }));
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

/** The sample's weather CSV as Parquet: numbers as DOUBLE, the rest as STRING, empty cells as nulls. */
function weatherAsParquet(rowGroupSize: number): { csv: string; table: Buffer } {
  const csv = path.join(installPaths().sample, 'weather.csv');
  const [header, ...rows] = fs.readFileSync(csv, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
  const columnData: Columns = header.map((name, j) => {
    const cells = rows.map((r) => r[j]);
    return cells.every((c) => c === '' || !Number.isNaN(Number(c)))
      ? { name, type: 'DOUBLE', data: cells.map((c) => (c === '' ? null : Number(c))) }
      : { name, type: 'STRING', data: cells.map((c) => (c === '' ? null : c)) };
  });
  return { csv, table: parquet(columnData, rowGroupSize) };
}

describe('Parquet profiles', () => {
  it('a Parquet table gets exactly the profile its CSV gets, read across row groups', async () => {
    const { csv, table } = weatherAsParquet(1000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-parquet-')), 'weather.parquet');
    fs.writeFileSync(file, table);
    const fromCsv = profileFile(csv, 'csv');
    const fromParquet = await profileParquet(file);
    assert.equal(fromParquet.format, 'parquet');
    assert.equal(fromParquet.rows, 2922);
    assert.deepEqual(fromParquet.columns, fromCsv.columns);
  });

  it('keeps the Parquet types: whole doubles stay float, 64-bit integers, timestamps, booleans, nested values as text', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-parquet-')), 'types.parquet');
    fs.writeFileSync(file, parquet([
      { name: 'whole', type: 'DOUBLE', data: [1, 2, null, 4] },
      { name: 'big', type: 'INT64', data: [1n, 2n, 3n, 9007199254740993n] },
      { name: 'at', type: 'TIMESTAMP', data: [new Date('2026-01-01T00:00:00Z'), new Date('2026-06-30T12:00:00Z'), null, null] },
      { name: 'ok', type: 'BOOLEAN', data: [true, false, true, null] },
      { name: 'tags', type: 'JSON', data: [{ a: 1 }, { a: 1 }, [1, 2], null] },
    ]));
    const profile = await profileParquet(file);
    const by = Object.fromEntries(profile.columns.map((c) => [c.name, c]));
    assert.deepEqual(profile.columns.map((c) => [c.name, c.type, c.nulls]), [
      ['whole', 'float', 1], ['big', 'integer', 0], ['at', 'datetime', 2], ['ok', 'boolean', 1], ['tags', 'string', 1],
    ]);
    assert.deepEqual([by.whole.min, by.whole.max], [1, 4]);
    assert.deepEqual([by.at.min, by.at.max], ['2026-01-01T00:00:00.000Z', '2026-06-30T12:00:00.000Z']);
    assert.equal(by.tags.distinct, 2);
  });

  it('a snapshot stores a Parquet version\'s profile; a damaged file is versioned without one, and says why', async () => {
    const { dir, project } = makeProject();
    write(dir, 'data/weather.parquet', weatherAsParquet(100_000).table);
    const first = await snapshotDataset(project(), 'data/weather.parquet', { git: 'off' });
    assert.deepEqual([first.version.rows, first.version.columns, first.notes], [2922, 7, []]);
    assert.ok(first.version.profile);
    const shown = mlops(dir, 'versions', 'weather', '--json');
    assert.equal((JSON.parse(shown.stdout) as { versions: { rows: number }[] }).versions[0].rows, 2922);

    const whole = fs.readFileSync(path.join(dir, 'data/weather.parquet'));
    write(dir, 'data/weather.parquet', whole.subarray(0, whole.length - 200));
    const damaged = await snapshotDataset(project(), 'data/weather.parquet', { git: 'off' });
    assert.equal(damaged.created, true);
    assert.equal(damaged.version.profile, undefined);
    assert.match(damaged.notes.join('\n'), /weather\.parquet is versioned without a profile\. It cannot be read as Parquet: /);

    // the whole file again: version 3, whose profile is version 1's, and the two compare by their profiles
    write(dir, 'data/weather.parquet', whole);
    const third = await snapshotDataset(project(), 'data/weather.parquet', { git: 'off' });
    assert.equal(third.version.profile, first.version.profile);
    const compared = mlops(dir, 'diff', 'weather@1', 'weather@3', '--json');
    assert.equal(compared.status, 0, compared.stderr);
    assert.deepEqual((JSON.parse(compared.stdout) as { table: { rows: { from: number; to: number } } }).table.rows, { from: 2922, to: 2922 });
  });

  it('rows of two Parquet versions compare by key, across row groups', () => {
    const { dir } = makeProject();
    const table = (ids: number[], values: number[]) => parquet([{ name: 'id', type: 'INT64', data: ids.map(BigInt) }, { name: 'v', type: 'DOUBLE', data: values }], 2);
    write(dir, 't.parquet', table([1, 2, 3], [10, 20, 30]));
    assert.equal(mlops(dir, 'snapshot', 't.parquet').status, 0);
    write(dir, 't.parquet', table([1, 2, 4], [10, 21, 40]));
    assert.equal(mlops(dir, 'snapshot', 't.parquet').status, 0);
    const diff = mlops(dir, 'diff', 't@1', 't@2', '--key', 'id');
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, /by id: 1 added, 1 removed, 1 changed, 1 unchanged/);
  });

  it('AutoML trains on a Parquet version the very model it trains on the same table as CSV, which predicts the same from either', () => {
    const { dir } = makeProject();
    const { csv, table } = weatherAsParquet(1000);
    write(dir, 'data/weather.csv', fs.readFileSync(csv));
    write(dir, 'data/weather_pq.parquet', table);
    for (const file of ['data/weather.csv', 'data/weather_pq.parquet']) assert.equal(mlops(dir, 'snapshot', file).status, 0);
    assert.deepEqual(datasetColumns(dir, 'weather_pq'), ['location', 'date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    const train = (dataset: string) => {
      const r = mlops(dir, 'train', '--dataset', dataset, '--target', 'weather', '--max-trials', '3', '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { runId: string; bestScore: number; model: { sha256: string } };
    };
    const fromCsv = train('weather');
    const fromParquet = train('weather_pq');
    assert.equal(fromParquet.bestScore, fromCsv.bestScore);
    assert.equal(fromParquet.model.sha256, fromCsv.model.sha256);
    // the version reproduces from its Parquet data in the cache
    assert.equal(mlops(dir, 'register', fromParquet.runId, '--model', 'weather').status, 0);
    const reproduced = mlops(dir, 'reproduce', 'weather/1', '--json');
    assert.equal(reproduced.status, 0, reproduced.stderr);
    assert.equal((JSON.parse(reproduced.stdout) as { identical: boolean }).identical, true);
    // predictions from the Parquet file are those from its CSV, row for row
    for (const [input, output] of [['data/weather_pq.parquet', 'from-parquet.csv'], ['data/weather.csv', 'from-csv.csv']]) {
      const predicted = mlops(dir, 'predict', '--run', fromParquet.runId, '--input', input, '--output', output);
      assert.equal(predicted.status, 0, predicted.stderr);
    }
    // the input's own cells are echoed as each format writes them (0.0 or 0); the predicted columns must agree
    const predictions = (file: string) => {
      const lines = fs.readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
      const first = lines[0].indexOf('prediction');
      return lines.map((cells) => cells.slice(first).join(','));
    };
    const fromCsvRows = predictions('from-csv.csv');
    assert.equal(fromCsvRows.length, 2923);
    assert.deepEqual(predictions('from-parquet.csv'), fromCsvRows);
  });
});
