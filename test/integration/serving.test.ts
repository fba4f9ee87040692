import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import { runningServer } from '../../src/core/serve';
import { projectPaths } from '../../src/core/workspace';
import type { ServeStarted } from '../../src/extension/serving/servingProcess';
import { activateExtension, eventually, recordTrainedRun, sharedFolder } from './helpers';

/** One prediction over real HTTP on loopback: the answer and the version that gave it. */
function predict(url: string): Promise<{ status: number; version: string; body: { predictions?: unknown[] } }> {
  const body = JSON.stringify({ dataframe_records: [{ location: 'Seattle', date: '2015-06-01', precipitation: 0.3, temp_max: 11.1, temp_min: 3.9, wind: 4.2 }] });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, version: String(res.headers['x-mlops-model-version']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

suite('Serving', () => {
  let root: string;
  let folder: ReturnType<typeof sharedFolder>;
  /** The versions this suite registered: champion first, then the one champion moves to. */
  let versions: number[];

  suiteSetup(async function () {
    this.timeout(120_000);
    folder = sharedFolder();
    root = folder.root;
    await vscode.commands.executeCommand('mlops.initSampleProject');
    versions = [];
    for (const [family, alias] of [['naive_bayes', 'champion'], ['random_forest', undefined]] as const) {
      const runId = await recordTrainedRun(root, { file: 'data/weather.csv', dataset: 'weather', target: 'weather', family, experiment: 'serving-it', score: family === 'naive_bayes' ? 0.61 : 0.74 });
      const registered = await vscode.commands.executeCommand<{ version: number }>('mlops.registerModel', { runId, model: 'weather', ...(alias ? { alias } : {}) });
      versions.push(registered.version);
    }
  });

  suiteTeardown(async () => {
    await (await activateExtension()).serving.process.stop(projectPaths(root));
    await folder.leaveAsFound();
  });

  test('Start Serving runs the server in its own process; it answers, the Models view shows the endpoint, moving champion switches it, Stop ends it', async function () {
    this.timeout(120_000);
    const api = await activateExtension();
    await vscode.commands.executeCommand('mlops.models.focus');
    const started = await vscode.commands.executeCommand<ServeStarted>('mlops.startServing', { references: ['weather@champion'], port: 0 });
    assert.ok(started, 'the server started');
    assert.notEqual(started.pid, process.pid, 'not in the extension host');
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(runningServer(projectPaths(root))?.pid, started.pid);

    const answer = await predict(started.url);
    assert.equal(answer.status, 200);
    assert.equal(answer.version, String(versions[0]));
    assert.equal(answer.body.predictions?.length, 1);

    const tree = api.models.tree;
    const endpointShown = async () => {
      await api.serving.status.poll();
      const serving = tree.getChildren().find((n) => n.kind === 'serving');
      if (!serving) return undefined;
      const [endpoint] = tree.getChildren(serving);
      return endpoint?.kind === 'endpoint' ? { serving: tree.getTreeItem(serving), endpoint: tree.getTreeItem(endpoint) } : undefined;
    };
    const shown = await eventually(endpointShown, 'the endpoint in the Models view');
    assert.equal(shown.serving.description, `${started.url} · process ${started.pid}`);
    assert.equal(shown.endpoint.label, 'weather');
    assert.match(String(shown.endpoint.description), new RegExp(`^weather@champion → ${versions[0]} · \\d+\\.\\d req/s · p99 \\d+\\.\\d ms · 0 errors$`));

    await vscode.commands.executeCommand('mlops.setModelAlias', { model: 'weather', version: versions[1], alias: 'champion', reason: 'serving test' });
    await eventually(async () => (await predict(started.url)).version === String(versions[1]), 'the server to answer with the new champion');
    await eventually(async () => String((await endpointShown())?.endpoint.description).startsWith(`weather@champion → ${versions[1]} `), 'the endpoint to show the new champion');

    const stopped = await vscode.commands.executeCommand<{ pid: number }>('mlops.stopServing');
    assert.equal(stopped.pid, started.pid);
    assert.equal(runningServer(projectPaths(root)), undefined);
    await assert.rejects(predict(started.url));
    await api.serving.status.poll();
    assert.equal(tree.getChildren().some((n) => n.kind === 'serving'), false);
  });

  test('a server that dies is reported once, and not started again by itself', async function () {
    this.timeout(60_000);
    const api = await activateExtension();
    const started = await vscode.commands.executeCommand<ServeStarted>('mlops.startServing', { references: ['weather@champion'], port: 0 });
    const output: string[] = [];
    const listening = api.serving.process.onDidChange(() => output.push(api.serving.process.running ? 'running' : 'ended'));
    process.kill(started.pid, 'SIGKILL');
    await eventually(() => !api.serving.process.running, 'the editor to notice the server died');
    // Given time to (wrongly) start it again, nothing runs.
    await new Promise((r) => setTimeout(r, 1500));
    listening.dispose();
    assert.equal(api.serving.process.running, false);
    assert.equal(runningServer(projectPaths(root)), undefined);
    assert.deepEqual(output, ['ended']);
  });
});
