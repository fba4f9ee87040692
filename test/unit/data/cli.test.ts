import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../../../src/cli/args';
import { installPaths } from '../../../src/core/install';
import { makeProject, write } from './projectFixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

describe('short option aliases', () => {
  const specs = [{ name: 'message', short: 'm', type: 'string' as const, description: 'd' }, { name: 'force', short: 'f', type: 'boolean' as const, description: 'd' }];
  it('reads -m VALUE as --message VALUE, and a boolean alias as its flag', () => {
    assert.deepEqual(parseArgs(['data', '-m', 'new rows', '-f'], specs).options, { message: 'new rows', force: true });
    assert.deepEqual(parseArgs(['-'], specs).positionals, ['-']);
  });
  it('refuses an unknown alias and an alias without its value', () => {
    assert.throws(() => parseArgs(['-x'], specs), /Unknown option -x\./);
    assert.throws(() => parseArgs(['-m'], specs), /--message needs a value/);
  });
});

describe('mlops data commands', () => {
  it('diffs rows by a composite key, by default the declared entity and timestamp, and refuses a key that repeats', () => {
    const { dir } = makeProject();
    const config = path.join(dir, 'mlops.yaml');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('datasets: {}', 'datasets:\n  w:\n    path: w.csv\n    entity: location\n    timestamp: date'));
    write(dir, 'w.csv', 'location,date,temp\nSeattle,2012-01-01,5\nNew York,2012-01-01,2\nSeattle,2012-01-02,6\nNew York,2012-01-02,3\n');
    assert.equal(mlops(dir, 'snapshot', 'w.csv').status, 0);
    write(dir, 'w.csv', 'location,date,temp\nSeattle,2012-01-01,5\nNew York,2012-01-01,2\nSeattle,2012-01-02,7\n');
    assert.equal(mlops(dir, 'snapshot', 'w.csv').status, 0);
    const composite = mlops(dir, 'diff', 'w@1', 'w@2', '--key', 'location,date', '--json');
    assert.equal(composite.status, 0, composite.stderr);
    const keyed = (JSON.parse(composite.stdout) as { table: { keyed: { key: string; keyColumns: string[]; added: number; removed: number; changed: number; unchanged: number; examples: { removed: string[] } } } }).table.keyed;
    assert.deepEqual([keyed.key, keyed.keyColumns, keyed.added, keyed.removed, keyed.changed, keyed.unchanged], ['location,date', ['location', 'date'], 0, 1, 1, 2]);
    assert.deepEqual(keyed.examples.removed, ['New York, 2012-01-02']);
    const byDefault = mlops(dir, 'diff', 'w@1', 'w@2');
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.match(byDefault.stdout, /by location,date: 0 added, 1 removed, 1 changed, 2 unchanged/);
    const repeated = mlops(dir, 'diff', 'w@1', 'w@2', '--key', 'date');
    assert.equal(repeated.status, 1);
    assert.match(repeated.stderr, /The key date is not unique in w@1: 2 rows repeat a key already seen, the first 2012-01-01\./);
    assert.match(repeated.stderr, /--key date,<column>/);
  });

  it('refuses a ragged CSV naming the user\'s file, its row and column, and leaves nothing in the cache', () => {
    const { dir } = makeProject();
    write(dir, 'data/ragged.csv', 'a,b\n1,2\n3,4,5\n');
    const r = mlops(dir, 'snapshot', 'data/ragged.csv');
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(path.join(dir, 'data', 'ragged.csv') + ': row 2 has more cells than the header has columns (2); the first extra cell is in column 3.'), r.stderr);
    assert.doesNotMatch(r.stderr, /\.mlops/);
    const gc = JSON.parse(mlops(dir, 'gc', '--json').stdout) as { objects: number; bytes: number };
    assert.deepEqual([gc.objects, gc.bytes], [0, 0]);
    assert.equal(fs.existsSync(path.join(dir, '.mlops', 'datasets', 'ragged.json')), false);
  });

  it('snapshot --json prints the dataset, version and sha256 digest; -m sets the message', () => {
    const { dir } = makeProject({ git: true });
    write(dir, 'data/d.csv', 'a,b\n1,x\n');
    const r = mlops(dir, 'snapshot', 'data/d.csv', '-m', 'initial import', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { dataset: string; version: number; digest: string; created: boolean; git: { status: string } };
    assert.equal(out.dataset, 'd');
    assert.equal(out.version, 1);
    assert.match(out.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(out.created, true);
    assert.equal(out.git.status, 'committed');
    const versions = JSON.parse(mlops(dir, 'versions', 'd', '--json').stdout) as { versions: { message: string }[] };
    assert.equal(versions.versions[0].message, 'initial import');
    const again = mlops(dir, 'snapshot', 'data/d.csv');
    assert.match(again.stdout, /unchanged since d@1: no new version/);
  });

  it('lists datasets, diffs, restores, and reports gc, as text and as JSON', () => {
    const { dir } = makeProject();
    write(dir, 'd.csv', 'id,v\n1,10\n2,20\n');
    mlops(dir, 'snapshot', 'd.csv');
    write(dir, 'd.csv', 'id,v\n1,10\n2,21\n3,30\n');
    mlops(dir, 'snapshot', 'd.csv');
    assert.match(mlops(dir, 'datasets').stdout, /^d {2}d\.csv {2}2 versions, latest @2/m);
    const diff = mlops(dir, 'diff', 'd@1', 'd@2', '--key', 'id');
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, /rows: 2 -> 3/);
    assert.match(diff.stdout, /by id: 1 added, 0 removed, 1 changed, 1 unchanged/);
    const restore = JSON.parse(mlops(dir, 'restore', 'd@1', '--json').stdout) as { version: number; written: number };
    assert.deepEqual([restore.version, restore.written], [1, 1]);
    assert.equal(fs.readFileSync(path.join(dir, 'd.csv'), 'utf8'), 'id,v\n1,10\n2,20\n');
    assert.match(mlops(dir, 'gc').stdout, /0 unreferenced objects would free 0 B/);
  });

  it('fails with a clear message and exit code 1 on a bad version, and 2 on a usage mistake', () => {
    const { dir } = makeProject();
    const bad = mlops(dir, 'restore', 'ghost@1');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /The dataset "ghost" has no versions/);
    assert.equal(mlops(dir, 'diff', 'd@1').status, 2);
  });
});
