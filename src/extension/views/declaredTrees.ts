import * as vscode from 'vscode';
import type { ProjectContext } from '../projectContext';

/**
 * A tree over one section of mlops.yaml. The Features view starts here: what the project declares.
 * Empty without a project, which lets VS Code show the view's welcome content instead.
 */
export class DeclaredItemsTree implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly project: ProjectContext,
    private readonly items: (project: ProjectContext) => vscode.TreeItem[],
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

function declaredFeatures(project: ProjectContext): vscode.TreeItem[] {
  const features = project.config?.features?.views ?? {};
  return Object.keys(features).map((name) => {
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = `feature:${name}`;
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    item.contextValue = 'mlops.featureView';
    return item;
  });
}

/** The editor face of features, for now: the Features view of what mlops.yaml declares. */
export function registerFeatures(context: vscode.ExtensionContext, project: ProjectContext): void {
  const provider = new DeclaredItemsTree(project, declaredFeatures);
  context.subscriptions.push(provider, vscode.window.createTreeView('mlops.features', { treeDataProvider: provider, showCollapseAll: true }));
}
