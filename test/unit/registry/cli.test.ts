import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { registryProject } from './fixture';

// As users run it: the built CLI, read through exit codes and --json output.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

test('register, alias, show, list, archive and history from the command line', async () => {
  const f = await registryProject();
  const run = await f.trainRun();
  const registered = mlops(f.dir, 'register', run, '--model', 'iris', '--alias', 'champion', '--reason', 'baseline', '--json');
  assert.equal(registered.status, 0, registered.stderr);
  const out = JSON.parse(registered.stdout) as { model: string; version: number; aliases: string[] };
  assert.deepEqual([out.model, out.version, out.aliases], ['iris', 1, ['champion']]);
  assert.equal(mlops(f.dir, 'register', await f.trainRun({ family: 'random_forest' }), '--model', 'iris').status, 0);

  const moved = mlops(f.dir, 'alias', 'set', 'iris', 'champion', '2', '--reason', 'forest wins');
  assert.equal(moved.status, 0, moved.stderr);
  assert.match(moved.stdout, /iris@champion moved from version 1 to version 2/);
  const shown = JSON.parse(mlops(f.dir, 'model', 'show', 'iris@champion', '--json').stdout) as { version: number; aliases: string[]; artifact: { family: string } };
  assert.deepEqual([shown.version, shown.aliases, shown.artifact.family], [2, ['champion'], 'random_forest']);
  assert.match(mlops(f.dir, 'model', 'show', 'iris/1').stdout, /naive_bayes/);

  const list = JSON.parse(mlops(f.dir, 'models', '--json').stdout) as { models: { name: string; aliases: Record<string, number>; versions: unknown[] }[] };
  assert.deepEqual(list.models.map((m) => [m.name, m.aliases, m.versions.length]), [['iris', { champion: 2 }, 2]]);
  assert.match(mlops(f.dir, 'models').stdout, /^iris\n\s+1 .*cv_accuracy=0\.95\s*\n\s+2 .*@champion/m);

  assert.equal(mlops(f.dir, 'model', 'archive', 'iris/1', '--reason', 'superseded').status, 0);
  const history = mlops(f.dir, 'model', 'history', 'iris');
  assert.match(history.stdout, /Ada Lovelace <ada@example.com> {2}registered version 1: baseline/);
  assert.match(history.stdout, /moved alias champion from version 1 to 2: forest wins/);
  assert.match(history.stdout, /archived version 1: superseded/);
  assert.equal(mlops(f.dir, 'alias', 'rm', 'iris', 'champion', '--json').status, 0);
});

test('bad input exits 1 with what to do, usage mistakes exit 2', async () => {
  const f = await registryProject();
  const failed = await f.trainRun({ status: 'failed' });
  const r = mlops(f.dir, 'register', failed, '--model', 'iris');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /failed: only a run that finished can be registered/);
  const bad = mlops(f.dir, 'register', await f.trainRun(), '--model', '../x');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /"\.\.\/x" is not a valid model name/);
  assert.equal(mlops(f.dir, 'register', failed).status, 2);
  assert.equal(mlops(f.dir, 'alias', 'set', 'iris', 'champion', 'two').status, 2);
  assert.match(mlops(f.dir, 'model', 'show', 'iris@champion').stderr, /There is no model "iris"/);
  assert.equal(mlops(f.dir, 'model', 'archive', 'iris@champion').status, 2);
});

test('`mlops predict --model name@champion` follows an alias move at once; `mlops reproduce` rebuilds the version identically', async () => {
  const f = await registryProject();
  assert.equal(mlops(f.dir, 'register', await f.trainRun(), '--model', 'iris', '--alias', 'champion').status, 0);
  assert.equal(mlops(f.dir, 'register', await f.trainRun({ family: 'random_forest' }), '--model', 'iris').status, 0);
  const predictWith = (reference: string) => {
    const r = mlops(f.dir, 'predict', '--model', reference, '--input', 'data/iris.csv', '--output', 'predictions.csv', '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { model: string; sha256: string; rows: number };
  };
  const before = predictWith('iris@champion');
  assert.deepEqual([before.model, before.rows], ['model:iris/1', 150]);
  assert.equal(mlops(f.dir, 'alias', 'set', 'iris', 'champion', '2').status, 0);
  const after = predictWith('iris@champion');
  assert.equal(after.model, 'model:iris/2');
  assert.notEqual(after.sha256, before.sha256);
  assert.equal(predictWith('iris/1').sha256, before.sha256);
  assert.match(mlops(f.dir, 'predict', '--model', 'iris@nope', '--input', 'data/iris.csv', '--output', 'p.csv').stderr, /iris has no alias "nope"/);

  const reproduced = mlops(f.dir, 'reproduce', 'iris@champion', '--json');
  assert.equal(reproduced.status, 0, reproduced.stderr);
  const result = JSON.parse(reproduced.stdout) as { identical: boolean; registered: string; reproduced: string; version: number };
  assert.deepEqual([result.identical, result.version, result.reproduced], [true, 2, result.registered]);
  assert.match(mlops(f.dir, 'reproduce', 'iris/1').stdout, /^identical: true$/m);
});
