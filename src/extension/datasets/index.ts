import * as path from 'node:path';
import * as vscode from 'vscode';
import { projectPaths } from '../../core/workspace';
import type { ProjectContext } from '../projectContext';
import { ChangedDataDecorations } from './changedDataDecorations';
import { registerDatasetCommands } from './datasetCommands';
import { DatasetPanels } from './datasetPanels';
import { DatasetsTree } from './datasetsTree';

/** What the Datasets face exposes through the extension's API, for the integration tests. */
export interface DatasetsFace {
  tree: DatasetsTree;
  decorations: ChangedDataDecorations;
}

/** The editor face of data versioning: the Datasets view, its commands, the panels and the Explorer marks. */
export function registerDatasets(context: vscode.ExtensionContext, project: ProjectContext): DatasetsFace {
  const tree = new DatasetsTree(project);
  const decorations = new ChangedDataDecorations(project);
  const panels = new DatasetPanels(context.extensionUri, project.output);
  const view = vscode.window.createTreeView('mlops.datasets', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });

  // Pointer files change on a snapshot, and under us on a git checkout or pull; data files change as people work.
  const files = vscode.workspace.createFileSystemWatcher('**/*');
  const onFile = (uri: vscode.Uri) => {
    const root = project.root;
    if (!root || uri.scheme !== 'file') return;
    if (path.dirname(uri.fsPath) === projectPaths(root).datasets && uri.fsPath.endsWith('.json')) {
      tree.refresh();
      decorations.refresh();
    } else if (decorations.covers(uri.fsPath)) {
      decorations.refresh();
    }
  };

  context.subscriptions.push(
    tree, decorations, panels, view, files,
    files.onDidCreate(onFile), files.onDidChange(onFile), files.onDidDelete(onFile),
    vscode.window.registerFileDecorationProvider(decorations),
  );
  registerDatasetCommands(context, { project, tree, decorations, panels });
  return { tree, decorations };
}
