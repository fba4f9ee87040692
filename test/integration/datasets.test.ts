import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetNode } from '../../src/extension/datasets/datasetsTree';
import type { SnapshotResult } from '../../src/core/data';
import { activateExtension, eventually, workspaceRoot } from './helpers';

suite('Datasets: snapshot, view, decorations, compare and restore in the editor', () => {
  let root: string;
  let csv: vscode.Uri;
  let original: Buffer;
  let before: Set<string>;

  const tree = async () => (await activateExtension()).datasets.tree;
  const label = async (node: DatasetNode) => {
    const l = (await tree()).getTreeItem(node).label;
    return typeof l === 'string' ? l : l?.label;
  };
  const weather = async () => {
    const provider = await tree();
    const node = provider.getChildren().find((n) => n.kind === 'dataset' && n.summary.name === 'weather');
    assert.ok(node, 'the Datasets view lists weather');
    return node;
  };

  suiteSetup(async () => {
    root = workspaceRoot().fsPath;
    // The suites share this folder and the others expect to find it as they left it: remember what was there.
    before = new Set(fs.readdirSync(root));
    await vscode.commands.executeCommand('mlops.initSampleProject');
    csv = vscode.Uri.file(path.join(root, 'data', 'weather.csv'));
    original = fs.readFileSync(csv.fsPath);
    // mlops.yaml says data.git: commit; a repository lets the snapshots record their pointer commits.
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
    git('init', '-q');
    git('config', 'user.name', 'MLOps Test');
    git('config', 'user.email', 'test@example.com');
    git('config', 'commit.gpgsign', 'false');
    const api = await activateExtension();
    await eventually(() => api.project.config?.datasets?.weather, 'the project watcher to read mlops.yaml');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const entry of fs.readdirSync(root)) if (!before.has(entry)) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
    const api = await activateExtension();
    api.project.refresh();
    await eventually(() => api.project.root === undefined, 'the project to close');
  });

  test('"Snapshot Dataset" on data/weather.csv makes version 1, and the view shows it with its 7 columns', async () => {
    const result = await vscode.commands.executeCommand<SnapshotResult>('mlops.snapshotDataset', csv, { message: 'the sample as shipped' });
    assert.equal(result.created, true);
    assert.equal(result.dataset, 'weather');
    assert.equal(result.version.id, 1);
    assert.equal(result.git?.status, 'committed');

    const dataset = await weather();
    assert.equal(dataset.kind === 'dataset' && dataset.summary.versions, 1);
    // Not the data file's own URI: git's decoration dimmed the row like a disabled one, the data being gitignored.
    assert.equal((await tree()).getTreeItem(dataset).resourceUri?.scheme, 'mlops-dataset');
    const versions = (await tree()).getChildren(dataset);
    assert.deepEqual(await Promise.all(versions.map(label)), ['v1']);
    assert.match(String((await tree()).getTreeItem(versions[0]).description), / · the sample as shipped · 2,922 rows · [0-9a-f]{8}$/);
    const columns = (await tree()).getChildren(versions[0]);
    assert.deepEqual(await Promise.all(columns.map(label)), ['location', 'date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    const temp = (await tree()).getTreeItem(columns[3]);
    assert.match(String(temp.description), /^float · 0 nulls · \d+ distinct · -?[\d.]+ – [\d.]+$/);
  });

  test('editing the CSV marks it in the Explorer as changed since version 1', async () => {
    const { datasets } = await activateExtension();
    assert.equal(datasets.decorations.provideFileDecoration(csv), undefined, 'no mark right after the snapshot');
    fs.appendFileSync(csv.fsPath, 'Seattle,2016-01-01,0.0,10.0,5.0,3.0,sun\n');
    const decoration = await eventually(() => datasets.decorations.provideFileDecoration(csv), 'the changed-since-snapshot decoration');
    assert.equal(decoration.badge, 'Δ');
    assert.match(decoration.tooltip ?? '', /weather@1/);
    // The dataset's row in the Datasets view is marked too.
    const row = (await tree()).getTreeItem(await weather()).resourceUri!;
    assert.equal(datasets.decorations.provideFileDecoration(row)?.badge, 'Δ');
  });

  test('a second snapshot makes version 2, newest first, and clears the mark', async () => {
    const { datasets } = await activateExtension();
    // by the dataset's name this time, as a script or another extension would
    const result = await vscode.commands.executeCommand<SnapshotResult>('mlops.snapshotDataset', 'weather', { message: 'one more day' });
    assert.equal(result.version.id, 2);
    assert.equal(result.version.rows, 2923);
    const versions = datasets.tree.getChildren(await weather());
    assert.deepEqual(await Promise.all(versions.map(label)), ['v2', 'v1']);
    // v1's pointer was committed, so v2 records the commit it was taken on.
    assert.match(String(datasets.tree.getTreeItem(versions[0]).description), / · one more day · 2,923 rows · [0-9a-f]{8} · commit [0-9a-f]{7}$/);
    await eventually(() => datasets.decorations.provideFileDecoration(csv) === undefined, 'the decoration to clear');
  });

  test('comparing the two selected versions opens the comparison panel', async () => {
    const versions = (await tree()).getChildren(await weather());
    await vscode.commands.executeCommand('mlops.compareDatasetVersions', versions[0], versions);
    const tab = await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlops.datasetCompare')), 'the comparison tab');
    assert.equal(tab.label, 'weather: v1 ↔ v2');
    assert.equal(tab.isActive, true);
  });

  test('restoring version 1 brings its bytes back', async () => {
    assert.notDeepEqual(fs.readFileSync(csv.fsPath), original);
    await vscode.commands.executeCommand('mlops.restoreDataset', { reference: 'weather@1', confirmed: true });
    assert.deepEqual(fs.readFileSync(csv.fsPath), original);
  });
});
