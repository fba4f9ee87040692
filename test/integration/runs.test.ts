import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../src/extension/extension';
import type { RunsNode } from '../../src/extension/runs/runsTree';
import { activateExtension, eventually, EXTENSION_ID, workspaceRoot } from './helpers';

const EXPERIMENT = 'e2e';

/** Code for `node -e` that logs a param and a falling loss curve the way any training script would. */
const trainingScript = (lr: number, points: number) => `
const fs = require('fs');
const log = (r) => fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify(r) + '\\n');
log({ type: 'param', key: 'lr', value: ${lr} });
log({ type: 'seed', name: 'seed', value: 7 });
for (let i = 0; i < ${points}; i++) log({ type: 'metric', key: 'loss', value: ${lr} / (i + 1), step: i });
console.log('trained with lr ${lr}');`;

function cli(): string {
  return path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
}

/** `mlops run` in the workspace, the way a person would from a terminal; resolves when the run ends. */
async function mlopsRun(name: string, script: string): Promise<void> {
  await promisify(execFile)(process.execPath, [cli(), 'run', '--experiment', EXPERIMENT, '--name', name, '--', process.execPath, '-e', script], {
    cwd: workspaceRoot().fsPath,
  });
}

interface Shown {
  node: RunsNode & { kind: 'run' };
  item: vscode.TreeItem;
}

/** The experiment's runs as the Runs view shows them. */
async function shownRuns(api: MlopsApi): Promise<Shown[]> {
  const experiment = (await api.runs.tree.getChildren()).find((n) => n.kind === 'experiment' && n.name === EXPERIMENT);
  if (!experiment) return [];
  const runs = (await api.runs.tree.getChildren(experiment)).filter((n): n is Shown['node'] => n.kind === 'run');
  return runs.map((node) => ({ node, item: api.runs.tree.getTreeItem(node) }));
}

async function runNamed(api: MlopsApi, name: string, check: (s: Shown) => boolean = () => true): Promise<Shown> {
  return eventually(async () => (await shownRuns(api)).find((s) => s.item.label === name && check(s)), `run "${name}" in the Runs view`);
}

const iconOf = (item: vscode.TreeItem) => (item.iconPath as vscode.ThemeIcon).id;

suite('Runs view and Run Metrics panel', () => {
  let api: MlopsApi;

  suiteSetup(async () => {
    api = await activateExtension();
    // Test files share the workspace and run in alphabetical order; creating the project is idempotent.
    await vscode.commands.executeCommand('mlops.initSampleProject');
    await eventually(() => api.project.root, 'the project to open');
    await mlopsRun('baseline', trainingScript(0.1, 50));
    await mlopsRun('wider', trainingScript(0.3, 80));
  });

  test('lists the experiment and its runs, newest first, with status, key metric and duration', async () => {
    // Both runs have ended (mlops run returned), but the view learns it from the store's files a moment later.
    const runs = await eventually(async () => {
      const shown = await shownRuns(api);
      return shown.length === 2 && shown.every((r) => iconOf(r.item) === 'pass') && shown;
    }, 'both runs to show as finished');
    assert.deepEqual(runs.map((r) => r.item.label), ['wider', 'baseline']);
    for (const r of runs) {
      assert.equal(iconOf(r.item), 'pass');
      assert.equal(r.item.contextValue, 'mlops.run');
      assert.match(String(r.item.description), /^loss \d[\d.,]* · \d+(\.\d)? s$/);
    }
    assert.match(String(runs[0].item.description), /^loss 0[.,]00375 · /, 'wider ends at 0.3 / 80');
    const tooltip = (runs[0].item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Started: /);
    assert.match(tooltip, /Seed: seed=7/);
  });

  test('a run shows its params and latest metrics under it', async () => {
    const { node } = await runNamed(api, 'baseline');
    const sections = await api.runs.tree.getChildren(node);
    assert.deepEqual(sections.map((s) => s.kind === 'section' && s.section), ['params', 'metrics']);
    const [lr] = await api.runs.tree.getChildren(sections[0]);
    assert.equal(api.runs.tree.getTreeItem(lr).label, 'lr');
    assert.equal(api.runs.tree.getTreeItem(lr).description, '0.1');
    const [loss] = await api.runs.tree.getChildren(sections[1]);
    assert.match(String(api.runs.tree.getTreeItem(loss).description), /^0[.,]002 at step 49$/);
  });

  test('"Compare Runs" on the selection opens the Run Metrics panel', async () => {
    const runs = await shownRuns(api);
    const nodes = runs.map((r) => r.node);
    const ids = await vscode.commands.executeCommand<string[]>('mlops.compareRuns', nodes[0], nodes);
    assert.deepEqual(ids, nodes.map((n) => n.run.id));
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Run Metrics'), 'a "Run Metrics" tab');
  });

  test('"Open Run Log" opens the run\'s captured output', async () => {
    const { node } = await runNamed(api, 'baseline');
    await vscode.commands.executeCommand('mlops.openRunLog', node);
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('output.log') && vscode.window.activeTextEditor, 'the log to open');
    assert.match(editor.document.getText(), /trained with lr 0\.1/);
  });

  test('a run in progress appears as running and updates as it logs', async () => {
    const go = path.join(workspaceRoot().fsPath, 'go-on');
    // Logs one point, waits for the test to create `go-on`, logs a second point and ends.
    const script = `
const fs = require('fs');
const log = (r) => fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify(r) + '\\n');
log({ type: 'metric', key: 'loss', value: 1, step: 0 });
const wait = setInterval(() => {
  if (!fs.existsSync(${JSON.stringify(go)})) return;
  clearInterval(wait);
  log({ type: 'metric', key: 'loss', value: 0.5, step: 1 });
}, 50);`;
    const child = spawn(process.execPath, [cli(), 'run', '--experiment', EXPERIMENT, '--name', 'live', '--', process.execPath, '-e', script], {
      cwd: workspaceRoot().fsPath, stdio: 'ignore',
    });
    const ended = new Promise((resolve) => child.on('exit', resolve));
    try {
      const running = await runNamed(api, 'live', (s) => String(s.item.description).startsWith('loss 1 '));
      assert.equal(iconOf(running.item), 'sync~spin');
      assert.equal((await shownRuns(api))[0].item.label, 'live', 'the newest run comes first');
      fs.writeFileSync(go, '');
      const finished = await runNamed(api, 'live', (s) => iconOf(s.item) === 'pass');
      assert.match(String(finished.item.description), /^loss 0[.,]5 · /);
    } finally {
      await ended;
      fs.rmSync(go, { force: true });
    }
  });

  test('"Delete Run" removes the run, its records and its files', async () => {
    const { node } = await runNamed(api, 'live');
    const runDir = path.join(workspaceRoot().fsPath, '.mlops', 'runs', node.run.id);
    assert.ok(fs.existsSync(runDir));
    // confirm: false stands in for the person clicking "Delete" in the modal dialog, which a test cannot click.
    const deleted = await vscode.commands.executeCommand<string[]>('mlops.deleteRun', node, undefined, { confirm: false });
    assert.deepEqual(deleted, [node.run.id]);
    assert.equal(fs.existsSync(runDir), false);
    await eventually(async () => !(await shownRuns(api)).some((s) => s.item.label === 'live'), 'the run to leave the view');
    assert.deepEqual((await shownRuns(api)).map((r) => r.item.label), ['wider', 'baseline']);
  });
});
