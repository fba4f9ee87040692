import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { MetadataStore, type StoreCapability } from '../../../src/core/store';
import { loadSqlJs } from '../../../src/core/store/sqlJs';
import { storeTables } from '../../../src/core/store/migrations';
import { projectPaths } from '../../../src/core/workspace';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-store-'));
const dbFile = (root: string) => projectPaths(root).database;

/** The records of the test capability below, declared as every capability declares its own. */
declare module '../../../src/core/store' {
  interface StoreRecordTypes {
    memos: { type: 'memo'; name: string; body: string };
  }
}

/** A capability for testing the store alone: notes keyed by name, with a second schema version to migrate to. */
function notesCapability(versions: 1 | 2): StoreCapability {
  const migrations = [
    { version: 1, description: 'notes', up: (db: import('sql.js').Database) => db.run('CREATE TABLE notes (name TEXT PRIMARY KEY, body TEXT)') },
    { version: 2, description: 'note authors', up: (db: import('sql.js').Database) => db.run("ALTER TABLE notes ADD COLUMN author TEXT DEFAULT 'unknown'") },
  ];
  return {
    name: 'notes',
    migrations: migrations.slice(0, versions),
    recordTypes: ['memo'],
    apply({ db, records, reject }) {
      for (const item of records) {
        if (typeof item.record.name !== 'string') reject(item, 'no name');
        else db.run('INSERT OR REPLACE INTO notes (name, body) VALUES (?, ?)', [item.record.name, String(item.record.body)]);
      }
    },
  };
}

const open = (root: string, versions: 1 | 2 = 1) => MetadataStore.open(root, { capabilities: [storeTables, notesCapability(versions)], lock: { timeoutMs: 300 } });
const notes = (store: MetadataStore) => store.database.exec('SELECT name, body FROM notes ORDER BY name')[0]?.values ?? [];

async function assertRefused(root: string, code: string, pattern: RegExp, versions: 1 | 2 = 1): Promise<void> {
  const before = fs.readFileSync(dbFile(root));
  await assert.rejects(open(root, versions), (err: unknown) => err instanceof MlopsError && err.code === code && pattern.test(err.message) && /untouched/.test(err.hint ?? ''));
  assert.deepEqual(fs.readFileSync(dbFile(root)), before, 'the file must never be overwritten');
}

