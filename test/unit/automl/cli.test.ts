import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import { installPaths } from '../../../src/core/install';
import { makeProject, write } from '../data/projectFixture';
import { FIXTURE_DIR } from '../train/fixtures';

ort.env.wasm.numThreads = 1;

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

  it('trains only the families asked for, and exports the model to an ONNX file that ONNX Runtime runs as mlops predict does', async () => {
    const { dir } = makeProject({ config: 'training:\n  families: [naive_bayes]\n' });
    write(dir, 'data/iris.csv', fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv')));
    assert.equal(mlops(dir, 'snapshot', 'data/iris.csv', '--name', 'iris').status, 0);
    const train = (...extra: string[]) => mlops(dir, 'train', '--dataset', 'iris', '--target', 'target', '--max-trials', '4', '--json', ...extra);

    // mlops.yaml's training.families applies, and a model without an ONNX operator is refused with what to do.
    const bayes = JSON.parse(train().stdout) as { runId: string; bestModel: { family: string } };
    assert.equal(bayes.bestModel.family, 'naive_bayes');
    const refused = mlops(dir, 'export', '--run', bayes.runId, '--output', 'bayes.onnx');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /naive_bayes family cannot be exported to ONNX.*\n.*--families/);
    assert.ok(!fs.existsSync(path.join(dir, 'bayes.onnx')));

    const trees = train('--families', 'random_forest,extra_trees');
    assert.equal(trees.status, 0, trees.stderr);
    const result = JSON.parse(trees.stdout) as { runId: string; bestModel: { family: string } };
    assert.ok(['random_forest', 'extra_trees'].includes(result.bestModel.family), result.bestModel.family);
    const exported = mlops(dir, 'export', '--run', result.runId, '--output', 'model.onnx', '--json');
    assert.equal(exported.status, 0, exported.stderr);
    const shape = JSON.parse(exported.stdout) as { family: string; features: { name: string }[]; classes: string[]; outputs: string[] };
    assert.equal(shape.family, result.bestModel.family);
    assert.deepEqual(shape.outputs, ['label', 'probabilities']);

    const csv = fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv'), 'utf8').trimEnd().split('\n');
    write(dir, 'new.csv', csv.join('\n') + '\n');
    assert.equal(mlops(dir, 'predict', '--run', result.runId, '--input', 'new.csv', '--output', 'preds.csv').status, 0);
    const predicted = fs.readFileSync(path.join(dir, 'preds.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    const header = csv[0].split(',');
    const columns = shape.features.map((f) => header.indexOf(f.name));
    const rows = csv.slice(1).map((l) => l.split(','));
    const X = new ort.Tensor('float32', Float32Array.from(rows.flatMap((r) => columns.map((c) => Number(r[c])))), [rows.length, columns.length]);
    const session = await ort.InferenceSession.create(fs.readFileSync(path.join(dir, 'model.onnx')));
    const out = await session.run({ X });
    const at = (name: string) => predicted[0].indexOf(name);
    assert.deepEqual(Array.from(out.label.data as string[]), predicted.slice(1).map((r) => r[at('prediction')]));
    const probabilities = out.probabilities.data as Float32Array;
    predicted.slice(1).forEach((r, i) => shape.classes.forEach((c, k) => assert.ok(Math.abs(probabilities[i * shape.classes.length + k] - Number(r[at(`proba_${c}`)])) < 1e-5)));

    const unknown = train('--families', 'gbdt,knnx');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Unknown model families: knnx/);
  });
});
