import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { logDir, readPredictionLog, startServer, type PredictionBatch } from '../../../src/core/serve';
import { IRIS_COLUMNS, postJson, servedProject } from './fixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');

async function collect(iterable: AsyncIterable<PredictionBatch>): Promise<PredictionBatch[]> {
  const out: PredictionBatch[] = [];
  for await (const b of iterable) out.push(b);
  return out;
}

describe('the prediction log', () => {
  it('keeps each predicted row with its request, inputs and output, and reads back windows in columnar batches', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion', 'iris@challenger'], port: 0, writeState: false });
    const sent: { id: string; rows: number[][] }[] = [];
    for (let i = 0; i < 30; i++) {
      const rows = [[5 + i / 10, 3.5, 1.4, 0.2], [6.9, 3.1, 5.4, 2.1]].slice(0, 1 + (i % 2));
      const r = await postJson(server.url, i < 20 ? '/invocations' : '/endpoints/iris-challenger/invocations', { instances: rows });
      assert.equal(r.status, 200);
      sent.push({ id: String(r.headers['x-request-id']), rows });
    }
    const middle = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await postJson(server.url, '/invocations', { instances: [[5.1, 3.5, 1.4, 0.2]] });
    await server.close();

    const everything = await collect(readPredictionLog(f.project(), { batchRows: 7 }));
    assert.ok(everything.every((b) => b.rows <= 7));
    assert.ok(everything.length > 1);
    const rows = everything.reduce((n, b) => n + b.rows, 0);
    assert.equal(rows, 30 + 15 + 1);
    const first = everything[0];
    assert.equal(first.requestId[0], sent[0].id);
    assert.deepEqual(IRIS_COLUMNS.map((c) => first.inputs[c][0]), sent[0].rows[0]);
    assert.equal(first.prediction[0], '0');
    assert.equal(first.endpoint[0], 'iris');
    assert.equal(first.model[0], 'iris');
    assert.ok(first.time instanceof Float64Array && first.latencyMs instanceof Float64Array && first.version instanceof Int32Array);
    // the second request had two rows: both carry its id, in order
    assert.deepEqual([first.requestId[1], first.requestId[2]], [sent[1].id, sent[1].id]);
    assert.equal(first.prediction[2], '2');

    const challenger = await collect(readPredictionLog(f.project(), { endpoint: 'iris-challenger' }));
    assert.deepEqual([...new Set(challenger.flatMap((b) => Array.from(b.version)))], [2]);
    assert.equal(challenger.reduce((n, b) => n + b.rows, 0), 15);

    const last = await collect(readPredictionLog(f.project(), { last: 4 }));
    const lastIds = last.flatMap((b) => b.requestId);
    assert.equal(lastIds.length, 4);
    assert.equal(lastIds.at(-2), sent[29].id);
    const later = await collect(readPredictionLog(f.project(), { since: middle }));
    assert.equal(later.reduce((n, b) => n + b.rows, 0), 1);
    const earlier = await collect(readPredictionLog(f.project(), { until: middle }));
    assert.equal(earlier.reduce((n, b) => n + b.rows, 0), 45);
  });

  it('rotates at the size mlops.yaml sets, keeps maxFiles files, and still reads across them in order', async () => {
    const f = await servedProject();
    fs.appendFileSync(path.join(f.dir, 'mlops.yaml'), '\nserving:\n  log:\n    maxBytes: 4096\n    maxFiles: 3\n    fsync: true\n');
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push(String((await postJson(server.url, '/invocations', { instances: [[5.1, 3.5, 1.4, i]] })).headers['x-request-id']));
    await server.close();
    const files = fs.readdirSync(logDir(f.project().paths)).filter((n) => n.startsWith('predictions'));
    assert.equal(files.length, 3, files.join(', '));
    for (const file of files) assert.ok(fs.statSync(path.join(logDir(f.project().paths), file)).size < 4096 + 1024);
    const kept = (await collect(readPredictionLog(f.project()))).flatMap((b) => b.requestId);
    assert.ok(kept.length > 0 && kept.length < 120);
    // the newest survive, oldest first
    assert.deepEqual(kept, ids.slice(ids.length - kept.length));
  });
});

describe('feedback', () => {
  it('records labels posted to /feedback and read from a CSV file, and refuses malformed ones', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    const id = String((await postJson(server.url, '/invocations', { instances: [[5.1, 3.5, 1.4, 0.2]] })).headers['x-request-id']);
    const one = await postJson(server.url, '/feedback', { request_id: id, label: '0' });
    assert.deepEqual([one.status, one.json()], [200, { recorded: 1 }]);
    const list = await postJson(server.url, '/feedback', [{ request_id: 'a', label: 1 }, { request_id: 'b', label: true }]);
    assert.deepEqual(list.json(), { recorded: 2 });
    for (const bad of [{ label: 1 }, { request_id: 3, label: 1 }, { request_id: 'x' }, [], { request_id: 'x', label: { nested: 1 } }]) {
      const r = await postJson(server.url, '/feedback', bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.json().error_code, 'BAD_REQUEST');
    }
    await server.close();

    fs.writeFileSync(path.join(f.dir, 'labels.csv'), 'rid,truth\nr1,2\nr2,\nr3,1\n');
    const imported = spawnSync(process.execPath, [cli, 'feedback', '--file', 'labels.csv', '--id-column', 'rid', '--label-column', 'truth', '--json'], { cwd: f.dir, encoding: 'utf8' });
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { labels: 2, skipped: 1 });
    const missing = spawnSync(process.execPath, [cli, 'feedback', '--file', 'labels.csv', '--id-column', 'request_id'], { cwd: f.dir, encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /has no column "request_id"/);

    const lines = fs.readFileSync(path.join(logDir(f.project().paths), 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { request_id: string; label: unknown });
    assert.deepEqual(lines.map((l) => [l.request_id, l.label]), [[id, '0'], ['a', 1], ['b', true], ['r1', '2'], ['r3', '1']]);
  });
});
