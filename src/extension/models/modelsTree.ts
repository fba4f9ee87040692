import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { EndpointStatus } from '../../core/serve';
import { cardFile, keyMetric, listModels, modelHistory, type HistoryEvent, type ModelSummary, type ModelVersion } from '../../core/registry';
import { projectPaths } from '../../core/workspace';
import { watchDebounced } from '../debouncedWatcher';
import type { ProjectContext } from '../projectContext';
import type { ServingSnapshot } from '../serving/servingStatus';

/** What the Models view shows; its commands receive these. */
export type ModelsNode =
  | { kind: 'model'; model: ModelSummary }
  | { kind: 'version'; version: ModelVersion }
  | { kind: 'lineage'; what: 'run' | 'data' | 'commit' | 'card'; version: ModelVersion }
  | { kind: 'message'; text: string; detail?: string; warning?: boolean }
  | { kind: 'history'; model: string; events: HistoryEvent[] }
  | { kind: 'event'; model: string; event: HistoryEvent }
  | { kind: 'serving'; snapshot: ServingSnapshot }
  | { kind: 'endpoint'; endpoint: EndpointStatus };

/** Where the Models view learns about the running server (the serving face polls it). */
export interface ServingSource {
  readonly snapshot: ServingSnapshot | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/** Registry files change in bursts (a registration writes several): one refresh per burst. */
const DEBOUNCE_MS = 200;

/**
 * The Models view: each registered model, its versions newest first (alias badges, key metric, date), and under a
 * version where it came from: the run, the data version, the commit, and its model card. Read from the text files
 * under .mlops/models, watched, so a `git pull` or a terminal's `mlops alias set` shows up at once.
 */
export class ModelsTree implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: { root: string; watcher: vscode.Disposable } | undefined;
  /** The last listing, for commands that need the models without walking the tree (the integration tests too). */
  models: ModelSummary[] = [];
  private serving: ServingSource | undefined;
  /** The one "Serving" node, kept so a poll refreshes only that branch of the tree. */
  private servingNode: Extract<ModelsNode, { kind: 'serving' }> | undefined;

