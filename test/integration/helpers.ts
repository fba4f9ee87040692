import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { refitFromConfig } from '../../src/core/automl';
import { snapshotDataset } from '../../src/core/data';
import { openMetadataStore } from '../../src/core/metadata';
import { ObjectCache } from '../../src/core/storage/objectCache';
import { startRun, type TrainingConfigRecord } from '../../src/core/tracking';
import type { Family } from '../../src/core/train';
import { openProject, projectPaths } from '../../src/core/workspace';
import type { MlopsApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'mlops-workbench.mlops-workbench';

export async function activateExtension(): Promise<MlopsApi> {
  const extension = vscode.extensions.getExtension<MlopsApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs a workspace folder');
  return folder.uri;
}

/** Polls until `check` returns a value, for state the editor updates asynchronously (diagnostics, tabs, views). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A finished classification run recorded the way the AutoML records one: the model (trained by the AutoML's refit,
 * from the data version in the cache) in the cache as model.json, its tags, training configuration, metric and data.
 */
export async function recordTrainedRun(root: string, o: { file: string; dataset: string; target: string; family: Family; experiment: string; score: number }): Promise<string> {
  // the version the data is at (a new one if it changed since the last snapshot): what the AutoML trains on
  const { id, digest } = (await snapshotDataset(openProject(root), o.file, { name: o.dataset, git: 'off' })).version;
  const config: TrainingConfigRecord = {
    dataset: o.dataset, version: id, digest, format: 'csv', target: o.target, task: 'classification', metric: 'accuracy', family: o.family, params: {}, seed: 42, folds: 3, excluded: [],
  };
  const { bytes } = await refitFromConfig(root, config);
  new ObjectCache(projectPaths(root).cache).putBytes(bytes);
  const store = await openMetadataStore(root);
  const run = await startRun(store, { experiment: o.experiment, name: o.family });
  for (const [k, v] of Object.entries({ 'mlops.kind': 'automl', 'mlops.task': 'classification', 'mlops.target': o.target, 'mlops.metric': 'accuracy', 'mlops.family': o.family })) run.setTag(k, v);
  run.logParam('mlops.trainingConfig', JSON.stringify(config));
  run.logMetric('cv_accuracy', o.score);
  run.logInput('dataset', o.dataset, String(id), digest);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-it-')), 'model.json');
  fs.writeFileSync(file, bytes);
  run.logArtifact(file);
  run.end('finished');
  await store.fold();
  return run.id;
}
/**
 * The suites share one workspace folder: remember what is in it when a suite starts, and at its end close the
 * editors, remove what the suite added, and close the project if the suite created it (one an earlier suite left
 * open stays open).
 */
export function sharedFolder(): { root: string; leaveAsFound(): Promise<void> } {
  const root = workspaceRoot().fsPath;
  const before = new Set(fs.readdirSync(root));
  return {
    root,
    async leaveAsFound() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const entry of fs.readdirSync(root)) if (!before.has(entry)) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
      if (before.has('mlops.yaml')) return;
      const api = await activateExtension();
      api.project.refresh();
      await eventually(() => api.project.root === undefined, 'the project to close');
    },
  };
}
