import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, checkConfigFile, type ProjectConfig } from '../core/workspace';

/**
 * Knows which workspace folder holds the MLOps project and what its mlops.yaml declares, and tells the views
 * when either changes. Sets the `mlops.projectOpen` context key that switches the views' welcome content.
 */
export class ProjectWatcher implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private current: { root: string; config?: ProjectConfig } | undefined;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      watcher.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    );
    this.refresh();
  }

  /** Root of the project, if a workspace folder holds one. */
  get root(): string | undefined {
    return this.current?.root;
  }

  /** The declarations, when mlops.yaml is valid; the views keep showing nothing rather than guessing. */
  get config(): ProjectConfig | undefined {
    return this.current?.config;
  }

  refresh(): void {
    const folder = (vscode.workspace.workspaceFolders ?? []).find((f) => f.uri.scheme === 'file' && existsConfig(f.uri.fsPath));
    let next: typeof this.current;
    if (folder) {
      const root = folder.uri.fsPath;
      let config: ProjectConfig | undefined;
      try {
        config = checkConfigFile(path.join(root, CONFIG_FILE)).config;
      } catch {
        // unreadable for a moment (being saved): the next watcher event reads it again
      }
      next = { root, config };
    }
    this.current = next;
    void vscode.commands.executeCommand('setContext', 'mlops.projectOpen', Boolean(next));
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function existsConfig(folder: string): boolean {
  try {
    return fs.statSync(path.join(folder, CONFIG_FILE)).isFile();
  } catch {
    return false;
  }
}
