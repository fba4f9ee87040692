import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { makeProject, write } from '../data/projectFixture';
import { FIXTURE_DIR } from '../train/fixtures';

// As users run it: the built CLI, read through exit codes, --json on stdout and the predictions file.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C', MLOPS_RUN_ID: '' } });

describe('mlops train and mlops predict', () => {
  it('trains with --json, then predicts a file with the run\'s model', () => {
    const { dir } = makeProject();
    write(dir, 'data/iris.csv', fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv')));
    assert.equal(mlops(dir, 'snapshot', 'data/iris.csv', '--name', 'iris').status, 0);
    const trained = mlops(dir, 'train', '--dataset', 'iris', '--target', 'target', '--max-trials', '3', '--json');
    assert.equal(trained.status, 0, trained.stderr);
    const result = JSON.parse(trained.stdout) as { runId: string; task: string; metric: string; bestScore: number; bestModel: { family: string; params: object } };
    assert.equal(result.task, 'classification');
    assert.equal(result.metric, 'accuracy');
    assert.ok(result.bestModel.family && result.bestModel.params && result.bestScore > 0.8);
    assert.match(trained.stderr, /Refitting the best model on all rows/);

    const rows = fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv'), 'utf8').split('\n').slice(0, 4).join('\n') + '\n';
    write(dir, 'new.csv', rows);
    const predicted = mlops(dir, 'predict', '--run', result.runId.slice(0, 8), '--input', 'new.csv', '--output', 'preds.csv', '--json');
    assert.equal(predicted.status, 0, predicted.stderr);
    assert.deepEqual((JSON.parse(predicted.stdout) as { columns: string[] }).columns, ['prediction', 'proba_0', 'proba_1', 'proba_2']);
    const lines = fs.readFileSync(path.join(dir, 'preds.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /,target,prediction,proba_0,proba_1,proba_2$/);

    const usage = mlops(dir, 'train', '--dataset', 'iris', '--target', 'target', '--time-budget', '0');
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /time budget must be a positive number/);
  });
});
