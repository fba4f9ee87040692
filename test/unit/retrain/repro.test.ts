import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { getModel } from '../../../src/core/registry';
import type { ReproResult } from '../../../src/core/retrain';
import { weatherProject, type WeatherFixture } from './fixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

function repro(fx: WeatherFixture, ...args: string[]): ReproResult {
  const r = mlops(fx.dir, 'repro', '--json', ...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReproResult;
}
const status = (result: ReproResult) => result.steps.map((s) => `${s.step}:${s.status}`);

describe('mlops repro: the declared loop, skipping what did not change', () => {
  let fx: WeatherFixture;
  let config: string;

  before(async () => {
    fx = weatherProject();
    await fx.snapshotUntil('2014-01-01');
    fx.writeFile('holdout.csv', '2016-01-01', '2015-01-01');
    const file = path.join(fx.dir, 'mlops.yaml');
    // One trial of one family: a repeatable, quick search.
    config = fs.readFileSync(file, 'utf8').replace('  timeBudget: 60\n', '  maxTrials: 1\n  families: [naive_bayes]\n');
    fs.writeFileSync(file, config + '\nretraining:\n  weather:\n    gate: { holdout: holdout.csv, slice: location }\n    promotion: auto\n');
  });

  it('a first run trains, registers and, with no champion to beat, promotes under auto; a second skips every step and says since which run', () => {
    const first = repro(fx);
    assert.deepEqual(status(first), ['snapshot:skipped', 'train:ran', 'register:ran', 'promote:ran']);
    assert.match(first.steps[0].note, /unchanged since weather@1/);
    assert.equal(first.version, 1);
    assert.equal(getModel(fx.project().paths, 'weather').aliases.champion, 1);

    const second = mlops(fx.dir, 'repro');
    assert.equal(second.status, 0, second.stderr);
    const run = first.steps[1].output.run as string;
    assert.match(second.stdout, new RegExp(`train: unchanged since run ${run.slice(0, 12)}, skipped`));
    assert.match(second.stdout, /register: run \S+ is already weather\/1, skipped/);
    assert.equal(getModel(fx.project().paths, 'weather').versions.length, 1);
  });

  it('new data runs the steps it feeds: a new snapshot, training, a new version gated against the champion', async () => {
    fx.writeFile('data/weather.csv', '2015-01-01', '');
    const result = repro(fx);
    assert.deepEqual(status(result).slice(0, 4), ['snapshot:ran', 'train:ran', 'register:ran', 'gate:ran']);
    assert.equal(result.steps[0].output.version, 2);
    assert.equal(result.version, 2);
    assert.ok(result.gate);
    const champion = getModel(fx.project().paths, 'weather').aliases.champion;
    assert.equal(champion, result.gate.passed ? 2 : 1);
    assert.equal(result.steps.at(-1)!.step, 'promote');
    assert.equal(result.steps.at(-1)!.status, result.gate.passed ? 'ran' : 'waiting');

    const again = repro(fx);
    assert.deepEqual(status(again), ['snapshot:skipped', 'train:skipped', 'register:skipped', ...(result.gate.passed ? ['gate:skipped'] : ['gate:skipped', 'promote:waiting'])]);
  });

  it('a change of the training configuration or --force trains again', () => {
    const before = getModel(fx.project().paths, 'weather').versions.length;
    const forced = repro(fx, '--force');
    assert.equal(forced.steps.find((s) => s.step === 'train')!.status, 'ran');
    assert.equal(getModel(fx.project().paths, 'weather').versions.length, before + 1);
    const file = path.join(fx.dir, 'mlops.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  seed: 42\n', '  seed: 7\n'));
    const reseeded = repro(fx);
    assert.equal(reseeded.steps.find((s) => s.step === 'train')!.status, 'ran');
  });

  it('Ctrl-C stops the training step cleanly: it says so, exits 1, and no version is registered', async () => {
    const file = path.join(fx.dir, 'mlops.yaml');
    const settled = fs.readFileSync(file, 'utf8');
    // A long search that cannot converge within the wait: boosted trees have many configurations to try.
    fs.writeFileSync(file, settled.replace('  maxTrials: 1\n  families: [naive_bayes]\n', '  timeBudget: 120\n  families: [gbdt]\n'));
    const versions = getModel(fx.project().paths, 'weather').versions.length;
    const child = spawn(process.execPath, [cli, 'repro'], { cwd: fx.dir, env: { ...process.env, LANG: 'C' } });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The snapshot is done and the search is starting: interrupt it.
      if (/snapshot weather/.test(out)) setTimeout(() => child.kill('SIGINT'), 1500);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, out + stderr);
    assert.match(stderr, /cancelled/);
    assert.doesNotMatch(out, /train: run/);
    assert.equal(getModel(fx.project().paths, 'weather').versions.length, versions);
    assert.match(stderr, /Stopping/);
    fs.writeFileSync(file, settled);
  });

  it('a project that does not say what to train on is refused before anything runs', () => {
    const file = path.join(fx.dir, 'mlops.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('  dataset: weather\n  ignore', '  ignore'));
    const r = mlops(fx.dir, 'repro');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no training\.dataset/);
    fs.writeFileSync(file, text);
    assert.equal(mlops(fx.dir, 'repro', 'extra').status, 2);
  });
});
