import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { changedSinceSnapshot, listDatasets, listVersions, resolveVersion, snapshotDataset, versionProfiles } from '../../../src/core/data';
import { makeProject, write } from './projectFixture';
import { openMetadataStore } from '../../../src/core/metadata';

const csv = 'id,city,temp\n1,Paris,12.5\n2,Lyon,14\n3,Paris,NA\n';

describe('snapshot', () => {
  it('records a version in the pointer file, ignores the data in git and commits the pointer with a message naming it', async () => {
    const { dir, project, git } = makeProject({ git: true });
    write(dir, 'data/weather.csv', csv);
    const result = await snapshotDataset(project(), 'data/weather.csv', { message: 'first cut' });
    assert.equal(result.created, true);
    assert.equal(result.dataset, 'weather');
    assert.equal(result.version.id, 1);
    assert.match(result.version.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.version.rows, 3);
    assert.equal(result.version.columns, 3);
    const pointer = JSON.parse(fs.readFileSync(path.join(dir, '.mlops/datasets/weather.json'), 'utf8'));
    assert.equal(pointer.path, 'data/weather.csv');
    assert.equal(pointer.versions[0].message, 'first cut');
    assert.equal(pointer.versions[0].commit, git('rev-parse', 'HEAD~1').trim(), 'the version names the code commit it was taken on');
    assert.equal(result.git?.status, 'committed');
    assert.equal(result.git?.commit, git('rev-parse', 'HEAD').trim());
    assert.match(git('log', '-1', '--format=%B'), /Snapshot dataset weather version 1\n\nfirst cut/);
    assert.deepEqual(git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort(), ['.gitignore', '.mlops/datasets/weather.json']);
    assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\/data\/weather\.csv$/m);
    assert.equal(git('status', '--porcelain').trim(), '', 'the data is ignored, the pointer committed');
  });

  it('records each version in the metadata store, where run lineage can join it by digest', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', csv);
    const v1 = await snapshotDataset(project(), 'd.csv', { message: 'one' });
    write(dir, 'd.csv', csv + '4,Nice,20\n');
    await snapshotDataset(project(), 'd.csv');
    assert.deepEqual(v1.notes, []);
    const store = await openMetadataStore(dir);
    try {
      const rows = store.database.exec('SELECT dataset, version, digest, rows, message FROM dataset_versions ORDER BY version')[0].values;
      assert.deepEqual(rows, [['d', 1, v1.version.digest, 3, 'one'], ['d', 2, listVersions(project(), 'd')[1].digest, 4, null]]);
      await store.fold();
    } finally {
      store.close();
    }
    const reopened = await openMetadataStore(dir);
    assert.equal(reopened.database.exec('SELECT count(*) FROM dataset_versions')[0].values[0][0], 2, 'folded into the database file');
    reopened.close();
  });

  it('leaves the user\'s other staged changes out of the pointer commit', async () => {
    const { dir, project, git } = makeProject({ git: true });
    write(dir, 'notes.txt', 'work in progress');
    git('add', 'notes.txt');
    write(dir, 'data/d.csv', csv);
    await snapshotDataset(project(), 'data/d.csv');
    assert.doesNotMatch(git('show', '--name-only', '--format=', 'HEAD'), /notes\.txt/);
    assert.match(git('status', '--porcelain'), /^A {2}notes\.txt$/m);
  });

  it('makes no new version of unchanged data, and says so', async () => {
    const { dir, project, git } = makeProject({ git: true });
    write(dir, 'data/d.csv', csv);
    await snapshotDataset(project(), 'data/d.csv');
    const commits = git('rev-list', '--count', 'HEAD');
    const again = await snapshotDataset(project(), 'data/d.csv');
    assert.equal(again.created, false);
    assert.equal(again.version.id, 1);
    assert.match(again.summary, /unchanged since d@1: no new version/);
    assert.equal(again.hashedFiles, 0, 'an unchanged file is not read again');
    assert.equal(git('rev-list', '--count', 'HEAD'), commits);
    write(dir, 'data/d.csv', csv + '4,Nice,20\n');
    const changed = await snapshotDataset(project(), 'data/d.csv');
    assert.equal(changed.version.id, 2);
    assert.equal(listVersions(project(), 'd').length, 2);
  });

  it('names the dataset after the mlops.yaml declaration whose path matches', async () => {
    const { dir, project } = makeProject({ config: 'datasets:\n  customers:\n    path: data/raw/c.csv\n' });
    fs.writeFileSync(path.join(dir, 'mlops.yaml'), fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8').replace('datasets: {}\n', ''));
    write(dir, 'data/raw/c.csv', csv);
    const result = await snapshotDataset(project(), path.join(dir, 'data/raw/c.csv'));
    assert.equal(result.dataset, 'customers');
    assert.deepEqual(listDatasets(project()).map((d) => [d.name, d.declared, d.versions]), [['customers', true, 1]]);
  });

  it('snapshots a folder across threads, then reuses every unchanged file by its stat', async () => {
    const { dir, project } = makeProject();
    for (let i = 0; i < 40; i++) write(dir, `images/${i % 4}/img${i}.bin`, `image ${i}`);
    write(dir, 'images/labels.csv', 'file,label\nimg0,cat\nimg1,dog\n');
    const first = await snapshotDataset(project(), 'images', { threads: 2 });
    assert.equal(first.version.kind, 'folder');
    assert.equal(first.version.files, 41);
    assert.equal(first.version.rows, 2);
    assert.ok(versionProfiles(project(), first.version)?.has('labels.csv'));
    const again = await snapshotDataset(project(), 'images');
    assert.equal(again.created, false);
    assert.equal(again.hashedFiles, 0);
    write(dir, 'images/0/img0.bin', 'retouched');
    write(dir, 'images/new.bin', 'new');
    assert.deepEqual(changedSinceSnapshot(project()).map((c) => `${c.status} ${c.path}`).sort(), ['added images/new.bin', 'modified images/0/img0.bin']);
    const third = await snapshotDataset(project(), 'images');
    assert.equal(third.hashedFiles, 2);
    assert.equal(third.version.id, 2);
    assert.deepEqual(changedSinceSnapshot(project()), []);
  });

  it('still snapshots outside a git repository, and says how to start one', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', csv);
    const result = await snapshotDataset(project(), 'd.csv');
    assert.equal(result.created, true);
    assert.equal(result.git?.status, 'no-repository');
    assert.match(result.git?.notes[0] ?? '', /not in a git repository.*git init/);
  });

  it('keeps the snapshot and stages the pointer when git knows no author, saying in one sentence how to fix it', async () => {
    const { dir, project, git } = makeProject({ git: true });
    git('config', '--unset', 'user.name');
    git('config', '--unset', 'user.email');
    // No guessing from the host name either, and none of the machine's own configuration: git truly has no identity.
    git('config', 'user.useConfigOnly', 'true');
    const saved = { ...process.env };
    for (const v of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete process.env[v];
    process.env.GIT_CONFIG_GLOBAL = '/dev/null';
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    try {
      write(dir, 'd.csv', csv);
      const result = await snapshotDataset(project(), 'd.csv');
      assert.equal(result.created, true);
      assert.equal(result.git?.status, 'staged');
      assert.equal(result.git?.notes.length, 1);
      assert.match(result.git?.notes[0] ?? '', /^git does not know who you are.*git config --global user\.email/);
      assert.doesNotMatch(result.git?.notes[0] ?? '', /Please tell me who you are/);
      assert.match(git('status', '--porcelain'), /^A {2}\.mlops\/datasets\/d\.json$/m);
      assert.equal(result.version.id, 1);
    } finally {
      for (const v of Object.keys(process.env)) if (!(v in saved)) delete process.env[v];
      Object.assign(process.env, saved);
    }
  });

  it('stages without committing when data.git is stage', async () => {
    const { dir, project, git } = makeProject({ git: true, config: 'data:\n  git: stage\n' });
    write(dir, 'd.csv', csv);
    const result = await snapshotDataset(project(), 'd.csv');
    assert.equal(result.git?.status, 'staged');
    assert.match(git('status', '--porcelain'), /^A {2}\.mlops\/datasets\/d\.json$/m);
  });

  it('refuses a path outside the project, and a pointer file that names one', async () => {
    const { dir, project } = makeProject();
    await assert.rejects(snapshotDataset(project(), '../elsewhere.csv'), /not inside the project/);
    write(dir, 'd.csv', csv);
    await snapshotDataset(project(), 'd.csv');
    const pointerFile = path.join(dir, '.mlops/datasets/d.json');
    const pointer = JSON.parse(fs.readFileSync(pointerFile, 'utf8'));
    pointer.path = '../../etc/passwd';
    fs.writeFileSync(pointerFile, JSON.stringify(pointer));
    assert.throws(() => resolveVersion(project(), 'd@1'), (err: Error & { hint?: string }) => /names the path "\.\.\/\.\.\/etc\/passwd", which is not inside the project/.test(err.message) && /stay inside it/.test(err.hint ?? ''));
  });

  it('addresses versions by number, latest and digest prefix, and explains a bad reference', async () => {
    const { dir, project } = makeProject();
    write(dir, 'd.csv', csv);
    const v1 = await snapshotDataset(project(), 'd.csv');
    write(dir, 'd.csv', csv + '9,Metz,1\n');
    await snapshotDataset(project(), 'd.csv');
    assert.equal(resolveVersion(project(), 'd@latest').version.id, 2);
    assert.equal(resolveVersion(project(), 'd').version.id, 2);
    assert.equal(resolveVersion(project(), `d@${v1.version.digest.slice(7, 19)}`).version.id, 1);
    assert.equal(resolveVersion(project(), `d@${v1.version.digest.slice(0, 19)}`).version.id, 1);
    assert.throws(() => resolveVersion(project(), 'd@7'), (err: Error & { hint?: string }) => /d has no version "7"/.test(err.message) && /d@N \(1 to 2\)/.test(err.hint ?? ''));
    assert.throws(() => resolveVersion(project(), 'nope@1'), /The dataset "nope" has no versions/);
  });
});
