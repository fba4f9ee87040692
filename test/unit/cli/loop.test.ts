import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';

// The whole loop of the sample project through the built CLI, as a user types it, in a real git repository: the
// model learns Seattle from the sample's feature service, serves, sees New York (drift), is retrained on both cities,
// gated, approved while traffic flows, and the server switches versions with no failed request.
const cli = path.join(installPaths().root, 'dist', 'cli.js');

interface Replay {
  requests: number;
  failed: number;
  byVersion: Record<string, number>;
}

function mlopsIn(cwd: string) {
  return (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
  };
}

function git(cwd: string, ...args: string[]) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** The rows of the sample's weather.csv picked by city and year, with its header. */
function pick(lines: readonly string[], keep: (city: string, year: string) => boolean): string {
  const [header, ...rows] = lines;
  return [header, ...rows.filter((l) => keep(l.slice(0, l.indexOf(',')), l.split(',')[1].slice(0, 4)))].join('\n') + '\n';
}

function serve(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, 'serve', 'weather@champion', '--port', '0', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`mlops serve exited with ${code}: ${err}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!out.includes('\n')) return;
      child.removeAllListeners('exit');
      resolve({ child, url: (JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string }).url });
    });
  });
}

function replayInBackground(cwd: string, ...args: string[]): Promise<{ status: number | null; summary: Replay }> {
  const child = spawn(process.execPath, [cli, 'replay', ...args, '--json'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, summary: JSON.parse(out) as Replay })));
}

describe('the MLOps loop through the CLI', () => {
  it('serves the champion, sees New York traffic drift, retrains, gates, approves during traffic: 0 failed, two versions answer', { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-loop-'));
    const mlops = mlopsIn(dir);
    git(dir, 'init', '-q');
    git(dir, 'config', 'user.email', 'loop@example.com');
    git(dir, 'config', 'user.name', 'Loop Test');
    assert.equal(mlops('init', '--sample').status, 0);
    git(dir, 'add', 'mlops.yaml', '.gitignore');
    git(dir, 'commit', '-q', '-m', 'sample');
    const weather = path.join(dir, 'data', 'weather.csv');
    const lines = fs.readFileSync(weather, 'utf8').trimEnd().split('\n');
    fs.mkdirSync(path.join(dir, 'traffic'));
    fs.writeFileSync(path.join(dir, 'traffic', 'seattle.csv'), pick(lines, (city, year) => city === 'Seattle' && year === '2015'));
    fs.writeFileSync(path.join(dir, 'traffic', 'new-york.csv'), pick(lines, (city, year) => city === 'New York' && year === '2015'));
    fs.writeFileSync(path.join(dir, 'traffic', 'labelled.csv'), pick(lines, (_, year) => year === '2015'));

    // v1: Seattle only; the champion learns it
    fs.writeFileSync(weather, pick(lines, (city, year) => city === 'Seattle' && year < '2015'));
    assert.equal(mlops('snapshot', 'data/weather.csv', '-m', 'Seattle').status, 0);
    assert.equal(mlops('features', 'materialize').status, 0);
    // trained on the sample's feature service: served, it is called with the location and the day's measurements
    const trained = mlops('train', '--features', 'weather_features', '--entities', 'weather', '--timestamp', 'date', '--target', 'weather', '--max-trials', '4', '--seed', '42', '--json');
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal(mlops('register', (trained.json() as { runId: string }).runId, '--model', 'weather', '--alias', 'champion', '--reason', 'first').status, 0);

    const server = await serve(dir);
    try {
      const seattle = mlops('replay', '--endpoint', 'weather', '--file', 'traffic/seattle.csv', '--json');
      assert.equal(seattle.status, 0, seattle.stdout);
      assert.deepEqual((seattle.json() as Replay).byVersion, { 1: 365 });
      const calm = mlops('monitor', '--model', 'weather@champion', '--last', '365', '--json');
      assert.equal(calm.status, 0, calm.stderr);
      assert.notEqual((calm.json() as { health: string }).health, 'drift', calm.stdout);

      // another city reaches the model: its inputs drift, and the recorded check says so
      assert.equal(mlops('replay', '--endpoint', 'weather', '--file', 'traffic/new-york.csv', '--json').status, 0);
      const drift = mlops('drift', '--model', 'weather@champion', '--last', '365', '--json');
      assert.equal((drift.json() as { datasetDrift: boolean }).datasetDrift, true, drift.stdout + drift.stderr);
      const check = mlops('monitor', '--model', 'weather@champion', '--last', '365', '--json');
      assert.equal((check.json() as { health: string }).health, 'drift', check.stdout);

      // new data: both cities; retrain the champion's configuration on it, gate, approve during traffic
      fs.writeFileSync(weather, pick(lines, (_, year) => year < '2015'));
      assert.equal(mlops('snapshot', 'data/weather.csv', '-m', 'both cities').status, 0);
      assert.equal(mlops('features', 'materialize').status, 0);
      // the service's training set is built again from the new rows of both cities
      const retrained = mlops('retrain', 'weather', '--reason', 'drift', '--json');
      assert.equal(retrained.status, 0, retrained.stderr);
      const rebuilt = retrained.json() as { version: number; rows: number; dataset: { name: string; version: number } };
      assert.deepEqual([rebuilt.version, rebuilt.dataset.name, rebuilt.dataset.version, rebuilt.rows], [2, 'weather_features-training', 2, lines.length - 1 - 730]);
      const gate = mlops('gate', '--model', 'weather@challenger', '--against', 'champion', '--holdout', 'traffic/labelled.csv', '--json');
      const verdict = gate.json() as { passed: boolean; challenger: number; champion: number; holdout: { rows: number } };
      assert.equal(gate.status, 0, gate.stdout);
      assert.equal(verdict.passed, true);
      assert.equal(verdict.holdout.rows, 730);
      assert.ok(verdict.challenger >= verdict.champion);

      const during = replayInBackground(dir, '--endpoint', 'weather', '--file', 'traffic/labelled.csv', '--rate', '40', '--duration', '6');
      await new Promise((r) => setTimeout(r, 2000));
      const approve = mlops('approve', 'weather/2', '--reason', 'passed the gate');
      assert.equal(approve.status, 0, approve.stderr);
      const { status, summary } = await during;
      assert.equal(summary.failed, 0);
      assert.equal(status, 0);
      assert.deepEqual(Object.keys(summary.byVersion).sort(), ['1', '2'], JSON.stringify(summary.byVersion));
      assert.ok(summary.requests > 50, `${summary.requests} requests`);

      const after = mlops('replay', '--endpoint', 'weather', '--file', 'traffic/seattle.csv', '--json');
      assert.deepEqual((after.json() as Replay).byVersion, { 2: 365 }, 'the champion serves now');
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
  });
});
