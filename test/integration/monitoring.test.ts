import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openMetadataStore } from '../../src/core/metadata';
import { checkModel } from '../../src/core/monitor';
import { getModel, modelHistory, registerModel } from '../../src/core/registry';
import type { DecisionResult, RetrainResult } from '../../src/core/retrain';
import { startServer, type RunningServer } from '../../src/core/serve';
import { openProject } from '../../src/core/workspace';
import type { HealthChange } from '../../src/extension/modelHealthStatus';
import type { ReviewData } from '../../webview/promotionReview/protocol';
import { activateExtension, eventually, recordTrainedRun, workspaceRoot } from './helpers';

const MODEL = 'rainfall';

/** The sample's rows of one city, as request rows (without the target). */
function cityRows(root: string, city: string): Record<string, string | number>[] {
  const [header, ...lines] = fs.readFileSync(path.join(root, 'data', 'weather.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.map((l) => l.split(',')).filter((cells) => cells[0] === city).map((cells) =>
    Object.fromEntries(columns.filter((c) => c !== 'weather').map((c) => [c, ['precipitation', 'temp_max', 'temp_min', 'wind'].includes(c) ? Number(cells[columns.indexOf(c)]) : cells[columns.indexOf(c)]])));
}

async function predict(server: RunningServer, rows: Record<string, string | number>[]): Promise<string | null> {
  const res = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: rows }) });
  assert.equal(res.status, 200, await res.clone().text());
  await res.arrayBuffer();
  return res.headers.get('x-mlops-model-version');
}

/** A check of the served champion's last `rows` predictions, recorded as `mlops monitor` records one. */
async function recordedCheck(rows: number) {
  const root = workspaceRoot().fsPath;
  const store = await openMetadataStore(root);
  try {
    return await checkModel(openProject(root), store, { model: `${MODEL}@champion`, window: { last: rows }, record: true });
  } finally {
    store.close();
  }
}

