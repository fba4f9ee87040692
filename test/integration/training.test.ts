import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AutomlResult } from '../../src/core/automl';
import { getRun } from '../../src/core/tracking';
import { activateExtension, eventually, sharedFolder } from './helpers';
import { openMetadataStore } from '../../src/core/metadata';

suite('Training: AutoML in a worker, its run and model artifact, the leaderboard panel', () => {
  let root: string;
  let folder: ReturnType<typeof sharedFolder>;

  suiteSetup(async () => {
    folder = sharedFolder();
    root = folder.root;
    await vscode.commands.executeCommand('mlops.initSampleProject');
    const api = await activateExtension();
    await eventually(() => api.project.config?.datasets?.weather, 'the project watcher to read mlops.yaml');
  });

  suiteTeardown(() => folder.leaveAsFound());

  test('"Train Model (AutoML)" with explicit settings records a finished run with model.json, and the leaderboard opens', async () => {
    const result = await vscode.commands.executeCommand<AutomlResult | undefined>('mlops.trainAutoML', { dataset: 'weather', target: 'weather', maxTrials: 3, seed: 1 });
    assert.ok(result, 'AutoML returned a result (see the MLOps log for an error)');
    assert.equal(result.task, 'classification');
    assert.equal(result.trials, 3);

    const store = await openMetadataStore(root);
    const run = getRun(store, result.runId);
    store.close();
    assert.equal(run.status, 'finished');
    assert.equal(run.tags['mlops.kind'], 'automl');
    assert.equal(run.artifacts.find((a) => a.path === 'model.json')?.sha256, result.model.sha256);
    assert.deepEqual(run.inputs.map((i) => [i.kind, i.name]), [['dataset', 'weather']]);
    assert.equal(run.children.length, 3);

    // The Runs view lists the AutoML run with its trials beneath it, not beside it. The view reads the store
    // asynchronously, so ask it to refresh and wait until it has caught up with all three trials.
    const api = await activateExtension();
    await vscode.commands.executeCommand('mlops.refreshRuns');
    const { automlNode, runNodes, trials } = await eventually(async () => {
      const experiments = await api.runs.tree.getChildren();
      const runNodes = (await Promise.all(experiments.map((e) => api.runs.tree.getChildren(e)))).flat();
      const automlNode = runNodes.find((n) => n.kind === 'run' && n.run.id === result.runId);
      const trialsNode = automlNode && (await api.runs.tree.getChildren(automlNode)).find((n) => n.kind === 'children');
      const trials = trialsNode ? await api.runs.tree.getChildren(trialsNode) : [];
      return automlNode && trials.length === run.children.length ? { automlNode, runNodes, trials } : undefined;
    }, 'the Runs view to show the AutoML run with its three trials');
    assert.equal(api.runs.tree.getTreeItem(automlNode).contextValue, 'mlops.run.automl');
    assert.ok(!runNodes.some((n) => n.kind === 'run' && run.children.includes(n.run.id)), 'no trial is listed beside its parent');
    // An experiment counts the runs it lists, not their trials.
    for (const experiment of await api.runs.tree.getChildren()) {
      if (experiment.kind === 'experiment') assert.equal(experiment.runs, (await api.runs.tree.getChildren(experiment)).length, experiment.name);
    }
    assert.deepEqual(trials.map((n) => (n.kind === 'run' ? n.run.id : '')).sort(), [...run.children].sort());

    await vscode.commands.executeCommand('mlops.showLeaderboard', result.runId);
    const tab = await eventually(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlops.leaderboard')),
      'the leaderboard tab',
    );
    // Named as the run is, with its short id, not by the whole run id.
    assert.equal(tab.label, `Leaderboard: ${run.name} · ${result.runId.slice(0, 8)}`);
  });
});
