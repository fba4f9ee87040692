import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { collectGarbage, diffVersions, pullObjects, pushObjects, restoreVersion, snapshotDataset } from '../../../src/core/data';
import { makeProject, write } from './projectFixture';

describe('diff', () => {
  it('reports schema, row and statistic changes, and with a key the rows added, removed and changed', async () => {
    const { dir, project } = makeProject();
    write(dir, 'c.csv', 'id,name,score\n1,Ann,10\n2,Bob,20\n3,Cid,30\n');
    await snapshotDataset(project(), 'c.csv');
    write(dir, 'c.csv', 'id,name,score,tier\n1,Ann,10,a\n2,Bob,25,b\n4,Dee,40,a\n5,Eve,50,c\n');
    await snapshotDataset(project(), 'c.csv');
    const diff = await diffVersions(project(), 'c@1', 'c@2', { key: 'id' });
    assert.deepEqual(diff.table?.rows, { from: 3, to: 4 });
    assert.deepEqual(diff.table?.schema.added, ['tier']);
    assert.deepEqual(diff.table?.columns.find((c) => c.column === 'score')?.changes.max, { from: 30, to: 50 });
    const keyed = diff.table?.keyed;
    assert.deepEqual([keyed?.added, keyed?.removed, keyed?.changed, keyed?.unchanged], [2, 1, 1, 1], 'the added column alone changes no row');
    assert.deepEqual(keyed?.examples.changed, ['2']);
    await assert.rejects(diffVersions(project(), 'c@1', 'c@2', { key: 'tier' }), /key column "tier" is not in both versions/);
  });

  it('lists the files a folder version added, removed and modified', async () => {
    const { dir, project } = makeProject();
    write(dir, 'f/a.txt', 'A');
    write(dir, 'f/b.txt', 'B');
    await snapshotDataset(project(), 'f');
    fs.rmSync(path.join(dir, 'f/a.txt'));
    write(dir, 'f/b.txt', 'B2');
    write(dir, 'f/c.txt', 'C');
    await snapshotDataset(project(), 'f');
    const diff = await diffVersions(project(), 'f@1', 'f@2');
    assert.deepEqual(diff.files, { added: ['c.txt'], removed: ['a.txt'], modified: ['b.txt'] });
  });
});

describe('gc', () => {
  it('reports unreferenced objects without deleting them, and deletes them with force', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', 'a\n1\n');
    const v = await snapshotDataset(project(), 'd.csv');
    const stray = path.join(dir, '.mlops/cache/00', 'f'.repeat(62));
    write(dir, '.mlops/cache/00/' + 'f'.repeat(62), 'orphan');
    const dry = await collectGarbage(project());
    assert.deepEqual([dry.objects, dry.bytes, dry.removed], [1, 6, false]);
    assert.ok(fs.existsSync(stray));
    await collectGarbage(project(), { force: true });
    assert.equal(fs.existsSync(stray), false);
    await restoreVersion(project(), 'd@1', { to: 'back.csv' });
    assert.equal(fs.readFileSync(path.join(dir, 'back.csv'), 'utf8'), 'a\n1\n', `${v.version.digest} survived`);
  });
});

describe('push and pull', () => {
  it('copies only missing objects to the remote, and a fresh clone pulls what it needs to restore', async () => {
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-remote-'));
    const a = makeProject({ config: `data:\n  remote: ${remote}\n` });
    write(a.dir, 'f/x.csv', 'k,v\n1,2\n');
    write(a.dir, 'f/y.bin', 'y');
    await snapshotDataset(a.project(), 'f');
    const pushed = await pushObjects(a.project());
    assert.ok(pushed.copied >= 4, 'the data, the manifest and the profiles');
    assert.equal((await pushObjects(a.project())).copied, 0);

    const b = makeProject({ config: `data:\n  remote: ${remote}\n` });
    fs.cpSync(path.join(a.dir, '.mlops/datasets'), path.join(b.dir, '.mlops/datasets'), { recursive: true });
    await assert.rejects(restoreVersion(b.project(), 'f@1'), /not in the cache.*|mlops pull/);
    const pulled = await pullObjects(b.project());
    assert.equal(pulled.copied, pushed.copied);
    assert.deepEqual(pulled.missing, []);
    await restoreVersion(b.project(), 'f@1');
    assert.equal(fs.readFileSync(path.join(b.dir, 'f/x.csv'), 'utf8'), 'k,v\n1,2\n');
  });

  it('refuses a corrupted object from the remote', async () => {
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-remote-'));
    const a = makeProject({ config: `data:\n  remote: ${remote}\n` });
    write(a.dir, 'd.txt', 'good');
    const v = await snapshotDataset(a.project(), 'd.txt');
    await pushObjects(a.project());
    const object = path.join(remote, v.version.digest.slice(7, 9), v.version.digest.slice(9));
    fs.chmodSync(object, 0o644);
    fs.writeFileSync(object, 'evil');
    const b = makeProject({ config: `data:\n  remote: ${remote}\n` });
    fs.cpSync(path.join(a.dir, '.mlops/datasets'), path.join(b.dir, '.mlops/datasets'), { recursive: true });
    await assert.rejects(pullObjects(b.project()), /corrupted/);
    assert.equal(fs.existsSync(path.join(b.dir, '.mlops/cache', v.version.digest.slice(7, 9), v.version.digest.slice(9))), false);
  });

  it('says how to configure a remote when there is none', async () => {
    const { project } = makeProject();
    await assert.rejects(pushObjects(project()), (err: Error & { hint?: string }) => /No remote is configured/.test(err.message) && /data\.remote/.test(err.hint ?? ''));
  });
});
