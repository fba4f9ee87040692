import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { describe, it } from 'node:test';
import { setAlias } from '../../../src/core/registry';
import { readPredictionLog, startServer, type PredictionBatch } from '../../../src/core/serve';
import { postJson, servedProject, writeServing } from './fixture';

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collect(iterable: AsyncIterable<PredictionBatch>): Promise<PredictionBatch[]> {
  const out: PredictionBatch[] = [];
  for await (const b of iterable) out.push(b);
  return out;
}

describe('live switching and routing', () => {
  it('follows an alias move under concurrent requests: none fails, the version header changes, nothing restarts', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false, watchIntervalMs: 50 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const answers: { status: number; version: string }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const r = await postJson(server.url, '/invocations', { dataframe_split: { columns: ['sepal_length_(cm)', 'sepal_width_(cm)', 'petal_length_(cm)', 'petal_width_(cm)'], data: [SETOSA] } }, agent);
        answers.push({ status: r.status, version: String(r.headers['x-mlops-model-version']) });
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await sleep(300);
    await setAlias(f.project().paths, 'iris', 'champion', 2, { reason: 'test' });
    await sleep(400);
    const afterFirstMove = answers.length;
    await setAlias(f.project().paths, 'iris', 'champion', 1, { reason: 'back' });
    await sleep(400);
    running = false;
    await Promise.all(workers);
    agent.destroy();
    await server.close();
    assert.ok(answers.length > 100, `only ${answers.length} answers`);
    assert.deepEqual(answers.filter((a) => a.status !== 200), []);
    const versions = answers.map((a) => a.version);
    assert.equal(versions[0], '1');
    assert.ok(versions.slice(0, afterFirstMove).includes('2'), 'the first move was never seen');
    assert.equal(versions.at(-1), '1');
    // each request's log line names the version that answered it
    const logged = (await collect(readPredictionLog(f.project()))).flatMap((b) => Array.from(b.version));
    assert.equal(logged.length, answers.length);
    assert.deepEqual([...new Set(logged)].sort(), [1, 2]);
  });

  it('splits traffic by weight, rolls back with weight 0 when mlops.yaml changes, and keeps a sticky key on one route', async () => {
    const f = await servedProject();
    writeServing(f.dir, '  endpoints:\n    iris:\n      routes: [{ model: iris@champion, weight: 90 }, { model: iris@challenger, weight: 10 }]\n');
    const server = await startServer(f.project(), { port: 0, writeState: false, watchIntervalMs: 50 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const versionsOf = async (n: number, headers: Record<string, string> = {}) => {
      const out: string[] = [];
      for (let i = 0; i < n; i += 8) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(8, n - i) }, () =>
            new Promise<string>((resolve, reject) => {
              const req = http.request(`${server.url}/invocations`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
                res.resume();
                res.on('end', () => (res.statusCode === 200 ? resolve(String(res.headers['x-mlops-model-version'])) : reject(new Error(`HTTP ${res.statusCode}`))));
              });
              req.on('error', reject);
              req.end(JSON.stringify({ instances: [SETOSA] }));
            }),
          ),
        );
        out.push(...batch);
      }
      return out;
    };
    try {
      const split = await versionsOf(600);
      const challenger = split.filter((v) => v === '2').length;
      // 10% of 600 is 60, with a standard deviation of about 7
      assert.ok(challenger > 25 && challenger < 100, `challenger answered ${challenger} of 600`);

      writeServing(f.dir, '  endpoints:\n    iris:\n      routes: [{ model: iris@champion, weight: 90 }, { model: iris@challenger, weight: 0 }]\n');
      await sleep(300);
      assert.deepEqual([...new Set(await versionsOf(200))], ['1']);

      writeServing(f.dir, '  endpoints:\n    iris:\n      sticky: x-user\n      routes: [{ model: iris@champion, weight: 50 }, { model: iris@challenger, weight: 50 }]\n');
      await sleep(300);
      const byUser = new Map<string, Set<string>>();
      for (let u = 0; u < 40; u++) byUser.set(`user-${u}`, new Set(await versionsOf(8, { 'x-user': `user-${u}` })));
      for (const [user, seen] of byUser) assert.equal(seen.size, 1, `${user} reached ${[...seen].join(' and ')}`);
      const reached = new Set([...byUser.values()].map((s) => [...s][0]));
      assert.deepEqual([...reached].sort(), ['1', '2']);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('sends a shadow a copy of each request after answering: logged under the same id, never returned', async () => {
    const f = await servedProject();
    writeServing(f.dir, '  endpoints:\n    iris:\n      routes: [{ model: iris@champion }]\n      shadow: iris/2\n');
    const server = await startServer(f.project(), { port: 0, writeState: false });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await postJson(server.url, '/invocations', { instances: [SETOSA, SETOSA] });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-mlops-model-version'], '1');
      assert.deepEqual(Object.keys(r.json()), ['predictions']);
      ids.push(String(r.headers['x-request-id']));
    }
    await server.close();
    const routed = (await collect(readPredictionLog(f.project()))).flatMap((b) => b.role.map((role, i) => [role, b.version[i], b.requestId[i]]));
    assert.equal(routed.length, 40);
    assert.ok(routed.every(([role, version]) => role === 'route' && version === 1));
    const all = (await collect(readPredictionLog(f.project(), { shadow: true }))).flatMap((b) => b.role.map((role, i) => ({ role, version: b.version[i], id: b.requestId[i] })));
    const shadows = all.filter((r) => r.role === 'shadow');
    assert.equal(shadows.length, 40);
    assert.ok(shadows.every((s) => s.version === 2));
    assert.deepEqual([...new Set(shadows.map((s) => s.id))].sort(), [...ids].sort());
  });

  it('starts without a shadow that does not load, never lets it touch callers, and mirrors once its alias appears', async () => {
    const f = await servedProject();
    writeServing(f.dir, '  endpoints:\n    iris:\n      routes: [{ model: iris@champion }]\n      shadow: iris@candidate\n');
    const events: string[] = [];
    const server = await startServer(f.project(), { port: 0, writeState: false, watchIntervalMs: 50, onEvent: (e) => events.push(e.kind) });
    try {
      assert.deepEqual(events, ['load-failed']);
      for (let i = 0; i < 5; i++) assert.equal((await postJson(server.url, '/invocations', { instances: [SETOSA] })).status, 200);
      await setAlias(f.project().paths, 'iris', 'candidate', 2, { reason: 'try it' });
      await sleep(300);
      for (let i = 0; i < 5; i++) assert.equal((await postJson(server.url, '/invocations', { instances: [SETOSA] })).headers['x-mlops-model-version'], '1');
    } finally {
      await server.close();
    }
    const roles = (await collect(readPredictionLog(f.project(), { shadow: true }))).flatMap((b) => b.role.map((r, i) => `${r}:${b.version[i]}`));
    assert.equal(roles.filter((r) => r === 'route:1').length, 10);
    assert.equal(roles.filter((r) => r === 'shadow:2').length, 5);
    assert.ok(events.includes('switched'));
  });
});
