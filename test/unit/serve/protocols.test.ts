import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../../src/core/serve';
import type { RegistryFixture } from '../registry/fixture';
import { call, IRIS_COLUMNS, IRIS_ROW, postJson, servedProject } from './fixture';

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VIRGINICA = [6.9, 3.1, 5.4, 2.1];

describe('the model server speaks MLflow scoring and Open Inference v2 over real HTTP', () => {
  let f: RegistryFixture;
  let server: RunningServer;
  before(async () => {
    f = await servedProject();
    server = await startServer(f.project(), { references: ['iris@champion', 'iris@challenger'], port: 0, writeState: false });
  });
  after(() => server.close());

  it('answers /invocations in each of the four JSON shapes and in CSV, with the version that answered', async () => {
    const bodies = [
      { dataframe_split: { columns: IRIS_COLUMNS, data: [SETOSA, VIRGINICA] } },
      { dataframe_records: [IRIS_ROW, Object.fromEntries(IRIS_COLUMNS.map((c, i) => [c, VIRGINICA[i]]))] },
      { instances: [SETOSA, VIRGINICA] },
      { inputs: Object.fromEntries(IRIS_COLUMNS.map((c, i) => [c, [SETOSA[i], VIRGINICA[i]]])), params: { unused: true } },
    ];
    for (const body of bodies) {
      const r = await postJson(server.url, '/invocations', body);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { predictions: ['0', '2'] }, JSON.stringify(body));
      assert.equal(r.headers['x-mlops-model-version'], '1');
    }
    const csv = `${IRIS_COLUMNS.join(',')}\n${SETOSA.join(',')}\n${VIRGINICA.join(',')}\n`;
    const r = await call(server.url, 'POST', '/invocations', csv, { 'content-type': 'text/csv; charset=utf-8' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { predictions: ['0', '2'] });
    // the second endpoint answers with its own version
    const other = await postJson(server.url, '/endpoints/iris-challenger/invocations', { instances: [SETOSA] });
    assert.deepEqual([other.status, other.headers['x-mlops-model-version']], [200, '2']);
  });

  it('refuses bad requests with MLflow\'s error shape, naming the columns at fault', async () => {
    const bad = async (body: string | Buffer, contentType: string, status: number, message: RegExp) => {
      const r = await call(server.url, 'POST', '/invocations', body, { 'content-type': contentType });
      assert.equal(r.status, status, r.text);
      assert.equal(r.json().error_code, 'BAD_REQUEST');
      assert.match(r.json().message, message);
      assert.equal(r.headers['x-mlops-model-version'], '1');
    };
    await bad('{"dataframe_split": ', 'application/json', 400, /not valid JSON/);
    await bad(JSON.stringify({ instances: [SETOSA], inputs: [SETOSA] }), 'application/json', 400, /exactly one of/);
    await bad(JSON.stringify({ dataframe_records: [{ 'sepal_length_(cm)': 1 }] }), 'application/json', 400, /missing: sepal_width_\(cm\), petal_length_\(cm\), petal_width_\(cm\)/);
    await bad(JSON.stringify({ dataframe_split: { columns: [...IRIS_COLUMNS, 'colour'], data: [[...SETOSA, 'blue']] } }), 'application/json', 400, /not used by the model: colour/);
    await bad(JSON.stringify({ dataframe_split: { columns: IRIS_COLUMNS, data: [[5.1, 'wide', 1.4, 0.2]] } }), 'application/json', 400, /Column "sepal_width_\(cm\)" holds "wide" at row 0/);
    await bad(JSON.stringify({ instances: [[1, 2]] }), 'application/json', 400, /Row 0 of instances must be a list of 4 values/);
    await bad(`${IRIS_COLUMNS.join(',')}\n5.1,x,1,1\n`, 'text/csv', 400, /holds "x"/);
    await bad('{}', 'text/plain', 415, /Content type "text\/plain"/);
    await bad('{}', 'application/json; charset=latin-1', 415, /UTF-8/);
    await bad(Buffer.alloc(10 * 1024 * 1024 + 10, 0x20), 'application/json', 413, /larger than 10 MB/);
    // missing values are allowed where the model can take them
    const nulls = await postJson(server.url, '/invocations', { dataframe_split: { columns: IRIS_COLUMNS, data: [[null, 3.5, 1.4, 0.2]] } });
    assert.equal(nulls.status, 200, nulls.text);
    const unknown = await call(server.url, 'GET', '/nowhere');
    assert.deepEqual([unknown.status, unknown.json().error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
    assert.equal((await call(server.url, 'GET', '/invocations')).status, 405);
  });

  it('answers the health and version routes', async () => {
    for (const route of ['/ping', '/health']) {
      const r = await call(server.url, 'GET', route);
      assert.deepEqual([r.status, r.headers['x-mlops-model-version']], [200, '1']);
    }
    const version = await call(server.url, 'GET', '/version');
    assert.equal(version.status, 200);
    assert.match(version.json().version, /^\d+\.\d+\.\d+/);
  });

  it('describes the server and each model in Open Inference v2, with a tensor per signature column', async () => {
    assert.equal((await call(server.url, 'GET', '/v2/health/live')).status, 200);
    assert.equal((await call(server.url, 'GET', '/v2/health/ready')).status, 200);
    const meta = (await call(server.url, 'GET', '/v2')).json();
    assert.equal(meta.name, 'mlops-workbench');
    assert.deepEqual(meta.extensions, ['model_repository']);
    const model = await call(server.url, 'GET', '/v2/models/iris');
    assert.equal(model.status, 200);
    assert.deepEqual(model.json().inputs, IRIS_COLUMNS.map((name) => ({ name, datatype: 'FP64', shape: [-1] })));
    assert.deepEqual(model.json().outputs.map((o: { name: string }) => o.name), ['prediction', 'probabilities']);
    assert.deepEqual(model.json().versions, ['1']);
    assert.equal((await call(server.url, 'GET', '/v2/models/iris/ready')).status, 200);
    assert.deepEqual((await call(server.url, 'GET', '/v2/models/iris/versions/2')).json().versions, ['2']);
    assert.equal((await call(server.url, 'GET', '/v2/models/nope')).json().error.length > 0, true);
    assert.equal((await call(server.url, 'GET', '/v2/models/nope')).status, 404);
    assert.equal((await call(server.url, 'GET', '/v2/models/iris/versions/9')).status, 404);
  });

  it('infers from one tensor per column or one [n, k] tensor, echoes the id, and gives class probabilities', async () => {
    const perColumn = {
      id: 'req-42',
      inputs: IRIS_COLUMNS.map((name, i) => ({ name, datatype: 'FP64', shape: [2, 1], data: [[SETOSA[i]], [VIRGINICA[i]]] })),
    };
    const r = await postJson(server.url, '/v2/models/iris/infer', perColumn);
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.deepEqual([body.model_name, body.model_version, body.id], ['iris', '1', 'req-42']);
    assert.deepEqual(body.outputs[0], { name: 'prediction', datatype: 'BYTES', shape: [2], data: ['0', '2'] });
    assert.deepEqual(body.outputs[1].shape, [2, 3]);
    assert.deepEqual(body.outputs[1].parameters.classes, ['0', '1', '2']);
    const rowSums = [0, 1].map((i) => body.outputs[1].data.slice(i * 3, i * 3 + 3).reduce((a: number, b: number) => a + b, 0));
    for (const s of rowSums) assert.ok(Math.abs(s - 1) < 1e-9);
    assert.equal(r.headers['x-mlops-model-version'], '1');

    const matrix = await postJson(server.url, '/v2/models/iris/versions/2/infer', { inputs: [{ name: 'x', datatype: 'FP64', shape: [2, 4], data: [...SETOSA, ...VIRGINICA] }] });
    assert.equal(matrix.status, 200, matrix.text);
    assert.deepEqual([matrix.json().model_version, matrix.json().outputs[0].data, matrix.headers['x-mlops-model-version']], ['2', ['0', '2'], '2']);
  });

  it('refuses bad infer requests with {"error"} naming what is wrong', async () => {
    const bad = async (body: unknown, status: number, message: RegExp, route = '/v2/models/iris/infer') => {
      const r = await postJson(server.url, route, body);
      assert.equal(r.status, status, r.text);
      assert.match(r.json().error, message);
      assert.ok(r.headers['x-mlops-model-version']);
    };
    const column = (name: string, data: unknown[], datatype = 'FP64') => ({ name, datatype, shape: [data.length], data });
    await bad({ inputs: IRIS_COLUMNS.slice(1).map((c) => column(c, [1])) }, 400, /missing: sepal_length_\(cm\)/);
    await bad({ inputs: [...IRIS_COLUMNS.map((c) => column(c, [1])), column('extra', [1])] }, 400, /not used by the model: extra/);
    await bad({ inputs: IRIS_COLUMNS.map((c, i) => (i === 2 ? column(c, ['long'], 'BYTES') : column(c, [1]))) }, 400, /Tensor "petal_length_\(cm\)" is BYTES/);
    await bad({ inputs: IRIS_COLUMNS.map((c) => ({ ...column(c, [1, 2]), shape: [3] })) }, 400, /holds 2 values where its shape \[3\] needs 3/);
    await bad({ inputs: IRIS_COLUMNS.map((c) => column(c, [1], 'COMPLEX')) }, 400, /datatype COMPLEX/);
    await bad({ inputs: [] }, 400, /needs "inputs"/);
    await bad({ inputs: IRIS_COLUMNS.map((c) => column(c, [1])) }, 404, /no model "nope"/, '/v2/models/nope/infer');
    await bad({ inputs: IRIS_COLUMNS.map((c) => column(c, [1])) }, 404, /no version 7/, '/v2/models/iris/versions/7/infer');
    const malformed = await call(server.url, 'POST', '/v2/models/iris/infer', '{"inputs": [', { 'content-type': 'application/json' });
    assert.deepEqual([malformed.status, /not valid JSON/.test(malformed.json().error)], [400, true]);
    assert.equal((await call(server.url, 'POST', '/v2/models/iris/infer', '{}', { 'content-type': 'text/csv' })).status, 415);
  });

  it('loads and unloads models through the repository extension: unloaded answers 503', async () => {
    const unload = await postJson(server.url, '/v2/repository/models/iris-challenger/unload', {});
    assert.equal(unload.status, 200);
    const index = (await postJson(server.url, '/v2/repository/index', {})).json() as { name: string; state: string }[];
    assert.deepEqual(index.map((m) => [m.name, m.state]), [['iris', 'READY'], ['iris-challenger', 'UNAVAILABLE']]);
    const infer = await postJson(server.url, '/v2/models/iris-challenger/infer', { inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 4], data: SETOSA }] });
    assert.equal(infer.status, 503);
    assert.equal((await call(server.url, 'GET', '/v2/models/iris-challenger/ready')).status, 503);
    assert.equal((await postJson(server.url, '/endpoints/iris-challenger/invocations', { instances: [SETOSA] })).status, 503);
    assert.equal((await postJson(server.url, '/v2/repository/models/iris-challenger/load', {})).status, 200);
    assert.equal((await postJson(server.url, '/endpoints/iris-challenger/invocations', { instances: [SETOSA] })).status, 200);
    assert.equal((await postJson(server.url, '/v2/repository/models/ghost/load', {})).status, 404);
    assert.equal((await postJson(server.url, '/v2/repository/models/ghost/unload', {})).status, 404);
  });

  it('counts requests, errors and latency per endpoint at /metrics', async () => {
    const metrics = (await call(server.url, 'GET', '/metrics')).json();
    const iris = metrics.endpoints.find((e: { name: string }) => e.name === 'iris');
    assert.ok(iris.requests >= 20, String(iris.requests));
    assert.ok(iris.errors >= 10, String(iris.errors));
    assert.ok(iris.p99Ms > 0);
    assert.deepEqual(iris.routes, [{ model: 'iris@champion', version: 1, weight: 1 }]);
    assert.equal(iris.default, true);
  });
});

describe('a bearer token from serving.auth.tokenEnv', () => {
  it('is required on every route but the health probes', async () => {
    const f = await servedProject();
    const fs = await import('node:fs');
    const path = await import('node:path');
    fs.appendFileSync(path.join(f.dir, 'mlops.yaml'), '\nserving:\n  auth:\n    tokenEnv: MLOPS_TEST_TOKEN\n');
    process.env.MLOPS_TEST_TOKEN = 's3cret';
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false });
    try {
      const body = JSON.stringify({ instances: [SETOSA] });
      const denied = await call(server.url, 'POST', '/invocations', body, { 'content-type': 'application/json' });
      assert.equal(denied.status, 401);
      const wrong = await call(server.url, 'POST', '/invocations', body, { 'content-type': 'application/json', authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
      const ok = await call(server.url, 'POST', '/invocations', body, { 'content-type': 'application/json', authorization: 'Bearer s3cret' });
      assert.equal(ok.status, 200);
      assert.equal((await call(server.url, 'GET', '/v2/models/iris')).status, 401);
      assert.equal((await call(server.url, 'GET', '/ping')).status, 200);
    } finally {
      await server.close();
      delete process.env.MLOPS_TEST_TOKEN;
    }
  });
});
