import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { setAlias } from '../../../src/core/registry';
import { readPredictionLog, replayTraffic, scoringUrl, startServer } from '../../../src/core/serve';
import { servedProject } from './fixture';

const IRIS = path.join(__dirname, '../../../../test/fixtures/datasets/iris.csv');

/** Rows the server logged as predicted, read once it has closed and flushed its log. */
async function loggedRows(f: Awaited<ReturnType<typeof servedProject>>): Promise<number> {
  let rows = 0;
  for await (const b of readPredictionLog(f.project())) rows += b.rows;
  return rows;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('mlops replay: traffic from a file', () => {
  it('sends every row once with only the inputs the model uses (the target column stays out), all answered', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    try {
      const s = await replayTraffic({ url: server.url, file: IRIS, concurrency: 3, batch: 7 });
      assert.equal(s.rows, 150);
      assert.equal(s.requests, Math.ceil(150 / 7));
      assert.equal(s.failed, 0);
      assert.deepEqual(s.byStatus, { 200: s.requests });
      assert.deepEqual(s.byVersion, { 1: s.requests });
      assert.deepEqual(s.columns, ['sepal_length_(cm)', 'sepal_width_(cm)', 'petal_length_(cm)', 'petal_width_(cm)']);
      assert.ok(s.p50Ms !== null && s.p99Ms !== null && s.p50Ms <= s.p99Ms);
    } finally {
      await server.close();
    }
    assert.equal(await loggedRows(f), 150, 'the server predicted every row the replay sent');
  });

  it('counts the versions answering while champion moves under a steady rate, and no request fails', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false, watchIntervalMs: 50 });
    try {
      const replay = replayTraffic({ url: `${server.url}/endpoints/iris/invocations`, file: IRIS, rate: 200, concurrency: 4, durationMs: 1500 });
      await new Promise((r) => setTimeout(r, 500));
      await setAlias(f.project().paths, 'iris', 'champion', 2, { reason: 'promote during traffic' });
      const s = await replay;
      assert.equal(s.failed, 0);
      assert.deepEqual(Object.keys(s.byVersion).sort(), ['1', '2']);
      assert.ok(s.byVersion['1'] > 20 && s.byVersion['2'] > 20, JSON.stringify(s.byVersion));
      // never faster than 200/s for 1.5 s (a loaded machine may be slower), cycling through the 150 rows
      assert.ok(s.requests <= 300 + 4, `${s.requests} requests`);
      assert.ok(s.rows > 150, `cycled through the file (${s.rows} rows)`);
    } finally {
      await server.close();
    }
  });

  it('counts a request that got no answer as failed, with the reason, when nothing listens', async () => {
    const port = await closedPort();
    const s = await replayTraffic({ url: `http://127.0.0.1:${port}/invocations`, file: IRIS, concurrency: 2, columns: ['sepal_length_(cm)'] });
    assert.equal(s.requests, 150);
    assert.equal(s.failed, 150);
    assert.deepEqual(s.byStatus, { error: 150 });
    assert.deepEqual(s.byVersion, {});
    assert.match(s.firstFailure?.message ?? '', /ECONNREFUSED/);
  });

  it('counts the server refusing a request by its status and keeps its message', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    try {
      const s = await replayTraffic({ url: server.url, file: IRIS, columns: ['sepal_length_(cm)', 'target'] });
      assert.equal(s.failed, 150);
      assert.deepEqual(s.byStatus, { 400: 150 });
      assert.match(s.firstFailure?.message ?? '', /missing: sepal_width_\(cm\)/);
    } finally {
      await server.close();
    }
  });

  it('names the missing column and the file before sending anything', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'replay-')), 'short.csv');
    fs.writeFileSync(file, 'sepal_length_(cm),target\n5.1,0\n');
    try {
      await assert.rejects(replayTraffic({ url: server.url, file }), (err: unknown) => err instanceof MlopsError && err.code === 'BAD_REPLAY' && err.message.includes(file) && err.message.includes('petal_width_(cm)'));
    } finally {
      await server.close();
    }
    assert.equal(await loggedRows(f), 0);
  });

  it('takes a server base URL as its default endpoint and refuses what is not an http URL', () => {
    assert.equal(scoringUrl('http://127.0.0.1:5005').href, 'http://127.0.0.1:5005/invocations');
    assert.equal(scoringUrl('http://127.0.0.1:5005/endpoints/w/invocations').pathname, '/endpoints/w/invocations');
    assert.throws(() => scoringUrl('weather'), /not a URL/);
    assert.throws(() => scoringUrl('ftp://host/x'), /not an http or https URL/);
  });
});
