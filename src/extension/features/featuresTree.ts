import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { featureTypeText, listFeatures, onlineDir, type FeatureListing } from '../../core/features';
import { watchDebounced } from '../debouncedWatcher';
import type { ProjectContext } from '../projectContext';
import type { ServiceUsage } from './serviceUsage';

type ListedView = FeatureListing['views'][number];
type ListedFeature = ListedView['features'][number];

/** What the Features view shows; its commands receive these. */
export type FeaturesNode =
  | { kind: 'section'; section: 'entities' | 'views' | 'services' }
  | { kind: 'entity'; name: string; keys: string[] }
  | { kind: 'view'; view: ListedView }
  | { kind: 'feature'; view: ListedView; feature: ListedFeature }
  | { kind: 'service'; name: string; features: string[] }
  | { kind: 'usedBy'; service: string; what: 'run'; id: string; label: string }
  | { kind: 'usedBy'; service: string; what: 'model'; model: string; version: number }
  | { kind: 'message'; text: string; detail?: string; warning?: boolean };

/** The online store is rewritten whole by a materialization, and a burst of file events follows: one refresh. */
const DEBOUNCE_MS = 200;

/**
 * The Features view: entities and their keys; views, their features with type and definition, the source version
 * they read and how fresh the online store is; services, and the runs and models that trained on them. Everything
 * comes from the engine's listing (`mlops features list` prints the same), refreshed when mlops.yaml, the online
 * store or the metadata store change.
 */
