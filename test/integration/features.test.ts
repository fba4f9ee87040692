import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { snapshotDataset } from '../../src/core/data';
import { openMetadataStore } from '../../src/core/metadata';
import { setRunTag } from '../../src/core/tracking';
import { openProject } from '../../src/core/workspace';
import type { FeaturesNode } from '../../src/extension/features/featuresTree';
import { activateExtension, eventually, recordTrainedRun, sharedFolder } from './helpers';

interface Shown {
  label: string;
  description: string;
  node: FeaturesNode;
}

async function children(parent?: FeaturesNode): Promise<Shown[]> {
  const { tree } = (await activateExtension()).features;
  return (await tree.getChildren(parent)).map((node) => {
    const item = tree.getTreeItem(node);
    return { label: String(item.label), description: String(item.description ?? ''), node };
  });
}

async function child(parent: FeaturesNode | undefined, label: string): Promise<Shown> {
  const found = (await children(parent)).find((c) => c.label === label);
  assert.ok(found, `"${label}" under ${parent ? JSON.stringify(parent.kind) : 'the root'}`);
  return found;
}

suite('Features view', () => {
  let root: string;
  let folder: ReturnType<typeof sharedFolder>;

  suiteSetup(async () => {
    folder = sharedFolder();
    root = folder.root;
    await vscode.commands.executeCommand('mlops.initSampleProject');
    await snapshotDataset(openProject(root), 'data/weather.csv', { name: 'weather', git: 'off' });
    const api = await activateExtension();
    await api.project.refreshStore();
    api.features.tree.refresh();
  });

  suiteTeardown(() => folder.leaveAsFound());

  test('shows the sample\'s entity, its view with each feature\'s type and definition, and its service', async () => {
    assert.deepEqual((await children()).map((c) => c.label), ['Entities', 'Views', 'Services']);
    const [entities, views, services] = (await children()).map((c) => c.node);
    assert.deepEqual((await children(entities)).map((c) => [c.label, c.description]), [['location', 'key location']]);
    const view = await child(views, 'daily_weather');
    assert.equal(view.description, 'weather@1 · not materialized');
    const features = await children(view.node);
    assert.deepEqual(features.map((f) => f.label), ['precipitation_today', 'temp_max_today', 'temp_min_today', 'wind_today', 'temp_range', 'precipitation_7d_sum', 'temp_max_7d_mean', 'wind_30d_mean']);
    assert.equal((await child(view.node, 'temp_range')).description, 'number · request.temp_max - request.temp_min');
    assert.equal((await child(view.node, 'wind_today')).description, 'from the request · request.wind');
    assert.equal((await child(view.node, 'precipitation_7d_sum')).description, 'number · sum(precipitation) over 7d');
    const service = await child(services, 'weather_features');
    assert.equal(service.description, '5 features');
    assert.deepEqual((await children(service.node)).map((c) => c.label), ['Not used by any model yet']);
  });

  test('Materialize fills the online store, and the view then says it is fresh', async () => {
    const results = await vscode.commands.executeCommand<{ view: string; entities: number }[]>('mlops.materializeFeatures');
    assert.equal(results.length, 1);
    assert.equal(results[0].view, 'daily_weather');
    assert.ok(results[0].entities > 0);
    const views = (await children()).find((c) => c.label === 'Views')!.node;
    assert.equal((await child(views, 'daily_weather')).description, 'weather@1 · materialized just now');
  });

  test('Go to Definition opens mlops.yaml at the feature\'s line, and a CodeLens above the view says who uses it', async () => {
    const views = (await children()).find((c) => c.label === 'Views')!.node;
    const feature = await child((await child(views, 'daily_weather')).node, 'temp_range');
    const at = await vscode.commands.executeCommand<{ line: number; column: number }>('mlops.goToFeatureDefinition', feature.node);
    const lines = fs.readFileSync(path.join(root, 'mlops.yaml'), 'utf8').split('\n');
    const expected = lines.findIndex((l) => /^\s+temp_range:/.test(l)) + 1;
    assert.ok(expected > 0);
    assert.deepEqual(at, { line: expected, column: lines[expected - 1].indexOf('temp_range') + 1 });
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.fileName.endsWith('mlops.yaml') && vscode.window.activeTextEditor, 'mlops.yaml to open');
    assert.equal(editor.selection.start.line, expected - 1);
    assert.equal(editor.document.getText(editor.selection), 'temp_range');

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    const viewLine = lines.findIndex((l) => /^\s+daily_weather:/.test(l));
    const ours = lenses.filter((l) => l.command?.command === 'mlops.features.focus');
    assert.deepEqual(ours.map((l) => [l.range.start.line, l.command?.title]), [[viewLine, 'not used by any model yet']]);
  });

  test('a model trained on the service shows under it, and the CodeLens names its version', async () => {
    const runId = await recordTrainedRun(root, { file: 'data/weather.csv', dataset: 'weather', target: 'weather', family: 'naive_bayes', experiment: 'features-it', score: 0.61 });
    const store = await openMetadataStore(root);
    try {
      setRunTag(store, runId, 'mlops.featureService', 'weather_features');
      await store.fold();
    } finally {
      store.close();
    }
    const { version } = await vscode.commands.executeCommand<{ version: number }>('mlops.registerModel', { runId, model: 'weather' });
    const api = await activateExtension();
    await api.project.refreshStore();
    api.features.tree.refresh();
    const services = (await children()).find((c) => c.label === 'Services')!.node;
    const used = await children((await child(services, 'weather_features')).node);
    assert.deepEqual(used.map((c) => c.label), [`weather/${version}`, 'Run naive_bayes']);

    const document = await vscode.workspace.openTextDocument(path.join(root, 'mlops.yaml'));
    const titles = await eventually(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
      const ours = lenses.filter((l) => l.command?.command === 'mlops.features.focus').map((l) => l.command!.title);
      return ours[0]?.startsWith('used by') && ours;
    }, 'the CodeLens to name the model');
    assert.deepEqual(titles, [`used by weather v${version}`]);
  });

  test('Build Training Set writes the point-in-time set, and Preview shows the view\'s features', async () => {
    const output = path.join(root, 'weather_features-training.csv');
    const built = await vscode.commands.executeCommand<{ rows: number; columns: { name: string }[] }>('mlops.buildTrainingSet', { service: 'weather_features', entities: 'weather', timestamp: 'date', output });
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
    const weatherRows = fs.readFileSync(path.join(root, 'data', 'weather.csv'), 'utf8').trim().split('\n').length - 1;
    assert.equal(built.rows, weatherRows);
    assert.equal(lines.length, weatherRows + 1);
    assert.ok(lines[0].split(',').includes('daily_weather__temp_range'), lines[0]);

    const api = await activateExtension();
    await vscode.commands.executeCommand('mlops.previewFeatures', 'daily_weather');
    assert.equal(await api.features.preview()!.done, 'preview');
    await eventually(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Preview: daily_weather')), 'the preview panel');
  });
  test('Train Model (AutoML) trains on training.service of mlops.yaml: the run records the service and its entity rows', async () => {
    const config = path.join(root, 'mlops.yaml');
    const yaml = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, yaml.replace('training:\n', 'training:\n  service: weather_features\n  entities: weather\n  timestamp: date\n'));
    try {
      const api = await activateExtension();
      await eventually(() => api.project.requireProject().config.training?.service === 'weather_features', 'the edited mlops.yaml to be read');
      const result = await vscode.commands.executeCommand<{ runId: string; featureSet?: { service: string; entities: unknown; columns: string[] } }>('mlops.trainAutoML', { maxTrials: 2, families: ['gbdt'] });
      assert.ok(result, 'the command returned its result');
      assert.equal(result.featureSet?.service, 'weather_features');
      assert.deepEqual(result.featureSet?.entities, { dataset: 'weather', version: 1 });
      assert.equal(result.featureSet?.columns.length, 5);
    } finally {
      fs.writeFileSync(config, yaml);
      // an editor left open on a file rewritten under it would carry into the next suite's workspace
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
