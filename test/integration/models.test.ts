import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import * as vscode from 'vscode';
import type { Family } from '../../src/core/train';
import type { ModelsNode } from '../../src/extension/models/modelsTree';
import { activateExtension, eventually, EXTENSION_ID, trainedRunIn, workspaceRoot } from './helpers';

const EXPERIMENT = 'models-it';
const trainedRun = (root: string, family: Family) => trainedRunIn(EXPERIMENT, root, family);

async function shownVersions(): Promise<{ label: string; description: string; contextValue: string; node: ModelsNode }[]> {
  const api = await activateExtension();
  const tree = api.models.tree;
  const model = tree.getChildren().find((n) => n.kind === 'model' && n.model.name === 'weather');
  if (!model) return [];
  return tree.getChildren(model).filter((n) => n.kind === 'version').map((node) => {
    const item = tree.getTreeItem(node);
    return { label: String(item.label), description: String(item.description), contextValue: item.contextValue ?? '', node };
  });
}

suite('Models view', () => {
  let root: string;

  suiteSetup(async () => {
    await activateExtension();
    await vscode.commands.executeCommand('mlops.initSampleProject');
    root = workspaceRoot().fsPath;
  });

  test('offers "Register Model" on runs of the Runs view, and registers a run\'s model with an alias', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when: string }[]> } };
    // the Runs view decides which of its items are runs with a model; the entry is on its run items
    assert.ok(manifest.contributes.menus['view/item/context'].some((m) => m.command === 'mlops.registerModel' && /^view == mlops\.runs && viewItem (==|=~) .*mlops\\?\.run/.test(m.when)));
    const runId = await trainedRun(root, 'naive_bayes');
    const registered = await vscode.commands.executeCommand<{ model: string; version: number }>('mlops.registerModel', { runId, model: 'weather', alias: 'champion' });
    assert.deepEqual(registered, { model: 'weather', version: 1 });
    assert.ok(fs.existsSync(path.join(root, '.mlops', 'models', 'weather', '1', 'version.json')));
    // the view reads the registry's files when asked: no waiting for a watcher
    const shown = await shownVersions();
    assert.equal(shown.length, 1);
    const [v1] = shown;
    assert.equal(v1.label, 'version 1');
    assert.match(v1.description, /^@champion · cv_accuracy 0\.61 · \d{4}-\d\d-\d\d$/);
    assert.equal(v1.contextValue, 'mlops.modelVersion.aliased');
    const api = await activateExtension();
    const lineage = api.models.tree.getChildren(v1.node).map((n) => api.models.tree.getTreeItem(n));
    assert.deepEqual(lineage.map((i) => i.contextValue), ['mlops.modelLineage.run', 'mlops.modelLineage.data', 'mlops.modelLineage.card']);
    assert.equal(lineage[0].label, `Run ${runId}`);
    assert.match(String(lineage[1].label), /^Data weather@\d+$/);
  });

  test('moving champion to a new version shows at once, and compare and the model card open', async () => {
    const runId = await trainedRun(root, 'random_forest');
    await vscode.commands.executeCommand('mlops.registerModel', { runId, model: 'weather' });
    const change = await vscode.commands.executeCommand<{ previous: number; version: number }>('mlops.setModelAlias', { model: 'weather', version: 2, alias: 'champion', reason: 'forest wins' });
    assert.deepEqual([change.previous, change.version], [1, 2]);
    const versions = await shownVersions();
    assert.deepEqual(versions.map((v) => [v.label, v.description.split(' · ')[0]]), [['version 2', '@champion'], ['version 1', 'cv_accuracy 0.61']]);
    assert.equal(versions[1].contextValue, 'mlops.modelVersion');

    const compared = await vscode.commands.executeCommand<number[]>('mlops.compareModelVersions', versions[0].node, [versions[0].node, versions[1].node]);
    assert.deepEqual(compared, [1, 2]);
    await eventually(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'weather: 1 ↔ 2')), 'the compare panel');

    const card = await vscode.commands.executeCommand<string>('mlops.openModelCard', versions[0].node);
    assert.equal(card, path.join(root, '.mlops', 'models', 'weather', '2', 'MODEL_CARD.md'));
    // Rendered: the Markdown preview, not the Markdown source.
    await eventually(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputWebview && /markdown\.preview/.test(input.viewType);
    }, 'the model card to open rendered');
    assert.match(fs.readFileSync(card, 'utf8'), /^# weather version 2/);
  });

  test('"Reproduce Model Version" trains the version again in a child process and finds it identical', async () => {
    const result = await vscode.commands.executeCommand<{ identical: boolean; version: number; differences: string[] }>('mlops.reproduceModelVersion', 'weather@champion');
    assert.deepEqual([result.identical, result.version, result.differences], [true, 2, []]);
  });

  test('"Export Model Version to ONNX…" writes the champion\'s model as ONNX, and refuses a family without an ONNX operator', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when: string }[]> } };
    assert.ok(manifest.contributes.menus['view/item/context'].some((m) => m.command === 'mlops.exportModelOnnx' && /viewItem =~ .*modelVersion/.test(m.when)));
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-onnx-'));
    const output = path.join(folder, 'weather.onnx');
    const result = await vscode.commands.executeCommand<{ output: string; bytes: number; family: string }>('mlops.exportModelOnnx', { version: 'weather@champion', output });
    assert.deepEqual([result.output, result.family], [output, 'random_forest']);
    assert.equal(fs.statSync(output).size, result.bytes);
    const graph = onnx.ModelProto.decode(fs.readFileSync(output)).graph!;
    // the weather data's categories (location, date) are looked up as split columns, then the trees run
    assert.equal(graph.node!.at(-1)!.opType, 'TreeEnsembleClassifier');
    assert.deepEqual(graph.node!.at(-1)!.input, ['X_with_splits']);
    // version 1 is naive Bayes: the error is shown and nothing is written
    const refused = await vscode.commands.executeCommand('mlops.exportModelOnnx', { version: 'weather/1', output: path.join(folder, 'bayes.onnx') });
    assert.equal(refused, undefined);
    assert.deepEqual(fs.readdirSync(folder), ['weather.onnx']);
  });
});