  constructor(private readonly project: ProjectContext) {
    this.disposables.push(project.onDidChange(() => this.followProject()));
    this.followProject();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Shows the project's server and its endpoints above the models, refreshed each time `source` reads it. */
  showServing(source: ServingSource): vscode.Disposable {
    this.serving = source;
    return source.onDidChange(() => {
      const snapshot = source.snapshot;
      // The node appears or goes: the root changes. Otherwise only its branch does.
      if (snapshot && this.servingNode) {
        this.servingNode.snapshot = snapshot;
        this.changed.fire(this.servingNode);
      } else this.changed.fire(undefined);
    });
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'serving': return servingItem(node.snapshot);
      case 'endpoint': return endpointItem(node.endpoint);
      case 'model': return modelItem(node.model);
      case 'version': return versionItem(node.version);
      case 'lineage': return lineageItem(node.what, node.version, this.project.root!);
      case 'history': return historyItem(node.model, node.events);
      case 'event': return eventItem(node.event);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor(node.warning ? 'problemsWarningIcon.foreground' : 'problemsErrorIcon.foreground'));
        return item;
      }
    }
  }

  getChildren(parent?: ModelsNode): ModelsNode[] {
    const root = this.project.root;
    if (!root) return [];
    if (!parent) {
      try {
        this.models = listModels(projectPaths(root));
      } catch (err) {
        this.models = [];
        return [{ kind: 'message', text: vscode.l10n.t('The model registry cannot be read.'), detail: describeError(err) }];
      }
      const snapshot = this.serving?.snapshot;
      this.servingNode = snapshot ? { kind: 'serving', snapshot } : undefined;
      return [...(this.servingNode ? [this.servingNode] : []), ...this.models.map((model): ModelsNode => ({ kind: 'model', model }))];
    }
    if (parent.kind === 'serving') {
      const { metrics, problem } = parent.snapshot;
      if (!metrics) return [{ kind: 'message', text: vscode.l10n.t('The server does not answer yet.'), detail: problem, warning: true }];
      return metrics.endpoints.map((endpoint) => ({ kind: 'endpoint', endpoint }));
    }
    if (parent.kind === 'model') {
      const problems: ModelsNode[] = parent.model.problems.map((text) => ({ kind: 'message', text, warning: true }));
      const history = retrainingHistory(root, parent.model.name);
      return [
        ...problems,
        ...[...parent.model.versions].reverse().map((version): ModelsNode => ({ kind: 'version', version })),
        ...(history.length ? [{ kind: 'history', model: parent.model.name, events: history } as const] : []),
      ];
    }
    if (parent.kind === 'history') return parent.events.map((event) => ({ kind: 'event', model: parent.model, event }));
    if (parent.kind === 'version') {
      const v = parent.version;
      const shown: ('run' | 'data' | 'commit' | 'card')[] = ['run', ...(v.lineage.dataset ? (['data'] as const) : []), ...(v.lineage.commit ? (['commit'] as const) : []), 'card'];
      return shown.map((what) => ({ kind: 'lineage', what, version: v }));
    }
    return [];
  }

  /** The parent, so that reveal() can expand down to a version. */
  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'version') {
      const model = this.models.find((m) => m.name === node.version.model);
      return model && { kind: 'model', model };
    }
    if (node.kind === 'lineage') return { kind: 'version', version: node.version };
    if (node.kind === 'history') {
      const model = this.models.find((m) => m.name === node.model);
      return model && { kind: 'model', model };
    }
    if (node.kind === 'event') return { kind: 'history', model: node.model, events: retrainingHistory(this.project.root!, node.model) };
    if (node.kind === 'endpoint') return this.servingNode;
    return undefined;
  }

  private followProject(): void {
    const root = this.project.root;
    if (this.watcher?.root !== root) {
      this.watcher?.watcher.dispose();
      this.watcher = undefined;
      if (root) this.watcher = { root, watcher: watchDebounced(root, '.mlops/models/**', DEBOUNCE_MS, () => this.refresh()) };
    }
    this.refresh();
  }

  dispose(): void {
    this.watcher?.watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** "cv_accuracy 0.9512": the metric the version is judged by. */
export function keyMetricText(v: ModelVersion): string {
  const metric = keyMetric(v);
  return metric ? `${metric.key} ${metric.value === null ? 'NaN' : Number(metric.value.toPrecision(4))}` : '';
}

function modelItem(model: ModelSummary): vscode.TreeItem {
  const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `model:${model.name}`;
  item.iconPath = new vscode.ThemeIcon('package');
  const aliases = Object.entries(model.aliases).map(([a, v]) => `@${a} → ${v}`).join(', ');
  const count = model.versions.length === 1 ? vscode.l10n.t('1 version') : vscode.l10n.t('{0} versions', model.versions.length);
  item.description = [count, aliases].filter(Boolean).join(' · ');
  item.contextValue = 'mlops.model';
  if (model.problems.length) item.iconPath = new vscode.ThemeIcon('package', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return item;
}

function versionItem(v: ModelVersion): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('version {0}', v.version), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `model:${v.model}/${v.version}`;
  const badges = v.aliases.map((a) => `@${a}`).join(' ');
  item.description = [badges, v.archived ? vscode.l10n.t('archived') : '', keyMetricText(v), v.created.slice(0, 10)].filter(Boolean).join(' · ');
  item.iconPath = v.archived
    ? new vscode.ThemeIcon('archive', new vscode.ThemeColor('disabledForeground'))
    : new vscode.ThemeIcon(v.aliases.includes('champion') ? 'star-full' : 'versions', v.aliases.length ? new vscode.ThemeColor('charts.yellow') : undefined);
  // has aliases / archived drive which context actions apply
  item.contextValue = `mlops.modelVersion${v.archived ? '.archived' : ''}${v.aliases.length ? '.aliased' : ''}`;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${v.model}/${v.version}** ${badges}\n\n`);
  if (v.description) tooltip.appendText(v.description + '\n\n');
  tooltip.appendMarkdown(`${vscode.l10n.t('Registered {0} by {1}', v.created.replace('T', ' ').slice(0, 19), v.createdBy)}\n\n`);
  tooltip.appendMarkdown(`${v.artifact.family} · \`${v.artifact.digest.slice(0, 19)}…\``);
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `${v.model} ${vscode.l10n.t('version {0}', v.version)}, ${item.description}` };
  return item;
}