describe('metadata store', () => {
  it('writes nothing until a fold, then keeps what was appended', async () => {
    const root = tmp();
    const store = await open(root);
    store.append([{ type: 'memo', name: 'a', body: 'first' }]);
    assert.deepEqual(notes(store), [['a', 'first']], 'the writer sees its own record at once');
    assert.equal(fs.existsSync(dbFile(root)), false);
    assert.equal((await store.fold()).written, true);
    store.close();
    const again = await open(root);
    assert.deepEqual(notes(again), [['a', 'first']]);
  });

  it('shows unfolded journal lines to readers, and folding twice does not apply them twice', async () => {
    const root = tmp();
    const writer = await open(root);
    writer.append([{ type: 'memo', name: 'a', body: '1' }]);
    await writer.fold();
    writer.append([{ type: 'memo', name: 'b', body: '2' }]);
    const reader = await open(root);
    assert.deepEqual(notes(reader), [['a', '1'], ['b', '2']]);
    await writer.fold();
    await reader.fold();
    const fresh = await open(root);
    assert.deepEqual(notes(fresh), [['a', '1'], ['b', '2']]);
    const offsets = fresh.database.exec('SELECT offset FROM journal_offsets')[0].values;
    assert.equal(offsets.length, 1);
  });

  it('tells a reader when another process changed the store, and refresh() brings the change', async () => {
    const root = tmp();
    const reader = await open(root);
    const token = reader.changeToken();
    assert.equal(reader.changedSince(token), false);
    const writer = await open(root);
    writer.append([{ type: 'memo', name: 'x', body: 'new' }]);
    assert.equal(reader.changedSince(token), true);
    await writer.fold();
    assert.equal(reader.refresh(), true);
    assert.deepEqual(notes(reader), [['x', 'new']]);
  });

  it('ignores a torn last line until its writer finishes it, and reports malformed lines by number', async () => {
    const root = tmp();
    const store = await open(root);
    const journal = store.sessionJournal.file;
    store.append([{ type: 'memo', name: 'a', body: '1' }]);
    fs.appendFileSync(journal, 'this is not json\n{"type":"memo","name":"b","bo');
    assert.equal(store.refresh(), true);
    assert.deepEqual(store.takeProblems().map((p) => p.line), [2]);
    assert.deepEqual(notes(store), [['a', '1']]);
    await store.fold();
    fs.appendFileSync(journal, 'dy":"2"}\n{"type":"mystery"}\n');
    const reader = await open(root);
    assert.deepEqual(notes(reader), [['a', '1'], ['b', '2']]);
    assert.deepEqual(reader.takeProblems().map((p) => [p.line, p.message]), [[4, 'unknown record type "mystery"']]);
  });

  it('refuses a file that is not SQLite, and never overwrites it', async () => {
    const root = tmp();
    fs.mkdirSync(path.dirname(dbFile(root)), { recursive: true });
    fs.writeFileSync(dbFile(root), 'these are my notes, not a database\n'.repeat(10));
    await assertRefused(root, 'STORE_NOT_OURS', /not an MLOps metadata database/);
  });

  it("refuses another application's SQLite database, and never overwrites it", async () => {
    const root = tmp();
    const SQL = await loadSqlJs();
    const foreign = new SQL.Database();
    foreign.run('CREATE TABLE customers (id INTEGER)');
    fs.mkdirSync(path.dirname(dbFile(root)), { recursive: true });
    fs.writeFileSync(dbFile(root), foreign.export());
    await assertRefused(root, 'STORE_NOT_OURS', /another application/);
  });

  it('refuses a damaged database, and never overwrites it', async () => {
    const root = tmp();
    const store = await open(root);
    store.append([{ type: 'memo', name: 'a', body: '1' }]);
    await store.fold();
    const bytes = fs.readFileSync(dbFile(root));
    bytes.fill(0x5a, 100, 2000);
    fs.writeFileSync(dbFile(root), bytes);
    await assertRefused(root, 'STORE_DAMAGED', /damaged/);
  });

  it('upgrades a database of an older schema version and keeps its data', async () => {
    const root = tmp();
    const old = await open(root, 1);
    old.append([{ type: 'memo', name: 'kept', body: 'from v1' }]);
    await old.fold();
    old.close();
    const upgraded = await open(root, 2);
    assert.deepEqual(upgraded.database.exec('SELECT name, body, author FROM notes')[0].values, [['kept', 'from v1', 'unknown']]);
    await upgraded.fold();
    const reopened = await open(root, 2);
    assert.deepEqual(reopened.database.exec("SELECT version FROM schema_versions WHERE capability = 'notes'")[0].values, [[2]]);
  });

  it('refuses a database written by a newer version, with what to do', async () => {
    const root = tmp();
    const newer = await open(root, 2);
    await newer.fold();
    newer.close();
    await assertRefused(root, 'STORE_TOO_NEW', /newer MLOps Workbench: its "notes" schema is at version 2, this version knows up to 1/);
  });

  it('takes over the lock of a writer that died, and waits for a live one', async () => {
    const root = tmp();
    const store = await open(root);
    store.append([{ type: 'memo', name: 'a', body: '1' }]);
    const lock = `${dbFile(root)}.lock`;
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), time: new Date().toISOString(), nonce: 'dead' }));
    assert.equal((await store.fold()).written, true);
    assert.equal(fs.existsSync(lock), false, 'the lock is released after the fold');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), time: new Date().toISOString(), nonce: 'alive' }));
    await assert.rejects(store.fold(), (err: unknown) => err instanceof MlopsError && err.code === 'STORE_LOCKED' && err.message.includes(String(process.pid)));
    assert.equal(JSON.parse(fs.readFileSync(lock, 'utf8')).nonce, 'alive', "a live holder's lock is left alone");
  });

  it('removes the journal of a writer that exited once it is folded', async () => {
    const root = tmp();
    const store = await open(root);
    const dir = path.join(projectPaths(root).state, 'journal');
    fs.mkdirSync(dir, { recursive: true });
    const orphan = path.join(dir, `${2 ** 22 + 54321}@${os.hostname()}.abcd1234.jsonl`);
    fs.writeFileSync(orphan, '{"type":"memo","name":"orphan","body":"kept"}\n');
    await store.fold();
    assert.equal(fs.existsSync(orphan), false);
    const fresh = await open(root);
    assert.deepEqual(notes(fresh), [['orphan', 'kept']]);
    assert.equal(fresh.database.exec('SELECT count(*) FROM journal_offsets')[0].values[0][0], 0);
  });
});
