import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { readPredictionLog } from '../../../src/core/serve';
import { call, postJson, servedProject, writeServing } from './fixture';

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
    // killed amid traffic, once enough answers are out to mean something: counted, not timed (a loaded machine is slow)
    for (const deadline = Date.now() + 30_000; answered.length <= 50 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    running = false;
    await Promise.all(workers);
    await exited;
    agent.destroy();
    assert.ok(answered.length > 50, `only ${answered.length} answers`);
    const logged = new Set<string>();
    for await (const batch of readPredictionLog(f.project())) for (const id of batch.requestId) logged.add(id);
    assert.deepEqual(answered.filter((id) => !logged.has(id)), []);
    // the state file of a killed server is recognised as stale: the server is reported dead, not running
    const status = mlops(f.dir, 'serve', 'status', '--json');
    assert.deepEqual(JSON.parse(status.stdout), { running: false, dead: { pid: child.pid, url, started: JSON.parse(fs.readFileSync(path.join(f.dir, '.mlops/serving/server.json'), 'utf8')).started } });
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

describe('mlops serve flags for canary and shadow', () => {
  it('refuses usage mistakes with exit 2 before starting anything', async () => {
    const f = await servedProject();
    const refused = (args: string[], message: RegExp) => {
      const r = mlops(f.dir, 'serve', '--port', '0', ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    };
    refused(['--route', 'iris'], /iris/);
    refused(['--route', 'iris@champion=much'], /--route iris@champion=much: the weight/);
    refused(['--route', 'iris@champion=-1'], /the weight after "=" must be a number of at least 0/);
    refused(['--route', 'iris@champion=0', '--route', 'iris@challenger=0'], /Every --route has weight 0/);
    refused(['--route', 'iris@champion=1', '--route', 'iris@champion=2'], /iris@champion is given twice/);
    refused(['--shadow', 'iris@challenger'], /--shadow describes the endpoint of --route/);
    refused(['--sticky', 'x-user', 'iris@champion'], /--sticky describes the endpoint of --route/);
    refused(['iris@champion', '--route', 'iris@challenger'], /as arguments or with --route, not both/);
    refused(['--route', 'iris@champion', '--shadow', 'iris'], /iris/);
    refused(['--route', 'iris@champion', '--endpoint', '../x'], /"\.\.\/x" is not a valid endpoint name/);
    refused(['--port', '70000', 'iris@champion'], /--port must be a port number/);
    assert.equal(fs.existsSync(path.join(f.dir, '.mlops/serving/server.json')), false);
    assert.equal(fs.existsSync(path.join(f.dir, '.mlops/serving/server.log')), false);
  });

  it('serves a weighted, sticky endpoint with a shadow from the flags, and follows mlops.yaml once it declares the endpoint', async () => {
    const f = await servedProject();
    const { child, url, exited } = await serve(f.dir, '--endpoint', 'flowers', '--route', 'iris@champion=0', '--route', 'iris@challenger=3', '--shadow', 'iris/1', '--sticky', 'x-user');
    const shown = JSON.parse(mlops(f.dir, 'serve', 'status', '--json').stdout);
    assert.deepEqual(shown.endpoints.map((e: { name: string; routes: unknown; shadow: unknown; sticky: unknown }) => [e.name, e.routes, e.shadow, e.sticky]), [
      ['flowers', [{ model: 'iris@champion', version: 1, weight: 0 }, { model: 'iris@challenger', version: 2, weight: 3 }], { model: 'iris/1', version: 1 }, 'x-user'],
    ]);
    const versions = async (n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await call(url, 'POST', '/endpoints/flowers/invocations', JSON.stringify({ instances: [SETOSA] }), { 'content-type': 'application/json', 'x-user': `u${i}` });
        assert.equal(r.status, 200, r.text);
        seen.push(String(r.headers['x-mlops-model-version']));
      }
      return [...new Set(seen)];
    };
    // the champion has weight 0: every caller reaches the challenger, whatever its sticky key
    assert.deepEqual(await versions(20), ['2']);
    // an edit of mlops.yaml that declares the endpoint takes it over without a restart: the rollback
    writeServing(f.dir, '  endpoints:\n    flowers:\n      routes: [{ model: iris@champion, weight: 1 }, { model: iris@challenger, weight: 0 }]\n');
    const deadline = Date.now() + 5000;
    while ((await versions(1))[0] !== '1' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await versions(20), ['1']);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    // the shadow saw the requests answered while the flags held, after their answers
    const roles = new Map<string, number[]>();
    for await (const batch of readPredictionLog(f.project(), { shadow: true })) batch.role.forEach((role, i) => roles.set(role, [...(roles.get(role) ?? []), batch.version[i]]));
    assert.deepEqual([...new Set(roles.get('shadow'))], [1]);
    assert.ok((roles.get('shadow') ?? []).length >= 20);
    const log = fs.readFileSync(path.join(f.dir, '.mlops/serving/server.log'), 'utf8');
    assert.match(log, /^\S+Z Serving on http:\/\/127\.0\.0\.1:\d+ \(process \d+\)\.\n/);
    assert.match(log, /mlops\.yaml changed: endpoints and weights reloaded\.\n/);
    assert.match(log, /Stopped\.\n$/);
  });

  it('started detached by a parent, writes its state and log under .mlops/serving; once killed, status reports it dead', async () => {
    const f = await servedProject();
    // as the editor starts it: its own process group, no terminal, no pipes to a parent that may go away
    const child = spawn(process.execPath, [cli, 'serve', 'iris@champion', '--port', '0'], { cwd: f.dir, env: { ...process.env, LANG: 'C' }, detached: true, stdio: 'ignore' });
    const killed = new Promise((resolve) => child.on('exit', resolve));
    const stateFile = path.join(f.dir, '.mlops/serving/server.json');
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(stateFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const running = JSON.parse(mlops(f.dir, 'serve', 'status', '--json').stdout);
    assert.equal(running.running, true);
    assert.equal(running.pid, child.pid);
    assert.equal((await postJson(running.url, '/invocations', { instances: [SETOSA] })).status, 200);
    assert.match(fs.readFileSync(path.join(f.dir, '.mlops/serving/server.log'), 'utf8'), new RegExp(`Serving on ${running.url} \\(process ${child.pid}\\)`));

    process.kill(child.pid!, 'SIGKILL');
    await killed;
    const dead = mlops(f.dir, 'serve', 'status', '--json');
    assert.deepEqual(JSON.parse(dead.stdout), { running: false, dead: { pid: child.pid, url: running.url, started: running.started } });
    const text = mlops(f.dir, 'serve', 'status');
    assert.equal(text.status, 1);
    assert.match(text.stdout, new RegExp(`The model server \\(process ${child.pid}, ${running.url}\\) died without stopping`));
    // reading the status twice does not forget the death; stop clears it, and a new server starts
    assert.equal(JSON.parse(mlops(f.dir, 'serve', 'status', '--json').stdout).dead.pid, child.pid);
    assert.deepEqual(JSON.parse(mlops(f.dir, 'serve', 'stop', '--json').stdout), { stopped: false, pid: null });
    assert.deepEqual(JSON.parse(mlops(f.dir, 'serve', 'status', '--json').stdout), { running: false });
    const again = await serve(f.dir, 'iris@champion');
    assert.equal(JSON.parse(mlops(f.dir, 'serve', 'status', '--json').stdout).pid, again.child.pid);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });
});