function lineageItem(what: 'run' | 'data' | 'commit' | 'card', v: ModelVersion, root: string): vscode.TreeItem {
  const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
  item.id = `model:${v.model}/${v.version}:${what}`;
  item.contextValue = `mlops.modelLineage.${what}`;
  const { lineage } = v;
  switch (what) {
    case 'run':
      item.label = vscode.l10n.t('Run {0}', lineage.run);
      item.description = lineage.experiment;
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.command = { command: 'mlops.showModelRun', title: vscode.l10n.t('Show Run'), arguments: [lineage.run] };
      break;
    case 'data':
      item.label = vscode.l10n.t('Data {0}@{1}', lineage.dataset!.name, lineage.dataset!.version);
      item.description = lineage.dataset!.digest?.slice(0, 19) ?? '';
      item.tooltip = lineage.dataset!.digest ?? undefined;
      item.iconPath = new vscode.ThemeIcon('database');
      item.command = { command: 'mlops.datasets.focus', title: vscode.l10n.t('Show Datasets') };
      break;
    case 'commit':
      item.label = vscode.l10n.t('Commit {0}', lineage.commit!.slice(0, 12));
      item.description = lineage.dirty ? vscode.l10n.t('with uncommitted changes') : '';
      item.iconPath = new vscode.ThemeIcon('git-commit');
      item.command = { command: 'mlops.showModelCommit', title: vscode.l10n.t('Show Commit'), arguments: [lineage.commit] };
      break;
    case 'card':
      item.label = vscode.l10n.t('Model card');
      item.description = v.cardEdited ? vscode.l10n.t('edited') : '';
      item.iconPath = new vscode.ThemeIcon('book');
      item.resourceUri = vscode.Uri.file(cardFile(projectPaths(root), v.model, v.version));
      item.command = { command: 'mlops.openModelCard', title: vscode.l10n.t('Open Model Card'), arguments: [{ kind: 'version', version: v }] };
      break;
  }
  return item;
}

/**
 * The retraining story of a model, oldest first: retrains and what triggered them, gate results, approvals and
 * rejections, and every move of champion (promotions, approvals, rollbacks). Registrations and other aliases are
 * the versions' own business, shown on the versions.
 */
function retrainingHistory(root: string, model: string): HistoryEvent[] {
  try {
    return modelHistory(projectPaths(root), model).filter((e) => ['retrain', 'gate', 'approve', 'reject'].includes(e.event) || e.alias === 'champion');
  } catch {
    // an unreadable history reads as none here; `mlops model history` says what is wrong with it
    return [];
  }
}

function historyItem(model: string, events: HistoryEvent[]): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('History'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `model:${model}:history`;
  item.description = events.length === 1 ? vscode.l10n.t('1 event') : vscode.l10n.t('{0} events', events.length);
  item.iconPath = new vscode.ThemeIcon('history');
  item.contextValue = 'mlops.modelHistory';
  return item;
}

const score = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(Number(v.toPrecision(4))));

