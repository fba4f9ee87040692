import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { readPredictionLog } from '../../../src/core/serve';
import { call, postJson, servedProject } from './fixture';

// As users run it: the built CLI in its own process.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

/** Starts `mlops serve --json` and resolves with its URL once it listens. */
function serve(cwd: string, ...args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--json', ...args], { cwd, env: { ...process.env, LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, url: (JSON.parse(out.slice(0, newline)) as { url: string }).url, exited });
    });
    child.on('exit', (code) => reject(new Error(`mlops serve exited ${code}: ${err}`)));
  });
}

describe('mlops serve as its own process', () => {
  it('loses no answered request to kill -9: every request id answered is in the log', async () => {
    const f = await servedProject();
    const { child, url, exited } = await serve(f.dir, 'iris@champion');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const answered: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const r = await postJson(url, '/invocations', { instances: [SETOSA] }, agent);
          if (r.status === 200) answered.push(String(r.headers['x-request-id']));
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGKILL');
    running = false;
    await Promise.all(workers);
    await exited;
    agent.destroy();
    assert.ok(answered.length > 50, `only ${answered.length} answers`);
    const logged = new Set<string>();
    for await (const batch of readPredictionLog(f.project())) for (const id of batch.requestId) logged.add(id);
    assert.deepEqual(answered.filter((id) => !logged.has(id)), []);
    // the state file of a killed server is recognised as stale
    const status = mlops(f.dir, 'serve', 'status', '--json');
    assert.deepEqual(JSON.parse(status.stdout), { running: false });
  });

  it('drains a request in flight on SIGTERM, answers it, and exits 0; status and stop work from another process', async () => {
    const f = await servedProject();
    const { child, url, exited } = await serve(f.dir, 'iris@champion');
    const status = mlops(f.dir, 'serve', 'status', '--json');
    assert.equal(status.status, 0, status.stderr);
    const shown = JSON.parse(status.stdout);
    assert.equal(shown.running, true);
    assert.equal(shown.pid, child.pid);
    assert.deepEqual(shown.endpoints.map((e: { name: string; routes: unknown }) => [e.name, e.routes]), [['iris', [{ model: 'iris@champion', version: 1, weight: 1 }]]]);
    assert.match(mlops(f.dir, 'serve', 'status').stdout, /iris@champion → 1/);
    assert.ok(fs.existsSync(path.join(f.dir, '.mlops/serving/server.json')));

    // a request whose body is still arriving when the signal comes
    const body = JSON.stringify({ instances: [SETOSA] });
    const target = new URL('/invocations', url);
    const pending = new Promise<{ status: number; version: string }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, version: String(res.headers['x-mlops-model-version']) }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(5)), 300);
      }, 100);
    });
    assert.deepEqual(await pending, { status: 200, version: '1' });
    assert.equal(await exited, 0);
    assert.equal(fs.existsSync(path.join(f.dir, '.mlops/serving/server.json')), false);
    await assert.rejects(call(url, 'GET', '/ping'));

    const again = await serve(f.dir, 'iris@challenger');
    assert.equal((await postJson(again.url, '/invocations', { instances: [SETOSA] })).headers['x-mlops-model-version'], '2');
    const stopped = mlops(f.dir, 'serve', 'stop', '--json');
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.deepEqual(JSON.parse(stopped.stdout), { stopped: true, pid: again.child.pid });
    assert.equal(await again.exited, 0);
    assert.deepEqual(JSON.parse(mlops(f.dir, 'serve', 'stop', '--json').stdout), { stopped: false, pid: null });
  });

  it('refuses to start a second server on the same project, and names what is wrong with a bad reference', async () => {
    const f = await servedProject();
    const first = await serve(f.dir, 'iris@champion');
    const second = mlops(f.dir, 'serve', 'iris@champion', '--port', '0');
    assert.equal(second.status, 1);
    assert.match(second.stderr, /already runs for this project/);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const bad = mlops(f.dir, 'serve', 'iris@nobody', '--port', '0');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /iris has no alias "nobody"/);
    const warned = spawnSync(process.execPath, [cli, 'serve', 'iris@nowhere', '--host', '0.0.0.0', '--port', '0'], { cwd: f.dir, encoding: 'utf8' });
    assert.match(warned.stderr, /other machines can reach your models/);
  });
});
