import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, initProject } from '../../core/workspace';
import { reportError } from '../commandErrors';
import type { ProjectWatcher } from '../projectWatcher';

interface Deps {
  project: ProjectWatcher;
  output: vscode.LogOutputChannel;
}

export function registerProjectCommands(context: vscode.ExtensionContext, deps: Deps): void {
  const sampleDir = vscode.Uri.joinPath(context.extensionUri, 'dist', 'sample').fsPath;
  const init = (sample: boolean) => async (): Promise<string | undefined> => {
    const folder = await pickFolder();
    if (!folder) return undefined;
    try {
      const result = initProject(folder.uri.fsPath, { sample, sampleDir });
      deps.output.info(result.message);
      deps.project.refresh();
      if (!result.created) {
        void vscode.window.showInformationMessage(vscode.l10n.t('This folder already has an MLOps project; nothing was changed.'));
        return result.root;
      }
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(result.root, CONFIG_FILE)));
      await vscode.window.showTextDocument(doc, { preview: false });
      void vscode.window.showInformationMessage(sample
        ? vscode.l10n.t('Created the sample MLOps project: data/weather.csv and mlops.yaml.')
        : vscode.l10n.t('Created an MLOps project: mlops.yaml and .mlops/.'));
      return result.root;
    } catch (err) {
      reportError(deps.output, err);
      return undefined;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.initProject', init(false)),
    vscode.commands.registerCommand('mlops.initSampleProject', init(true)),
    vscode.commands.registerCommand('mlops.openConfig', async () => {
      if (!deps.project.root) {
        void vscode.window.showWarningMessage(vscode.l10n.t('No MLOps project is open. Run "MLOps: Initialize Project" first.'));
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(deps.project.root, CONFIG_FILE)));
    }),
  );
}

/** A folder to initialize: the only workspace folder, or the one the user picks. */
async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    const open = vscode.l10n.t('Open Folder');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: an MLOps project lives in a folder.'), open);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.files.openFolder');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Folder to initialize as an MLOps project') });
}
