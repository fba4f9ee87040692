import * as vscode from 'vscode';
import type { ProjectWatcher } from '../projectWatcher';

/**
 * A tree over one section of mlops.yaml. The Features view starts here: what the project declares.
 * Empty without a project, which lets VS Code show the view's welcome content instead.
 */
export class DeclaredItemsTree implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly project: ProjectWatcher,
    private readonly items: (project: ProjectWatcher) => vscode.TreeItem[],
  ) {
    this.subscription = project.onDidChange(() => this.changed.fire());
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(parent?: vscode.TreeItem): vscode.TreeItem[] {
    if (parent || !this.project.root) return [];
    return this.items(this.project);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function declaredFeatures(project: ProjectWatcher): vscode.TreeItem[] {
  const features = project.config?.features?.views ?? {};
  return Object.keys(features).map((name) => {
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = `feature:${name}`;
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    item.contextValue = 'mlops.featureView';
    return item;
  });
}

export function registerDeclaredTree(
  context: vscode.ExtensionContext,
  project: ProjectWatcher,
  viewId: string,
  items: (project: ProjectWatcher) => vscode.TreeItem[],
): void {
  const provider = new DeclaredItemsTree(project, items);
  context.subscriptions.push(provider, vscode.window.createTreeView(viewId, { treeDataProvider: provider, showCollapseAll: true }));
}