suite('Model health, the drift dashboard and promotion', () => {
  let root: string;
  let server: RunningServer | undefined;

  suiteSetup(async function () {
    this.timeout(120_000);
    await activateExtension();
    root = workspaceRoot().fsPath;
    if (!fs.existsSync(path.join(root, 'mlops.yaml'))) await vscode.commands.executeCommand('mlops.initSampleProject');
    // a champion trained on Seattle's days only: New York's are another climate
    const [header, ...lines] = fs.readFileSync(path.join(root, 'data', 'weather.csv'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(root, 'data', 'seattle.csv'), [header, ...lines.filter((l) => l.startsWith('Seattle,'))].join('\n') + '\n');
    const runId = await recordTrainedRun(root, { file: 'data/seattle.csv', dataset: 'seattle', target: 'weather', family: 'random_forest', experiment: 'monitoring-it', score: 0.8 });
    const store = await openMetadataStore(root);
    try {
      await registerModel(openProject(root), store, runId, { model: MODEL, alias: 'champion' });
    } finally {
      store.close();
    }
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  test('with no server, the status bar says no model is served and leads to the Models view', async () => {
    const api = await activateExtension();
    await api.status.refresh();
    assert.equal(api.status.state.kind, 'idle');
    assert.match(api.status.text, /no model served/);
    assert.equal(api.status.background, undefined);
  });

  test('served: model@alias, version, requests/s, p99 and errors; then ok after a check of same-city traffic', async function () {
    this.timeout(60_000);
    const api = await activateExtension();
    server = await startServer(openProject(root), { references: [`${MODEL}@champion`], port: 0 });
    const seattle = cityRows(root, 'Seattle');
    for (let i = 0; i < seattle.length; i += 50) assert.equal(await predict(server, seattle.slice(i, i + 50)), '1');
    await api.status.refresh();
    assert.equal(api.status.state.kind, 'served');
    assert.match(api.status.text, new RegExp(`${MODEL}@champion v1 · [\\d.]+ req/s · p99 [\\d.]+ ms · 0 errors · no data yet`));

    const check = await recordedCheck(seattle.length);
    assert.equal(check.health, 'ok', check.reason);
    await api.project.refreshStore();
    await eventually(async () => (await api.status.refresh(), /· ok$/.test(api.status.text)), 'the status bar to show ok');
    assert.equal(api.status.background, undefined);
    assert.match(api.status.tooltip, /Checked/);
  });

  test('a recorded drift check (New York days sent to a Seattle model) turns it red, says why, and announces the change', async function () {
    this.timeout(60_000);
    const api = await activateExtension();
    const changes: HealthChange[] = [];
    const listening = api.status.onDidChangeHealth((c) => changes.push(c));
    const newYork = cityRows(root, 'New York');
    for (let i = 0; i < newYork.length; i += 50) await predict(server!, newYork.slice(i, i + 50));
    const check = await recordedCheck(newYork.length);
    assert.equal(check.health, 'drift', check.reason);
    await api.project.refreshStore();
    await eventually(async () => (await api.status.refresh(), /· drift$/.test(api.status.text)), 'the status bar to show drift');
    listening.dispose();
    assert.equal(api.status.background, 'statusBarItem.errorBackground');
    assert.equal(api.status.state.kind === 'served' && api.status.state.check?.reason, check.reason);
    assert.match(api.status.tooltip, /drift/);
    assert.deepEqual(changes.map((c) => [c.from, c.check.health]), [['ok', 'drift']]);

    // the dashboard draws both checks, the scores of every input column, and the chosen check's histograms
    await vscode.commands.executeCommand('mlops.openDriftDashboard', `${MODEL}@champion`);
    const data = api.monitoring.dashboard();
    assert.ok(data, 'the dashboard is open');
    assert.deepEqual(data.timeline.map((p) => p.health), ['ok', 'drift']);
    assert.ok(data.columns.includes('temp_max'), data.columns.join(', '));
    assert.equal(data.detail?.id, check.id);
    const tempMax = data.detail.columns.find((h) => h.column === 'temp_max')!;
    assert.equal(tempMax.current.reduce((a, b) => a + b, 0), newYork.length);
  });

  test('Retrain, review and Approve move champion, and the served version follows', async function () {
    this.timeout(180_000);
    const api = await activateExtension();
    // new data for the model's dataset: both cities
    fs.copyFileSync(path.join(root, 'data', 'weather.csv'), path.join(root, 'data', 'seattle.csv'));
    const { snapshotDataset } = await import('../../src/core/data');
    await snapshotDataset(openProject(root), 'data/seattle.csv', { name: 'seattle', git: 'off' });
    const retrained = await vscode.commands.executeCommand<RetrainResult>('mlops.retrainModel', MODEL);
    assert.ok(retrained, 'the retrain finished');
    assert.equal(retrained.version, 2);
    assert.equal(getModel(openProject(root).paths, MODEL).aliases.challenger, 2);

    const review = await vscode.commands.executeCommand<ReviewData>('mlops.reviewPromotion', `${MODEL}/2`);
    assert.ok(review);
    assert.equal(review.champion?.version, 1);
    assert.equal(review.challenger.version, 2);
    assert.ok('diff' in review.dataDiff, JSON.stringify(review.dataDiff));
    assert.equal(review.dataDiff.diff.table?.rows.to, 2922);
    assert.equal(review.canApprove, !('evaluation' in review.gate) || review.gate.evaluation.passed);

    const decision = await vscode.commands.executeCommand<DecisionResult>('mlops.approvePromotion', { model: MODEL, version: 2, reason: 'trained on both cities' });
    assert.ok(decision);
    assert.equal(getModel(openProject(root).paths, MODEL).aliases.champion, 2);
    const approval = modelHistory(openProject(root).paths, MODEL).find((e) => e.event === 'approve');
    assert.equal(approval?.reason, 'trained on both cities');
    assert.ok(approval?.by);

    await eventually(async () => (await predict(server!, cityRows(root, 'Seattle').slice(0, 1))) === '2', 'the server to answer with version 2', 10_000);
    await eventually(async () => (await api.status.refresh(), /@champion v2 · .* · no data yet$/.test(api.status.text)), 'the status bar to show version 2, not yet checked');

    // the model's history in the Models view tells the story in order
    const tree = api.models.tree;
    const model = tree.getChildren().find((n) => n.kind === 'model' && n.model.name === MODEL)!;
    const history = tree.getChildren(model).find((n) => n.kind === 'history')!;
    const labels = tree.getChildren(history).map((n) => String(tree.getTreeItem(n).label));
    assert.deepEqual(labels.filter((l) => !l.startsWith('Gate')), ['@champion → version 1', 'Retrained as version 2 (manual)', 'Approved version 2', '@champion → version 2 (approved)']);
  });
});
