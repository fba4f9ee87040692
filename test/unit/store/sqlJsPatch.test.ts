import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { loadSqlJs, PATCHED_SQLJS_SHA256 } from '../../../src/core/store/sqlJs';

const repo = path.join(__dirname, '../../../..');
/** Runs the script that makes vendor/sql.js/sql-wasm.js, on the project at `root`. */
const patch = (root: string) => spawnSync(process.execPath, [path.join(repo, 'scripts/patch-sql-js.mjs'), root], { encoding: 'utf8' });
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const rows = (db: import('sql.js').Database) => db.exec('SELECT n, body FROM t ORDER BY n')[0]?.values ?? [];

describe('the sql.js patch behind the store', () => {
  it('is the committed patch of the installed sql.js, pinned by sha256, and npm leaves node_modules as it installed it', async () => {
    const installed = path.join(repo, 'node_modules/sql.js/dist/sql-wasm.js');
    assert.equal(sha256(installed), '9b96118841c6edfdf53c6f388c1419d1f473cf469df6a6fc2864b386d60bdb5e', 'node_modules holds sql.js 1.16.0 unchanged');
    const vendored = path.join(repo, 'vendor/sql.js/sql-wasm.js');
    assert.equal(sha256(vendored), PATCHED_SQLJS_SHA256);
    // Making it again from node_modules gives the same bytes: the committed file is exactly the documented patch.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-sqljs-'));
    fs.cpSync(path.join(repo, 'node_modules/sql.js'), path.join(scratch, 'node_modules/sql.js'), { recursive: true });
    assert.equal(patch(scratch).status, 0);
    assert.deepEqual(fs.readFileSync(path.join(scratch, 'vendor/sql.js/sql-wasm.js')), fs.readFileSync(vendored));
    assert.equal(sha256(installed), '9b96118841c6edfdf53c6f388c1419d1f473cf469df6a6fc2864b386d60bdb5e', 'making it wrote nothing into node_modules');
    assert.equal(typeof (await loadSqlJs()).mlopsDatabaseFile, 'function');
  });

  it('refuses a sql.js build it was not written for, says what to do, and leaves it as it was', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-sqljs-'));
    const dist = path.join(root, 'node_modules/sql.js/dist');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules/sql.js/package.json'), JSON.stringify({ version: '1.17.0' }));
    fs.writeFileSync(path.join(dist, 'sql-wasm.js'), 'k.Database=g};');
    const refused = patch(root);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /is 1\.17\.0, but .* written for sql\.js 1\.16\.0.*Run npm ci/);
    assert.equal(fs.readFileSync(path.join(dist, 'sql-wasm.js'), 'utf8'), 'k.Database=g};');
    assert.deepEqual(fs.readdirSync(dist), ['sql-wasm.js'], 'no temporary file left behind');
  });

  it('shows a database its exact file, and opens one from a buffer it adopts, growing past the room it was given', async () => {
    const SQL = await loadSqlJs();
    const original = new SQL.Database();
    original.run('CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT)');
    for (let n = 0; n < 500; n++) original.run('INSERT INTO t VALUES (?, ?)', [n, `row ${n} `.repeat(20)]);
    const image = SQL.mlopsDatabaseFile(original).bytes();
    const copy = new SQL.Database(image);
    assert.deepEqual(rows(copy), rows(original), 'the view is a complete database file');
    copy.close();

    const room = new Uint8Array(image.length + 4096);
    room.set(image);
    const adopted = new SQL.Database();
    SQL.mlopsDatabaseFile(adopted).adopt(room, image.length);
    assert.deepEqual(rows(adopted), rows(original));
    for (let n = 500; n < 2000; n++) adopted.run('INSERT INTO t VALUES (?, ?)', [n, `row ${n} `.repeat(20)]);
    const grown = SQL.mlopsDatabaseFile(adopted).bytes();
    assert.ok(grown.length > room.length, 'the file outgrew the adopted buffer');
    const reopened = new SQL.Database(grown);
    assert.equal(reopened.exec('SELECT count(*) FROM t')[0].values[0][0], 2000);
    assert.equal(reopened.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
    for (const db of [reopened, adopted, original]) db.close();
  });
});
