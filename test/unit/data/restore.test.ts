import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { restoreVersion, snapshotDataset } from '../../../src/core/data';
import { makeProject, write } from './projectFixture';

const read = (dir: string, relative: string) => fs.readFileSync(path.join(dir, relative), 'utf8');

describe('restore', () => {
  it('writes an earlier version back, and can write it elsewhere', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', 'a\n1\n');
    await snapshotDataset(project(), 'd.csv');
    write(dir, 'd.csv', 'a\n2\n');
    await snapshotDataset(project(), 'd.csv');
    const result = await restoreVersion(project(), 'd@1');
    assert.equal(read(dir, 'd.csv'), 'a\n1\n');
    assert.equal(result.written, 1);
    await restoreVersion(project(), 'd@latest', { to: 'copy/d2.csv' });
    assert.equal(read(dir, 'copy/d2.csv'), 'a\n2\n');
    assert.equal(read(dir, 'd.csv'), 'a\n1\n');
  });

  it('makes a folder match the version: files written, unchanged ones kept, extra ones removed', async () => {
    const { dir, project } = makeProject();
    write(dir, 'f/a.txt', 'A');
    write(dir, 'f/sub/b.txt', 'B');
    await snapshotDataset(project(), 'f');
    write(dir, 'f/sub/b.txt', 'B2');
    write(dir, 'f/c.txt', 'C');
    await snapshotDataset(project(), 'f');
    const result = await restoreVersion(project(), 'f@1');
    assert.deepEqual([result.written, result.unchanged, result.removed], [1, 1, 1]);
    assert.equal(read(dir, 'f/sub/b.txt'), 'B');
    assert.equal(fs.existsSync(path.join(dir, 'f/c.txt')), false);
  });

  it('refuses to overwrite local changes that were never snapshotted, unless forced', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', 'a\n1\n');
    await snapshotDataset(project(), 'd.csv');
    write(dir, 'd.csv', 'a\nmy unsaved edit\n');
    await assert.rejects(restoreVersion(project(), 'd@1'), (err: Error & { hint?: string }) => /local changes that no snapshot holds \(d\.csv\)/.test(err.message) && /--force/.test(err.hint ?? ''));
    assert.equal(read(dir, 'd.csv'), 'a\nmy unsaved edit\n');
    await restoreVersion(project(), 'd@1', { force: true });
    assert.equal(read(dir, 'd.csv'), 'a\n1\n');
  });

  it('detects a corrupted cache object and leaves the data as it was', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', 'a\n1\n');
    const v1 = await snapshotDataset(project(), 'd.csv');
    write(dir, 'd.csv', 'a\n2\n');
    await snapshotDataset(project(), 'd.csv');
    const object = path.join(dir, '.mlops/cache', v1.version.digest.slice(7, 9), v1.version.digest.slice(9));
    fs.chmodSync(object, 0o644);
    fs.writeFileSync(object, 'a\n666\n');
    await assert.rejects(restoreVersion(project(), 'd@1'), (err: Error & { hint?: string }) => /cache object .* is corrupted/.test(err.message) && /mlops pull/.test(err.hint ?? ''));
    assert.equal(read(dir, 'd.csv'), 'a\n2\n');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary left behind');
  });

  it('keeps cache objects read-only so a stray write cannot change them', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', 'a\n1\n');
    const v = await snapshotDataset(project(), 'd.csv');
    const object = path.join(dir, '.mlops/cache', v.version.digest.slice(7, 9), v.version.digest.slice(9));
    assert.equal(fs.statSync(object).mode & 0o222, 0);
    assert.notEqual(fs.statSync(object).ino, fs.statSync(path.join(dir, 'd.csv')).ino, 'the cache holds a copy, not a hardlink to the workspace file');
  });
});
