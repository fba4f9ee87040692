import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { getModel, resolveModelVersion } from '../../../src/core/registry';
import type { RetrainResult } from '../../../src/core/retrain';
import { weatherProject, type WeatherFixture } from './fixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

describe('mlops retrain --since: a window of the new version, recorded so reproduce repeats it', () => {
  let fx: WeatherFixture;

  before(async () => {
    fx = weatherProject();
    await fx.trainVersion(await fx.snapshotUntil('2014-01-01'), 'gbdt', 'champion');
    await fx.snapshotUntil('2016-01-01');
  });

  it('trains on the rows at or after T only, records the window, and mlops reproduce rebuilds it byte for byte', () => {
    const r = mlops(fx.dir, 'retrain', 'weather', '--since', '2015-01-01', '--json');
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as RetrainResult;
    assert.equal(result.rows, 365 * 2); // 2015, two cities
    assert.deepEqual(result.trainingConfig.window, { column: 'date', since: '2015-01-01' });
    const version = resolveModelVersion(fx.project().paths, `weather/${result.version}`);
    assert.deepEqual(version.lineage.trainingConfig!.window, { column: 'date', since: '2015-01-01' });

    const again = mlops(fx.dir, 'reproduce', `weather/${result.version}`, '--json');
    assert.equal(again.status, 0, again.stderr);
    const reproduced = JSON.parse(again.stdout) as { identical: boolean; registered: string; reproduced: string };
    assert.equal(reproduced.identical, true);
    assert.equal(reproduced.reproduced, version.artifact.digest);

    // The whole version makes another model: the window is what made this one.
    const whole = mlops(fx.dir, 'retrain', 'weather', '--json');
    assert.equal(whole.status, 0, whole.stderr);
    const full = JSON.parse(whole.stdout) as RetrainResult;
    assert.equal(full.rows, 1461 * 2);
    assert.equal(full.trainingConfig.window, undefined);
    assert.notEqual(resolveModelVersion(fx.project().paths, `weather/${full.version}`).artifact.digest, version.artifact.digest);
  });

  it('a time that is not one, a window with no rows, or a dataset without a timestamp fails before training; no alias moves', () => {
    const before = getModel(fx.project().paths, 'weather');
    const notATime = mlops(fx.dir, 'retrain', 'weather', '--since', 'last tuesday');
    assert.equal(notATime.status, 1);
    assert.match(notATime.stderr, /--since last tuesday is not a time/);
    const empty = mlops(fx.dir, 'retrain', 'weather', '--since', '2030-01-01');
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /has 0 rows with date at or after 2030-01-01/);
    const file = path.join(fx.dir, 'mlops.yaml');
    const config = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, config.replace(/ {4}timestamp: date.*\n/, ''));
    const undeclared = mlops(fx.dir, 'retrain', 'weather', '--since', '2015-01-01');
    assert.equal(undeclared.status, 1);
    assert.match(undeclared.stderr, /--since needs the timestamp column of weather/);
    fs.writeFileSync(file, config);
    const after = getModel(fx.project().paths, 'weather');
    assert.deepEqual(after.aliases, before.aliases);
    assert.equal(after.versions.length, before.versions.length);
  });
});
