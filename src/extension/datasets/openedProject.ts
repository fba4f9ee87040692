import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { projectPaths, type Project } from '../../core/workspace';
import type { ProjectWatcher } from '../projectWatcher';

/** The engine's view of the open project, when there is one and its mlops.yaml is valid. */
export function currentProject(watcher: ProjectWatcher): Project | undefined {
  const root = watcher.root;
  const config = watcher.config;
  return root && config ? { paths: projectPaths(root), config } : undefined;
}

/** The same, for commands: without a valid project there is nothing to act on, and the user is told why. */
export function requireProject(watcher: ProjectWatcher): Project {
  const project = currentProject(watcher);
  if (project) return project;
  if (watcher.root) {
    throw new MlopsError(vscode.l10n.t('mlops.yaml has problems, so the datasets cannot be read.'), vscode.l10n.t('Fix the problems shown in the Problems panel, then try again.'));
  }
  throw new MlopsError(vscode.l10n.t('No MLOps project is open.'), vscode.l10n.t('Run "MLOps: Initialize Project" or "MLOps: Create Sample Project" first.'));
}
