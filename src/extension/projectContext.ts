import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError } from '../core/errors';
import type { MetadataStore } from '../core/store';
import { CONFIG_FILE, checkConfigFile, projectPaths, type Project, type ProjectConfig } from '../core/workspace';
import { ProjectStore } from './projectStore';

/**
 * The open MLOps project as every view and command of the extension sees it: which workspace folder holds it, what
 * its mlops.yaml declares, and its ONE metadata store, kept current by file watchers and closed with the extension
 * (or when the project changes). Sets the `mlops.projectOpen` context key that switches the views' welcome content.
 */
export class ProjectContext implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the project (its folder or its mlops.yaml) changed. */
  readonly onDidChange = this.changed.event;
  private readonly metadata: ProjectStore;
  /** Fired when the metadata store refreshed with something new, or was opened for another project. */
  readonly onDidChangeStore: vscode.Event<void>;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private current: { root: string; config?: ProjectConfig } | undefined;

  constructor(readonly output: vscode.LogOutputChannel) {
    this.metadata = new ProjectStore(output);
    this.onDidChangeStore = this.metadata.onDidChange;
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
    this.disposables.push(
      this.metadata,
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

  /** The engine's view of the project, when there is one and its mlops.yaml is valid. */
  get project(): Project | undefined {
    const root = this.root;
    const config = this.config;
    return root && config ? { paths: projectPaths(root), config } : undefined;
  }

  /** The same, for commands: without a valid project there is nothing to act on, and the user is told why. */
  requireProject(): Project {
    const project = this.project;
    if (project) return project;
    if (this.root) {
      throw new MlopsError(vscode.l10n.t('mlops.yaml has problems, so the project cannot be read.'), vscode.l10n.t('Fix the problems shown in the Problems panel, then try again.'), 'INVALID_CONFIG');
    }
    throw noProjectOpen();
  }

  /** The project's metadata store, or undefined without a project. Rejects when the store cannot be read (see hint). */
  store(): Promise<MetadataStore | undefined> {
    return this.metadata.store();
  }

  /** The store, for commands: refused as requireProject() refuses when no project is open. */
  async requireStore(): Promise<MetadataStore> {
    const store = await this.store();
    if (!store) throw noProjectOpen();
    return store;
  }

  /** Reads what was appended to the store now rather than after the watcher's debounce: for commands that just wrote. */
  refreshStore(): Promise<void> {
    return this.metadata.refreshNow();
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
    this.metadata.follow(next?.root);
    void vscode.commands.executeCommand('setContext', 'mlops.projectOpen', Boolean(next));
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function noProjectOpen(): MlopsError {
  return new MlopsError(vscode.l10n.t('No MLOps project is open.'), vscode.l10n.t('Run "MLOps: Initialize Project" or "MLOps: Create Sample Project" first.'), 'NO_PROJECT');
}

function existsConfig(folder: string): boolean {
  try {
    return fs.statSync(path.join(folder, CONFIG_FILE)).isFile();
  } catch {
    return false;
  }
}
