import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { describe, it } from 'node:test';
import { setAlias } from '../../../src/core/registry';
import { loadServedModel, readPredictionLog, startServer, type ServedModel, type ServedPrediction } from '../../../src/core/serve';
import { PredictionBatcher } from '../../../src/core/serve/predictionBatcher';
import { RequestError, type ColumnBatch } from '../../../src/core/serve/requestInputs';
import { openProject } from '../../../src/core/workspace';
import { call, featureServedProject, postJson, servedProject } from './fixture';

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VERSICOLOR = [6.0, 2.7, 4.1, 1.3];
const VIRGINICA = [6.9, 3.1, 5.4, 2.1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const batchOf = (rows: number[][]): ColumnBatch => ({ columns: rows[0].map((_, c) => rows.map((row) => row[c])), rows: rows.length });
const settle = (batcher: PredictionBatcher, model: ServedModel, batch: ColumnBatch) =>
  new Promise<{ err: unknown; output?: ServedPrediction }>((resolve) => batcher.predict(model, batch, (err, output) => resolve({ err, output })));
const probabilities = (output: ServedPrediction | undefined) => Array.from(output?.probabilities ?? []);

describe('dynamic batching', () => {
  it('predicts what one turn brings a version in one call, keeps versions apart, and hands each request its own rows', async () => {
    const f = await servedProject();
    const calls: string[] = [];
    // the real models, with a count of their calls
    const counted = (m: ServedModel): ServedModel => ({ ...m, predictColumns: (columns, rows) => (calls.push(`v${m.version}: ${rows} rows`), m.predictColumns(columns, rows)) });
    const v1 = loadServedModel(f.project(), 'iris/1');
    const v2 = loadServedModel(f.project(), 'iris/2');
    const [c1, c2] = [counted(v1), counted(v2)];
    let turns = 0;
    const batcher = new PredictionBatcher(() => turns++);
    // as when the alias moves mid-turn: requests routed before the move hold v1, the later ones v2
    const requests = [
      { model: c1, base: v1, batch: batchOf([SETOSA]) },
      { model: c2, base: v2, batch: batchOf([VIRGINICA, VERSICOLOR]) },
      { model: c1, base: v1, batch: batchOf([VIRGINICA, VERSICOLOR]) },
      { model: c2, base: v2, batch: batchOf([SETOSA]) },
    ];
    const answers = await Promise.all(requests.map((r) => settle(batcher, r.model, r.batch)));
    assert.deepEqual(calls.sort(), ['v1: 3 rows', 'v2: 3 rows']);
    assert.equal(turns, 1);
    requests.forEach((r, i) => {
      const alone = r.base.predictColumns(r.batch.columns, r.batch.rows);
      assert.equal(answers[i].err, undefined);
      assert.deepEqual(answers[i].output?.predictions, alone.predictions);
      assert.deepEqual(probabilities(answers[i].output), probabilities(alone));
    });
    // naive Bayes and the forest do not give the same probabilities: an answer from the wrong version would show
    assert.notDeepEqual(probabilities(answers[0].output), probabilities(answers[3].output));

    // a lone request is not held back for company: it is answered at the end of its own turn
    const lone = await settle(batcher, c2, batchOf([VERSICOLOR]));
    assert.equal(turns, 2);
    assert.deepEqual(lone.output?.predictions, v2.predictColumns(batchOf([VERSICOLOR]).columns, 1).predictions);
  });

  it('answers concurrent requests across alias moves with the version, and the numbers, their own log lines hold', async () => {
    const f = await servedProject();
    const server = await startServer(f.project(), { references: ['iris@champion'], port: 0, writeState: false, watchIntervalMs: 20 });
    const versions = new Map([1, 2].map((v) => [String(v), loadServedModel(f.project(), `iris/${v}`)]));
    const rows = [SETOSA, VERSICOLOR, VIRGINICA];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const answers = new Map<string, { status: number; version: string; row: number[]; prediction: unknown; probabilities: number[] }>();
    let running = true;
    let sent = 0;
    const worker = async () => {
      while (running) {
        const id = `req-${sent++}`;
        const row = rows[sent % rows.length];
        const body = JSON.stringify({ id, inputs: [{ name: 'input', datatype: 'FP64', shape: [1, 4], data: row }] });
        const r = await call(server.url, 'POST', '/v2/models/iris/infer', body, { 'content-type': 'application/json', 'x-request-id': id }, agent);
        const json = r.status === 200 ? r.json() : undefined;
        answers.set(id, { status: r.status, version: json?.model_version, row, prediction: json?.outputs[0].data[0], probabilities: json?.outputs[1].data });
      }
    };
    const workers = Array.from({ length: 32 }, worker);
    for (const version of [2, 1, 2]) {
      await sleep(300);
      await setAlias(f.project().paths, 'iris', 'champion', version, { reason: 'test' });
    }
    await sleep(300);
    running = false;
    await Promise.all(workers);
    agent.destroy();
    await server.close();

    assert.deepEqual([...answers.values()].filter((a) => a.status !== 200), []);
    assert.deepEqual([...new Set([...answers.values()].map((a) => a.version))].sort(), ['1', '2']);
    const logged = new Map<string, { version: string; prediction: unknown; probabilities: number[] | null }>();
    for await (const b of readPredictionLog(f.project())) {
      for (let i = 0; i < b.rows; i++) logged.set(b.requestId[i], { version: String(b.version[i]), prediction: b.prediction[i], probabilities: b.probabilities[i] });
    }
    assert.equal(logged.size, answers.size);
    for (const [id, answer] of answers) {
      assert.deepEqual(logged.get(id), { version: answer.version, prediction: answer.prediction, probabilities: answer.probabilities }, id);
      // the numbers are those of the version the answer names, predicted for this request's own row
      const alone = versions.get(answer.version)!.predictColumns(batchOf([answer.row]).columns, 1);
      assert.deepEqual(answer.probabilities, probabilities(alone), id);
    }
  });

  it('gives a request whose rows fail the batch its own 400, and the others of the batch their answers', async () => {
    const dir = featureServedProject();
    const model = loadServedModel(openProject(dir), 'weather@champion');
    const keys = ['Seattle', '', 'New York'];
    // the sample's service reads the day's measurements from each request, beside the key
    const day: Record<string, number> = { precipitation: 1.5, temp_max: 12, temp_min: 5, wind: 3 };
    const request = (location: string) => ({ columns: model.signature.inputs.map((i) => [i.name === 'location' ? location : day[i.name]]), rows: 1 });
    const settled = await Promise.all(keys.map((key) => settle(new PredictionBatcher(() => undefined), model, request(key))));
    const batcher = new PredictionBatcher(() => undefined);
    const together = await Promise.all(keys.map((key) => settle(batcher, model, request(key))));
    // the empty key, alone or in a batch, is its request's mistake and names its own row 0, not the batch's row 1
    for (const { err } of [settled[1], together[1]]) {
      assert.ok(err instanceof RequestError, String(err));
      assert.equal(err.status, 400);
      assert.match(err.message, /^Row 0: .*location/);
    }
    for (const i of [0, 2]) {
      assert.equal(together[i].err, undefined);
      assert.deepEqual(together[i].output?.predictions, settled[i].output?.predictions);
      assert.deepEqual(probabilities(together[i].output), probabilities(settled[i].output));
    }

    // over HTTP, sent at once: the bad request gets its 400, the others 200, and only they are logged
    const server = await startServer(openProject(dir), { references: ['weather@champion'], port: 0, writeState: false });
    try {
      const answers = await Promise.all(keys.map((location) => postJson(server.url, '/invocations', { dataframe_records: [{ location, ...day }] })));
      assert.deepEqual(answers.map((a) => a.status), [200, 400, 200]);
      assert.match(answers[1].json().message, /^Row 0: .*location/);
      assert.deepEqual([answers[0].json().predictions, answers[2].json().predictions], [settled[0].output?.predictions, settled[2].output?.predictions]);
    } finally {
      await server.close();
    }
    let logged = 0;
    for await (const b of readPredictionLog(openProject(dir))) logged += b.rows;
    assert.equal(logged, 2);
  });
});