export class FeaturesTree implements vscode.TreeDataProvider<FeaturesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: { root: string; watcher: vscode.Disposable } | undefined;
  /** The last listing, for commands that need it without walking the tree (the integration tests too). */
  listing: FeatureListing | undefined;

  constructor(private readonly project: ProjectContext, private readonly usage: (service: string) => Promise<ServiceUsage>) {
    this.disposables.push(
      project.onDidChange(() => this.followProject()),
      project.onDidChangeStore(() => this.refresh()),
    );
    this.followProject();
  }

  refresh(): void {
    this.listing = undefined;
    this.changed.fire();
  }

  /** The listing as it is now: read again after each refresh. */
  current(): FeatureListing | undefined {
    const project = this.project.project;
    if (!project) return undefined;
    this.listing ??= listFeatures(project);
    return this.listing;
  }

  getTreeItem(node: FeaturesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'section': return sectionItem(node.section);
      case 'entity': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = `entity:${node.name}`;
        item.iconPath = new vscode.ThemeIcon('symbol-key');
        item.description = vscode.l10n.t('key {0}', node.keys.join(', '));
        item.contextValue = 'mlops.featureEntity';
        return item;
      }
      case 'view': return viewItem(node.view);
      case 'feature': return featureItem(node.view, node.feature);
      case 'service': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `service:${node.name}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.description = node.features.length === 1 ? vscode.l10n.t('1 feature') : vscode.l10n.t('{0} features', node.features.length);
        item.tooltip = node.features.join('\n');
        item.contextValue = 'mlops.featureService';
        return item;
      }
      case 'usedBy': {
        if (node.what === 'run') {
          const item = new vscode.TreeItem(vscode.l10n.t('Run {0}', node.label), vscode.TreeItemCollapsibleState.None);
          item.id = `service:${node.service}:run:${node.id}`;
          item.iconPath = new vscode.ThemeIcon('beaker');
          item.description = node.id.slice(0, 8);
          item.command = { command: 'mlops.showModelRun', title: vscode.l10n.t('Show Run'), arguments: [node.id] };
          return item;
        }
        const item = new vscode.TreeItem(`${node.model}/${node.version}`, vscode.TreeItemCollapsibleState.None);
        item.id = `service:${node.service}:model:${node.model}/${node.version}`;
        item.iconPath = new vscode.ThemeIcon('package');
        item.command = { command: 'mlops.models.focus', title: vscode.l10n.t('Show Models') };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.iconPath = node.warning
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  async getChildren(parent?: FeaturesNode): Promise<FeaturesNode[]> {
    let listing: FeatureListing | undefined;
    try {
      listing = this.current();
    } catch (err) {
      return parent ? [] : [{ kind: 'message', text: vscode.l10n.t('The feature definitions cannot be read.'), detail: describeError(err), warning: true }];
    }
    if (!listing) return [];
    if (!parent) {
      const empty = listing.entities.length === 0 && listing.views.length === 0 && listing.services.length === 0;
      // Nothing declared: the view's welcome content says where definitions go.
      if (empty) return [];
      const problems: FeaturesNode[] = listing.problems.map((text) => ({ kind: 'message', text, warning: true }));
      return [...problems, ...(['entities', 'views', 'services'] as const).map((section): FeaturesNode => ({ kind: 'section', section }))];
    }
    switch (parent.kind) {
      case 'section':
        if (parent.section === 'entities') return listing.entities.map((e) => ({ kind: 'entity', name: e.name, keys: e.keys }));
        if (parent.section === 'views') return listing.views.map((view) => ({ kind: 'view', view }));
        return listing.services.map((s) => ({ kind: 'service', name: s.name, features: s.features }));
      case 'view':
        return parent.view.features.map((feature) => ({ kind: 'feature', view: parent.view, feature }));
      case 'service': {
        const used = await this.usage(parent.name);
        const nodes: FeaturesNode[] = [
          ...used.models.map((m): FeaturesNode => ({ kind: 'usedBy', service: parent.name, what: 'model', model: m.model, version: m.version })),
          ...used.runs.map((r): FeaturesNode => ({ kind: 'usedBy', service: parent.name, what: 'run', id: r.id, label: r.label })),
        ];
        return nodes.length ? nodes : [{ kind: 'message', text: vscode.l10n.t('Not used by any model yet') }];
      }
      default:
        return [];
    }
  }

  private followProject(): void {
    const project = this.project.project;
    const root = this.project.root;
    if (this.watcher?.root !== root) {
      this.watcher?.watcher.dispose();
      this.watcher = undefined;
      if (root && project) this.watcher = { root, watcher: watchDebounced(onlineDir(project), '**', DEBOUNCE_MS, () => this.refresh()) };
    }
    this.refresh();
  }

  dispose(): void {
    this.watcher?.watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function sectionItem(section: 'entities' | 'views' | 'services'): vscode.TreeItem {
  const label = { entities: vscode.l10n.t('Entities'), views: vscode.l10n.t('Views'), services: vscode.l10n.t('Services') }[section];
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `section:${section}`;
  return item;
}

/** "materialized 3 h ago", "stale: definition or data changed", "not materialized": how far to trust online lookups. */
export function freshnessText(view: ListedView, now = Date.now()): string {
  if (!view.materialized) return vscode.l10n.t('not materialized');
  if (!view.materialized.current) return vscode.l10n.t('stale: definition or data changed since {0}', view.materialized.end.slice(0, 16).replace('T', ' '));
  return vscode.l10n.t('materialized {0}', age(now - Date.parse(view.materialized.end)));
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0} min ago', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 48) return vscode.l10n.t('{0} h ago', hours);
  return vscode.l10n.t('{0} days ago', Math.round(hours / 24));
}

function viewItem(view: ListedView): vscode.TreeItem {
  const item = new vscode.TreeItem(view.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `view:${view.name}`;
  const source = view.sourceVersion ?? vscode.l10n.t('{0} (no version yet)', view.source);
  item.description = `${source} · ${freshnessText(view)}`;
  const stale = !view.materialized?.current;
  item.iconPath = new vscode.ThemeIcon('symbol-class', stale ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  item.contextValue = 'mlops.featureView';
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${view.name}** · ${vscode.l10n.t('entity {0}', view.entity)}\n\n`);
  tooltip.appendText(vscode.l10n.t('Source: {0}', source) + '\n');
  tooltip.appendText(vscode.l10n.t('Version: {0}', view.version ?? '-') + '\n');
  if (view.ttl) tooltip.appendText(vscode.l10n.t('Time to live: {0}', view.ttl) + '\n');
  tooltip.appendText(view.materialized ? vscode.l10n.t('Online store up to {0} ({1})', view.materialized.end, freshnessText(view)) : freshnessText(view));
  item.tooltip = tooltip;
  return item;
}

function featureItem(view: ListedView, feature: ListedFeature): vscode.TreeItem {
  const item = new vscode.TreeItem(feature.name, vscode.TreeItemCollapsibleState.None);
  item.id = `view:${view.name}:${feature.name}`;
  item.iconPath = new vscode.ThemeIcon(feature.kind === 'aggregate' ? 'symbol-operator' : feature.kind === 'expression' ? 'symbol-method' : 'symbol-field');
  item.description = `${featureTypeText(feature.type)} · ${feature.definition}`;
  item.contextValue = 'mlops.feature';
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${view.name}:${feature.name}** · ${feature.type ?? '?'}\n\n`);
  tooltip.appendCodeblock(feature.definition, 'text');
  tooltip.appendText(vscode.l10n.t('Source: {0}', view.sourceVersion ?? view.source) + '\n');
  tooltip.appendText(freshnessText(view));
  item.tooltip = tooltip;
  item.command = { command: 'mlops.goToFeatureDefinition', title: vscode.l10n.t('Go to Definition'), arguments: [{ kind: 'feature', view, feature }] };
  return item;
}
