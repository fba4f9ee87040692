import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { getModel } from '../../../src/core/registry';
import { weatherProject, type WeatherFixture } from './fixture';

// As CI runs it: the built CLI, read through exit codes, --json and the report file.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

describe('mlops gate, approve, rollback, retrain --due', () => {
  let fx: WeatherFixture;
  let weak: number;
  let strong: number;
  const champion = () => getModel(fx.project().paths, 'weather').aliases.champion;

  before(async () => {
    fx = weatherProject();
    weak = await fx.trainVersion(await fx.snapshotUntil('2014-01-01', 20), 'naive_bayes', 'challenger');
    strong = await fx.trainVersion(await fx.snapshotUntil('2014-01-01'), 'gbdt', 'champion');
    fx.writeFile('holdout.csv', '2016-01-01', '2014-01-01');
  });

  it('a worse challenger exits 1 with passed false, both scores and reasons, writes the report, and champion stays', () => {
    const r = mlops(fx.dir, 'gate', '--model', 'weather@challenger', '--against', 'champion', '--holdout', 'holdout.csv', '--slice', 'location', '--json', '--report', 'gate.md');
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { passed: boolean; challenger: number; champion: number; reasons: string[]; slices: { values: unknown[] } };
    assert.equal(out.passed, false);
    assert.ok(out.challenger < out.champion);
    assert.ok(out.reasons.length >= 1);
    assert.equal(out.slices.values.length, 2);
    const report = fs.readFileSync(path.join(fx.dir, 'gate.md'), 'utf8');
    assert.match(report, /Gate failed: weather\/1 against weather\/2/);
    assert.match(report, /\| location = Seattle \| 730 \|/);
    assert.equal(champion(), strong);
    const approve = mlops(fx.dir, 'approve', `weather/${weak}`, '--reason', 'ship it');
    assert.equal(approve.status, 1);
    assert.match(approve.stderr, /last gate of weather\/1 failed/);
    assert.equal(champion(), strong);
  });

  it('a passing gate exits 0; approve moves champion, rollback restores it, history shows it all in order', () => {
    assert.equal(mlops(fx.dir, 'alias', 'set', 'weather', 'champion', String(weak)).status, 0);
    const r = mlops(fx.dir, 'gate', '--model', `weather/${strong}`, '--holdout', 'holdout.csv', '--min-relative-gain', '0.01');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Gate passed: weather\/2 against weather\/1/);
    const approved = mlops(fx.dir, 'approve', `weather/${strong}`, '--reason', 'better in both cities', '--json');
    assert.equal(approved.status, 0, approved.stderr);
    assert.equal((JSON.parse(approved.stdout) as { by: string }).by, 'Grace Hopper <grace@example.com>');
    assert.equal(champion(), strong);
    const back = mlops(fx.dir, 'rollback', 'weather', '--reason', 'latency');
    assert.equal(back.status, 0, back.stderr);
    assert.match(back.stdout, /rolled back from version 2 to version 1/);
    assert.equal(champion(), weak);
    const history = mlops(fx.dir, 'model', 'history', 'weather').stdout;
    const order = ['gate failed: version 1 against 2', 'gate passed: version 2 against 1', 'approved version 2: better in both cities', 'promoted version 2 to champion', 'rolled back alias champion from version 2 to 1: latency'];
    const at = order.map((line) => history.indexOf(line));
    assert.ok(at.every((i) => i >= 0), history);
    assert.deepEqual([...at].sort((a, b) => a - b), at);
  });

  it('retrain --due retrains on new data, gates and promotes under `promotion: auto`; a second run has nothing to do', async () => {
    assert.equal(mlops(fx.dir, 'alias', 'set', 'weather', 'champion', String(strong)).status, 0);
    await fx.snapshotUntil('2015-01-01');
    fx.writeFile('recent.csv', '2016-01-01', '2015-01-01');
    const config = path.join(fx.dir, 'mlops.yaml');
    const original = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, original + '\nretraining:\n  weather:\n    on: [new_data, schedule]\n    schedule: "0 3 * * 1"\n    gate: { holdout: recent.csv, slice: location }\n    promotion: auto\n');
    const r = mlops(fx.dir, 'retrain', '--due', '--json');
    assert.equal(r.status, 0, r.stderr);
    const [outcome] = (JSON.parse(r.stdout) as { outcomes: { due: string[]; retrained: { version: number; trigger: string }; gate: { passed: boolean }; promoted?: { to: number } }[] }).outcomes;
    assert.equal(outcome.due[0], 'new-data');
    assert.equal(outcome.retrained.trigger, 'new-data');
    const version = getModel(fx.project().paths, 'weather').versions.find((v) => v.version === outcome.retrained.version)!;
    assert.deepEqual(version.lineage.retrain, { trigger: 'new-data', from: strong });
    assert.equal(champion(), outcome.gate.passed ? outcome.retrained.version : strong);
    const again = mlops(fx.dir, 'retrain', '--due');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /weather: nothing is due\.|already trained on the newest data/);

    fs.writeFileSync(config, original + '\nretraining:\n  weather:\n    dataset: wether\n    on: [new_data]\n');
    const before = getModel(fx.project().paths, 'weather').aliases;
    const bad = mlops(fx.dir, 'retrain', '--due');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /names the dataset "wether", which does not exist/);
    assert.deepEqual(getModel(fx.project().paths, 'weather').aliases, before);
  });

  it('bad input through the CLI: an unknown model, no champion yet, an archived version; each names the problem and no alias moves', () => {
    const aliases = () => getModel(fx.project().paths, 'weather').aliases;
    const start = aliases();
    for (const args of [['gate', '--model', 'nosuch@challenger'], ['approve', 'nosuch/1', '--reason', 'x'], ['rollback', 'nosuch']]) {
      const r = mlops(fx.dir, ...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /no model "nosuch"/, args.join(' '));
    }
    const run = getModel(fx.project().paths, 'weather').versions.find((v) => v.version === weak)!.lineage.run;
    assert.equal(mlops(fx.dir, 'register', run, '--model', 'fresh').status, 0);
    const noChampionGate = mlops(fx.dir, 'gate', '--model', 'fresh/1', '--holdout', 'holdout.csv');
    assert.equal(noChampionGate.status, 1);
    assert.match(noChampionGate.stderr, /champion/);
    const noChampionRetrain = mlops(fx.dir, 'retrain', 'fresh');
    assert.equal(noChampionRetrain.status, 1);
    assert.match(noChampionRetrain.stderr, /fresh has no champion yet/);
    assert.deepEqual(getModel(fx.project().paths, 'fresh').aliases, {});

    // The weak version holds no alias since the retrain took challenger.
    const archived = weak;
    const archive = mlops(fx.dir, 'model', 'archive', `weather/${archived}`);
    assert.equal(archive.status, 0, archive.stderr);
    const approve = mlops(fx.dir, 'approve', `weather/${archived}`, '--reason', 'ship it');
    assert.equal(approve.status, 1);
    assert.match(approve.stderr, new RegExp(`weather/${archived} is archived`));
    assert.deepEqual(aliases(), start);
  });

  it('usage mistakes exit 2; an unknown model exits 1', () => {
    assert.equal(mlops(fx.dir, 'gate').status, 2);
    assert.equal(mlops(fx.dir, 'gate', '--model', 'weather@challenger', '--min-gain', '0.1', '--min-relative-gain', '0.1').status, 2);
    assert.equal(mlops(fx.dir, 'approve', 'weather@challenger', '--reason', 'x').status, 2);
    const unknown = mlops(fx.dir, 'retrain', 'nosuch');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no model "nosuch"/);
  });
});
