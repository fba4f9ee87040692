import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { openMetadataStore } from '../../../src/core/metadata';
import { startRun } from '../../../src/core/tracking';

// As users run it: the built CLI in a real project folder, read through exit codes and --json output.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const env = { ...process.env, LANG: 'C', MLOPS_RUN_ID: '' };
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env });

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-runs-'));
  assert.equal(mlops(dir, 'init').status, 0);
  return dir;
}

/** A run of a Node one-liner that logs `loss` at steps 0..2 and the param lr. */
function logRun(dir: string, lr: number, ...options: string[]): string {
  const script = `const f = require('fs'), file = process.env.MLOPS_LOG_FILE;
    for (let s = 0; s < 3; s++) f.appendFileSync(file, JSON.stringify({ type: 'metric', key: 'loss', value: ${lr} * (3 - s), step: s, timestamp: 1000 + s }) + '\\n');
    f.appendFileSync(file, JSON.stringify({ type: 'param', key: 'lr', value: ${lr} }) + '\\n');`;
  const r = mlops(dir, 'run', ...options, '--', process.execPath, '-e', script);
  assert.equal(r.status, 0, r.stderr);
  return /Run (\S+) finished/.exec(r.stderr)![1];
}

describe('mlops run and runs', () => {
  it('runs a command as a run, passing its output through and exiting with its exit code', () => {
    const dir = project();
    const r = mlops(dir, 'run', '--name', 'boom', '--', process.execPath, '-e', "console.log('to stdout'); console.error('to stderr'); process.exit(7)");
    assert.equal(r.status, 7);
    assert.match(r.stdout, /to stdout/);
    assert.match(r.stderr, /to stderr/);
    assert.match(r.stderr, /Run \S+ failed after [\d.]+ s \(exit code 7\)/);
    const runs = JSON.parse(mlops(dir, 'runs', '--json').stdout) as { runs: { name: string; status: string; durationMs: number }[] };
    assert.equal(runs.runs.length, 1);
    assert.equal(runs.runs[0].name, 'boom');
    assert.equal(runs.runs[0].status, 'failed');
    assert.equal(typeof runs.runs[0].durationMs, 'number');
  });

  it('shows a run with its metric history, lists by experiment, compares and deletes', () => {
    const dir = project();
    const a = logRun(dir, 0.1, '--experiment', 'x');
    const b = logRun(dir, 0.2, '--experiment', 'y');
    const shown = JSON.parse(mlops(dir, 'run', 'show', a, '--json').stdout) as { id: string; params: object; metricHistory: Record<string, unknown[]> };
    assert.equal(shown.id, a);
    assert.deepEqual(shown.params, { lr: '0.1' });
    assert.deepEqual(shown.metricHistory.loss, [
      { step: 0, value: 0.30000000000000004, timestamp: 1000 },
      { step: 1, value: 0.2, timestamp: 1001 },
      { step: 2, value: 0.1, timestamp: 1002 },
    ]);
    assert.match(mlops(dir, 'run', 'show', a).stdout, /lr = 0\.1/);
    const listed = mlops(dir, 'runs').stdout;
    assert.match(listed, new RegExp(`^${a} .* loss 0\\.1$`, 'm'), 'each run with the latest value of its key metric');
    assert.match(listed, new RegExp(`^${b} .* loss 0\\.2$`, 'm'));
    const onlyY = JSON.parse(mlops(dir, 'runs', '--experiment', 'y', '--json').stdout) as { runs: { id: string }[] };
    assert.deepEqual(onlyY.runs.map((r) => r.id), [b]);
    const compared = JSON.parse(mlops(dir, 'run', 'compare', a, b, '--json').stdout) as { params: Record<string, Record<string, string>>; metrics: Record<string, Record<string, number>>; differentParams: string[] };
    assert.deepEqual(compared.params.lr, { [a]: '0.1', [b]: '0.2' });
    assert.deepEqual(compared.metrics.loss, { [a]: 0.1, [b]: 0.2 });
    assert.deepEqual(compared.differentParams, ['lr']);
    assert.equal(mlops(dir, 'run', 'delete', a).status, 0);
    assert.deepEqual((JSON.parse(mlops(dir, 'runs', '--json').stdout) as { runs: { id: string }[] }).runs.map((r) => r.id), [b]);
    const missing = mlops(dir, 'run', 'show', a);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /There is no run/);
  });

  it('marks the run killed when Ctrl-C stops it, and passes the interrupt to the command', async () => {
    const dir = project();
    const child = spawn(process.execPath, [cli, 'run', '--', process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000)"], { cwd: dir, env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /killed after .* \(signal SIGINT\)/);
    const runs = JSON.parse(mlops(dir, 'runs', '--json').stdout) as { runs: { status: string }[] };
    assert.equal(runs.runs[0].status, 'killed');
  });

  it('in a terminal, delivers Ctrl-C to the command once', async () => {
    const dir = project();
    // The command counts the interrupts it gets during half a second after the first one.
    const counter = "let n = 0; process.on('SIGINT', () => { if (n++ === 0) setTimeout(() => { console.log('interrupts=' + n); process.exit(130); }, 500); }); console.log('ready'); setInterval(() => {}, 1000)";
    const command = [process.execPath, cli, 'run', '--', process.execPath, '-e', counter].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    // script(1) runs it on a pseudo-terminal; the ETX byte written there is a Ctrl-C typed at that terminal.
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env: { ...env, SHELL: '/bin/sh' } });
    let seen = '';
    terminal.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/ready/.test(d.toString())) terminal.stdin.write('\x03');
    });
    const code = await new Promise<number | null>((resolve) => terminal.on('close', (c) => resolve(c)));
    assert.match(seen, /interrupts=1\b/, seen);
    assert.equal(code, 130, seen);
    const runs = JSON.parse(mlops(dir, 'runs', '--json').stdout) as { runs: { status: string }[] };
    assert.equal(runs.runs[0].status, 'killed');
  });

  it('answers usage mistakes with exit code 2', () => {
    const dir = project();
    assert.equal(mlops(dir, 'run', 'python', 'train.py').status, 2, 'the command goes after --');
    assert.equal(mlops(dir, 'run', 'compare', 'onlyone').status, 2);
  });

  it('imports an MLflow folder', () => {
    const dir = project();
    const mlruns = path.join(dir, 'mlruns');
    fs.mkdirSync(path.join(mlruns, '0', 'abc', 'metrics'), { recursive: true });
    fs.writeFileSync(path.join(mlruns, '0', 'meta.yaml'), 'experiment_id: "0"\nname: Default\nlifecycle_stage: active\n');
    fs.writeFileSync(path.join(mlruns, '0', 'abc', 'meta.yaml'), 'run_id: abc\nstatus: 3\nstart_time: 5\nend_time: 9\nlifecycle_stage: active\n');
    fs.writeFileSync(path.join(mlruns, '0', 'abc', 'metrics', 'rmse'), '6 1.5 0\n');
    const r = mlops(dir, 'import', 'mlflow', 'mlruns', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { imported: ['abc'], skipped: [], experiments: ['Default'] });
    assert.match(mlops(dir, 'import', 'mlflow', 'mlruns').stdout, /Imported 0 runs from 1 experiments; 1 were already here/);
  });

  it('lists top-level runs with their trials counted, and the trials too with --all', async () => {
    const dir = project();
    const store = await openMetadataStore(dir);
    const search = await startRun(store, { experiment: 'automl', name: 'search' });
    for (let i = 0; i < 3; i++) (await startRun(store, { experiment: 'automl', parent: search.id, name: `trial ${i}` })).end();
    search.end();
    store.close();
    const plain = logRun(dir, 0.1);
    const listed = JSON.parse(mlops(dir, 'runs', '--json').stdout) as { runs: { id: string; trials: number }[] };
    assert.deepEqual(listed.runs.map((r) => [r.id, r.trials]).sort(), [[plain, 0], [search.id, 3]].sort());
    const text = mlops(dir, 'runs').stdout;
    assert.equal(text.trimEnd().split('\n').length, 1 + 2 + 1, text);
    assert.match(text, /TRIALS/);
    assert.match(text, /3 trials not listed; `mlops runs --all` lists them too\./);
    const all = JSON.parse(mlops(dir, 'runs', '--all', '--json').stdout) as { runs: { name: string | null }[] };
    assert.equal(all.runs.length, 5);
  });
});
