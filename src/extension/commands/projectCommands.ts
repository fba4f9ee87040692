import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, initProject } from '../../core/workspace';
import { guarded, reportError } from '../commandErrors';
import type { ProjectContext } from '../projectContext';

export function registerProjectCommands(context: vscode.ExtensionContext, project: ProjectContext): void {
  const sampleDir = vscode.Uri.joinPath(context.extensionUri, 'dist', 'sample').fsPath;
  const init = (sample: boolean) => async (): Promise<string | undefined> => {
    const folder = await pickFolder();
    if (!folder) return undefined;
    try {
      const result = initProject(folder.uri.fsPath, { sample, sampleDir });
      project.output.info(result.message);
      project.refresh();
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
      reportError(project.output, err);
      return undefined;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.initProject', init(false)),
    vscode.commands.registerCommand('mlops.initSampleProject', init(true)),
    vscode.commands.registerCommand('mlops.openConfig', guarded(project.output, async () => {
      // a broken mlops.yaml is exactly what this command is for: only a missing project refuses
      const root = project.root ?? project.requireProject().paths.root;
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, CONFIG_FILE)));
    })),
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
