import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { startServer } from '../../../src/core/serve';
import { call, IRIS_COLUMNS, postJson, servedProject } from './fixture';

/** A small seeded generator, so that a failing case can be replayed. */
function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

/** Writes raw bytes on a socket and returns what the server sent back before closing (or after `waitMs`). */
function raw(port: number, chunks: { data: string | Buffer; delayMs?: number }[], options: { destroyAfter?: boolean; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (chunk.delayMs) await new Promise((r) => setTimeout(r, chunk.delayMs));
        if (socket.destroyed) return;
        socket.write(chunk.data);
      }
      if (options.destroyAfter) socket.destroy();
      else setTimeout(() => socket.destroy(), options.waitMs ?? 3000);
    });
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe('a fuzz pass against the running server', () => {
  it('answers every client mistake with a 4xx, never a 5xx, and keeps answering', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false, headersTimeoutMs: 600, requestTimeoutMs: 1500, bodyLimitBytes: 64 * 1024 });
    const rng = generator(20261201);
    const statuses: { status: number; what: string; mayPass?: boolean }[] = [];
    const valid = { dataframe_split: { columns: IRIS_COLUMNS, data: [[5.1, 3.5, 1.4, 0.2]] } };
    const weird: unknown[] = [null, true, -0, 1e308, '', 'x'.repeat(300), [], {}, [[]], { a: 1 }, [null], NaN, '5', [1, [2, [3]]]];
    try {
      for (let i = 0; i < 300; i++) {
        const kind = rng.int(6);
        let body: string;
        let what: string;
        if (kind === 0) {
          // a valid body cut or corrupted at a random place
          const text = JSON.stringify(valid);
          const at = rng.int(text.length);
          body = text.slice(0, at) + (rng.next() < 0.5 ? '' : String.fromCharCode(rng.int(128))) + text.slice(at + 1);
          what = 'corrupted JSON';
        } else if (kind === 1) {
          const row: unknown[] = IRIS_COLUMNS.map(() => (rng.next() < 0.6 ? rng.next() * 8 : rng.pick(weird)));
          // at least one cell a number column cannot hold
          row[rng.int(row.length)] = rng.pick(['5', 'x', true, [], {}]);
          body = JSON.stringify({ dataframe_split: { columns: IRIS_COLUMNS, data: [row] } });
          what = 'wrong cell types';
        } else if (kind === 2) {
          body = JSON.stringify({ [rng.pick(['dataframe_split', 'dataframe_records', 'instances', 'inputs', 'other'])]: rng.pick(weird) });
          what = 'wrong shapes';
        } else if (kind === 3) {
          const tensor = { name: rng.pick([...IRIS_COLUMNS, 'x']), datatype: rng.pick(['FP64', 'BYTES', 'INT64', 'BOOL', 'NOPE', 3]), shape: rng.pick([[1], [1, 4], [-1], [2, 2, 2], 'x', [1e9]]), data: rng.pick(weird) };
          body = JSON.stringify({ inputs: rng.next() < 0.5 ? [tensor] : tensor, id: rng.pick(['a', 3, null]) });
          what = 'bad tensors';
        } else if (kind === 4) {
          body = Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256))).toString('latin1');
          what = 'random bytes';
        } else {
          body = JSON.stringify(valid);
          what = 'unknown route';
        }
        const route = kind === 3 ? rng.pick(['/v2/models/iris/infer', '/v2/models/iris/versions/1/infer', '/v2/models/iris/versions/x/infer']) : kind === 5 ? rng.pick(['/', '/v3', '/v2/models', '/invocations/x', '/v2/models/iris/explain', '/%zz']) : '/invocations';
        const r = await call(server.url, 'POST', route, body, { 'content-type': 'application/json' });
        // a corruption can leave a valid request (a digit changed): that one may be answered
        statuses.push({ status: r.status, what: `${what}: ${route} ${body.slice(0, 80)} → ${r.text.slice(0, 120)}`, mayPass: kind === 0 });
      }
      // bodies past the limit, declared or streamed without a length
      statuses.push({ status: (await call(server.url, 'POST', '/invocations', Buffer.alloc(65 * 1024, 0x20), { 'content-type': 'application/json' })).status, what: 'huge declared body' });
      const chunked = await raw(server.port, [
        { data: 'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' },
        ...Array.from({ length: 20 }, () => ({ data: `1000\r\n${' '.repeat(0x1000)}\r\n` })),
      ]);
      statuses.push({ status: statusOf(chunked), what: 'huge chunked body' });
      // headers that never finish: the server gives up on the client, not the client on the server
      const slow = await raw(server.port, [{ data: 'POST /invocations HTTP/1.1\r\nHost: x\r\n' }, { data: 'X-Slow: 1\r\n', delayMs: 300 }], { waitMs: 2500 });
      statuses.push({ status: statusOf(slow), what: 'slow headers' });
      assert.match(slow, /x-mlops-model-version: 1\r\n/);
      // a socket closed in the middle of the body, and a request line that is not HTTP
      await raw(server.port, [{ data: 'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"instances": [[1,' }], { destroyAfter: true });
      statuses.push({ status: statusOf(await raw(server.port, [{ data: 'NONSENSE\r\n\r\n' }], { waitMs: 500 })), what: 'not HTTP' });

      assert.deepEqual(statuses.filter((s) => s.status >= 500 || s.status < 200), []);
      assert.deepEqual(statuses.filter((s) => s.status < 400 && !s.mayPass), []);
      assert.ok(statuses.filter((s) => s.status >= 400).length > 250);
      assert.ok(statuses.some((s) => s.status === 413));
      assert.ok(statuses.some((s) => s.status === 408));
      const after = await postJson(server.url, '/invocations', valid);
      assert.deepEqual([after.status, after.json()], [200, { predictions: ['0'] }]);
      assert.equal((await call(server.url, 'GET', '/ping')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('every route and method, with what it does not take', () => {
  it('answers below 500 whatever the route, method, content type, body or headers, and keeps answering', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false, headersTimeoutMs: 600, requestTimeoutMs: 1500, bodyLimitBytes: 64 * 1024 });
    const rng = generator(14);
    const routes = [
      '/invocations', '/endpoints/iris/invocations', '/endpoints/nope/invocations', '/ping', '/health', '/version', '/metrics', '/feedback',
      '/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/iris', '/v2/models/iris/ready', '/v2/models/iris/infer', '/v2/models/iris/versions/1',
      '/v2/models/iris/versions/1/infer', '/v2/models/iris/versions/0/infer', '/v2/models/iris/versions/99999/infer', '/v2/models/nope/infer',
      '/v2/models/nope/versions/1/infer', '/v2/repository/index', '/v2/repository/models/nope/load', '/v2/models/iris%2F..%2F/infer', '/invocations?x=%zz',
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
    const bodies = ['', 'null', '3', '"x"', '[]', '{}', '[[]]', '{"inputs": null}', '{"id": {}, "inputs": []}', '{"inputs": [{"name": "input", "datatype": "FP64", "shape": [1, 4], "data": [1, 2, 3]}]}',
      '[{"request_id": 1, "label": "a"}]', '{"request_id": "r", "label": {}}', 'a,b\n1,2', 'sepal_length_(cm)\n"unterminated', '\u0000\u00ff{', '{"dataframe_records": [{"x": 1}]}'];
    const types = ['application/json', 'text/csv', 'text/plain', 'application/json; charset=latin1', 'application/json;charset="utf-8"', ''];
    const statuses: { status: number; what: string }[] = [];
    try {
      for (const route of routes) {
        for (const method of methods) {
          for (let k = 0; k < 3; k++) {
            const body = rng.pick(bodies);
            const type = rng.pick(types);
            const headers: Record<string, string> = type ? { 'content-type': type } : {};
            if (rng.next() < 0.3) headers['x-request-id'] = rng.pick(['\u00e9t\u00e9', 'x'.repeat(500), '', ' a b ']);
            const r = await call(server.url, method, route, method === 'GET' || method === 'HEAD' ? undefined : body, headers);
            statuses.push({ status: r.status, what: `${method} ${route} [${type}] ${JSON.stringify(body)} → ${r.text.slice(0, 160)}` });
          }
        }
      }
      // requests Node itself refuses: headers too large, a length that is not a number, two lengths, both framings
      const refusals = [
        `GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
        'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'GET /ping HTTP/9.9\r\nHost: x\r\n\r\n',
      ];
      for (const request of refusals) statuses.push({ status: statusOf(await raw(server.port, [{ data: request }], { waitMs: 800 })), what: JSON.stringify(request.slice(0, 80)) });
      // sockets closed mid-body on each protocol, and mid-headers
      for (const route of ['/invocations', '/v2/models/iris/infer', '/feedback']) {
        await raw(server.port, [{ data: `POST ${route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{"inputs": [` }], { destroyAfter: true });
      }
      await raw(server.port, [{ data: 'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Ty' }], { destroyAfter: true });

      assert.deepEqual(statuses.filter((s) => s.status >= 500 || s.status < 200).map((s) => `${s.status} ${s.what}`), []);
      assert.ok(statuses.filter((s) => s.status >= 400).length > statuses.length / 2);
      const after = await postJson(server.url, '/invocations', { dataframe_split: { columns: IRIS_COLUMNS, data: [[5.1, 3.5, 1.4, 0.2]] } });
      assert.deepEqual([after.status, after.json()], [200, { predictions: ['0'] }]);
      assert.equal((await call(server.url, 'GET', '/v2/health/ready')).status, 200);
    } finally {
      await server.close();
    }
  });
});
