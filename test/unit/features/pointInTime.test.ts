import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildTrainingSet, valueAt, type Value } from '../../../src/core/features';
import { featureProject, write } from './featureProject';

interface Case {
  name: string;
  ttl: string | null;
  created: boolean;
  source_csv: string;
  entities_csv: string;
  columns: string[];
  rows: Value[][];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'features', 'point-in-time.json'), 'utf8')) as { cases: Case[] };

function config(c: Case): string {
  return `
features:
  entities:
    thing: { key: key }
  views:
    stats:
      entity: thing
      source: source
      timestamp: event_timestamp
${c.created ? '      created: created\n' : ''}${c.ttl ? `      ttl: ${c.ttl}\n` : ''}      features:
        x: x
        n: n
        city: city
        x2: x * 2 + n
        x_3d_sum: { aggregate: sum, of: x, window: 3d }
        x_3d_mean: { aggregate: mean, of: x, window: 3d }
        n_3d_min: { aggregate: min, of: n, window: 3d }
        n_3d_max: { aggregate: max, of: n, window: 3d }
        rows_3d: { aggregate: count, window: 3d }
        x_3d_count: { aggregate: count, of: x, window: 3d }
        city_3d_last: { aggregate: last, of: city, window: 3d }
  services:
    all: [stats]
`;
}

describe('point-in-time training sets equal pandas merge_asof and brute-force windows', () => {
  for (const c of fixture.cases) {
    it(`case ${c.name}: every value of every row, in the entity rows' order`, async () => {
      const { dir, project } = await featureProject({ 'source.csv': c.source_csv }, config(c));
      write(dir, 'entities.csv', c.entities_csv);
      const set = await buildTrainingSet(project(), 'all', 'entities.csv');
      assert.deepEqual(set.columns.map((col) => col.name), c.columns);
      assert.equal(set.rows, c.rows.length);
      for (let r = 0; r < set.rows; r++) {
        const got = set.data.map((column) => valueAt(column, r));
        assert.deepEqual(got, c.rows[r], `row ${r + 1}`);
      }
      // The data must exercise what it claims to: matches, nulls from missing entities or expiry, empty windows.
      const xAt = c.columns.indexOf('stats__x');
      const countAt = c.columns.indexOf('stats__rows_3d');
      assert.ok(c.rows.some((row) => row[xAt] !== null) && c.rows.some((row) => row[xAt] === null));
      assert.ok(c.rows.some((row) => row[countAt] === 0) && c.rows.some((row) => (row[countAt] as number) > 1));
    });
  }

  it('writes the same set as CSV, atomically, and a second build gives identical bytes', async () => {
    const c = fixture.cases[0];
    const { dir, project } = await featureProject({ 'source.csv': c.source_csv }, config(c));
    write(dir, 'entities.csv', c.entities_csv);
    await buildTrainingSet(project(), 'all', 'entities.csv', { output: 'out/train.csv' });
    const first = fs.readFileSync(path.join(dir, 'out', 'train.csv'), 'utf8');
    await buildTrainingSet(project(), 'all', 'entities.csv', { output: 'out/train.csv' });
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'train.csv'), 'utf8'), first);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')), ['train.csv'], 'no temporary left beside it');
    const lines = first.trimEnd().split('\n');
    assert.equal(lines[0], c.columns.join(','));
    assert.equal(lines.length, c.rows.length + 1);
    const entityLines = c.entities_csv.trimEnd().split('\n');
    for (let r = 1; r < lines.length; r++) assert.ok(lines[r].startsWith(entityLines[r] + ','), `row ${r} keeps the entity row's own cells first`);
  });

  it('stops when cancelled and writes nothing', async () => {
    const c = fixture.cases[0];
    const { dir, project } = await featureProject({ 'source.csv': c.source_csv }, config(c));
    write(dir, 'entities.csv', c.entities_csv);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(buildTrainingSet(project(), 'all', 'entities.csv', { output: 'train.csv', signal: controller.signal }), /Cancelled/);
    assert.equal(fs.existsSync(path.join(dir, 'train.csv')), false);
  });
});
