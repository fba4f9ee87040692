import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { archiveVersion, getModel, modelHistory, registerModel, resolveModelVersion, setAlias } from '../../../src/core/registry';
import { registryProject } from './fixture';

/** Two registered versions, committed on main: the common ancestor of the branches below. */
async function twoVersions() {
  const f = await registryProject();
  await registerModel(f.project(), await f.store(), await f.trainRun(), { model: 'iris' });
  await registerModel(f.project(), await f.store(), await f.trainRun({ family: 'random_forest' }), { model: 'iris' });
  f.git('add', '-A');
  f.git('commit', '-q', '-m', 'register iris 1 and 2');
  const commitAll = (message: string) => {
    f.git('add', '-A');
    f.git('commit', '-q', '-m', message);
  };
  return { ...f, commitAll };
}

test('two branches that moved different aliases merge cleanly, with both moves and both audit lines', async () => {
  const f = await twoVersions();
  const paths = f.project().paths;
  f.git('checkout', '-q', '-b', 'alice');
  await setAlias(paths, 'iris', 'champion', 1, { reason: 'alice: stable' });
  f.commitAll('champion is 1');
  f.git('checkout', '-q', 'main');
  f.git('checkout', '-q', '-b', 'bob');
  await setAlias(paths, 'iris', 'challenger', 2, { reason: 'bob: try the forest' });
  f.commitAll('challenger is 2');
  f.git('merge', '-q', '--no-edit', 'alice');
  assert.equal(f.git('status', '--porcelain'), '');
  const model = getModel(paths, 'iris');
  assert.deepEqual(model.aliases, { challenger: 2, champion: 1 });
  assert.deepEqual(model.problems, []);
  assert.equal(resolveModelVersion(paths, 'iris@champion').version, 1);
  const moves = modelHistory(paths, 'iris').filter((e) => e.event === 'alias-set');
  // sorted by time, whatever order the union merge wrote them in
  assert.deepEqual(moves.map((e) => e.reason), ['alice: stable', 'bob: try the forest']);
});

test('two branches that moved the same alias to different versions conflict visibly, and the registry refuses the conflicted file', async () => {
  const f = await twoVersions();
  const paths = f.project().paths;
  f.git('checkout', '-q', '-b', 'alice');
  await setAlias(paths, 'iris', 'champion', 1);
  f.commitAll('champion is 1');
  f.git('checkout', '-q', 'main');
  await setAlias(paths, 'iris', 'champion', 2);
  f.commitAll('champion is 2');
  assert.throws(() => execFileSync('git', ['merge', '-q', '--no-edit', 'alice'], { cwd: f.dir, stdio: 'pipe' }));
  assert.match(f.git('status', '--porcelain'), /^(AA|UU) \.mlops\/models\/iris\/aliases\/champion\.json$/m);
  assert.throws(() => resolveModelVersion(paths, 'iris@champion'), /unresolved git merge conflict markers/);
  // the audit log merged by union, so only the alias needs a decision
  assert.match(f.git('status', '--porcelain'), /^M {2}\.mlops\/models\/iris\/history\.jsonl$/m);
});

test('the same move on two branches merges as one; an alias set on a version the other branch archived is reported', async () => {
  const f = await twoVersions();
  const paths = f.project().paths;
  f.git('checkout', '-q', '-b', 'alice');
  await setAlias(paths, 'iris', 'champion', 2);
  await setAlias(paths, 'iris', 'staging', 1);
  f.commitAll('alice');
  f.git('checkout', '-q', 'main');
  await setAlias(paths, 'iris', 'champion', 2);
  await archiveVersion(paths, 'iris', 1, { reason: 'superseded' });
  f.commitAll('main');
  f.git('merge', '-q', '--no-edit', 'alice');
  const model = getModel(paths, 'iris');
  assert.deepEqual(model.aliases, { champion: 2, staging: 1 });
  assert.equal(model.problems.length, 1);
  assert.match(model.problems[0], /staging points at version 1, which is archived/);
  assert.throws(() => resolveModelVersion(paths, 'iris@staging'), /iris@staging points at version 1, which is archived/);
  assert.equal(resolveModelVersion(paths, 'iris@champion').version, 2);
});

test('two branches that each registered a new version conflict on it instead of sharing a number', async () => {
  const f = await twoVersions();
  f.git('checkout', '-q', '-b', 'alice');
  await registerModel(f.project(), await f.store(), await f.trainRun({ seed: 1 }), { model: 'iris' });
  f.commitAll('alice registers 3');
  f.git('checkout', '-q', 'main');
  await registerModel(f.project(), await f.store(), await f.trainRun({ seed: 2 }), { model: 'iris' });
  f.commitAll('main registers 3');
  assert.throws(() => execFileSync('git', ['merge', '-q', '--no-edit', 'alice'], { cwd: f.dir, stdio: 'pipe' }));
  assert.match(f.git('status', '--porcelain'), /^AA \.mlops\/models\/iris\/3\/version\.json$/m);
});