function eventLabel(e: HistoryEvent): { label: string; icon: string; color?: string } {
  switch (e.event) {
    case 'retrain': return { label: vscode.l10n.t('Retrained as version {0} ({1})', e.version, e.trigger ?? 'manual'), icon: 'sync' };
    case 'gate': {
      const g = e.evaluation;
      const scores = g ? `${g.metric} ${score(g.challenger)} vs ${score(g.champion)}` : '';
      return g?.passed
        ? { label: vscode.l10n.t('Gate passed: version {0} against {1}, {2}', e.version, g.against, scores), icon: 'pass', color: 'testing.iconPassed' }
        : { label: vscode.l10n.t('Gate failed: version {0} against {1}, {2}', e.version, g?.against ?? '–', scores), icon: 'error', color: 'testing.iconFailed' };
    }
    case 'approve': return { label: vscode.l10n.t('Approved version {0}', e.version), icon: 'thumbsup' };
    case 'reject': return { label: vscode.l10n.t('Rejected version {0}', e.version), icon: 'thumbsdown' };
    case 'alias-remove': return { label: vscode.l10n.t('@champion removed from version {0}', e.version), icon: 'circle-slash' };
    default:
      switch (e.cause) {
        case 'promotion': return { label: vscode.l10n.t('Promoted version {0} to @champion', e.version), icon: 'star-full', color: 'charts.yellow' };
        case 'approval': return { label: vscode.l10n.t('@champion → version {0} (approved)', e.version), icon: 'star-full', color: 'charts.yellow' };
        case 'rollback': return { label: vscode.l10n.t('Rolled back @champion to version {0}', e.version), icon: 'discard' };
        default: return { label: vscode.l10n.t('@champion → version {0}', e.version), icon: 'star-full' };
      }
  }
}

function eventItem(e: HistoryEvent): vscode.TreeItem {
  const { label, icon, color } = eventLabel(e);
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `model:${e.model}:event:${e.id}`;
  item.description = `${e.time.slice(0, 16).replace('T', ' ')} · ${e.by}`;
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = `mlops.modelEvent.${e.event}`;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(`${label}

${e.time.replace('T', ' ').slice(0, 19)} · ${e.by}

`);
  if (e.reason) tooltip.appendText(`${e.reason}

`);
  for (const r of e.evaluation?.reasons ?? []) tooltip.appendText(`${r}

`);
  item.tooltip = tooltip;
  if (e.event === 'gate' || e.event === 'retrain') {
    item.command = { command: 'mlops.reviewPromotion', title: vscode.l10n.t('Review Promotion'), arguments: [`${e.model}/${e.version}`] };
  }
  return item;
}

function servingItem(snapshot: ServingSnapshot): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Serving'), vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'serving';
  item.iconPath = new vscode.ThemeIcon('broadcast', new vscode.ThemeColor(snapshot.metrics ? 'testing.iconPassed' : 'problemsWarningIcon.foreground'));
  item.description = `${snapshot.state.url} · ${vscode.l10n.t('process {0}', snapshot.state.pid)}`;
  item.tooltip = vscode.l10n.t('Model server on {0}, started {1}', snapshot.state.url, snapshot.state.started.replace('T', ' ').slice(0, 19));
  item.contextValue = 'mlops.serving';
  return item;
}

/** "weather@champion → 2 · 12.5 req/s · p99 3.1 ms · 0 errors": what answers, and how well. */
export function endpointDescription(e: EndpointStatus): string {
  const routes = e.routes.map((r) => `${r.model} → ${r.version ?? '?'}${e.routes.length > 1 ? ` (${r.weight}%)` : ''}`).join(', ');
  const p99 = e.p99Ms === null ? '-' : `${e.p99Ms.toFixed(1)} ms`;
  const errors = e.errors === 1 ? vscode.l10n.t('1 error') : vscode.l10n.t('{0} errors', e.errors);
  return [routes, vscode.l10n.t('{0} req/s', e.requestsPerSecond.toFixed(1)), vscode.l10n.t('p99 {0}', p99), errors].join(' · ');
}

function endpointItem(e: EndpointStatus): vscode.TreeItem {
  const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
  item.id = `endpoint:${e.name}`;
  item.iconPath = new vscode.ThemeIcon('plug', e.loaded ? undefined : new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.description = endpointDescription(e);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${e.name}**${e.default ? ` (${vscode.l10n.t('default: /invocations')})` : ''}\n\n`);
  tooltip.appendCodeblock(e.url, 'text');
  if (e.shadow) tooltip.appendText(vscode.l10n.t('Shadow: {0} → {1}', e.shadow.model, String(e.shadow.version ?? '?')) + '\n');
  tooltip.appendText(vscode.l10n.t('{0} requests, {1} errors', e.requests, e.errors));
  item.tooltip = tooltip;
  item.contextValue = 'mlops.endpoint';
  item.accessibilityInformation = { label: `${e.name}, ${item.description}` };
  return item;
}
