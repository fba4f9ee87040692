import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { cardFile, keyMetric, listModels, modelHistory, type HistoryEvent, type ModelSummary, type ModelVersion } from '../../core/registry';
import { projectPaths } from '../../core/workspace';
import type { ProjectContext } from '../projectContext';

/** What the Models view shows; its commands receive these. */
export type ModelsNode =
  | { kind: 'model'; model: ModelSummary }
  | { kind: 'version'; version: ModelVersion }
  | { kind: 'lineage'; what: 'run' | 'data' | 'commit' | 'card'; version: ModelVersion }
  | { kind: 'message'; text: string; detail?: string; warning?: boolean }
  | { kind: 'history'; model: string; events: HistoryEvent[] }
  | { kind: 'event'; model: string; event: HistoryEvent };

/** Registry files change in bursts (a registration writes several): one refresh per burst. */
const DEBOUNCE_MS = 200;

/**
 * The Models view: each registered model, its versions newest first (alias badges, key metric, date), and under a
 * version where it came from: the run, the data version, the commit, and its model card. Read from the text files
 * under .mlops/models, watched, so a `git pull` or a terminal's `mlops alias set` shows up at once.
 */
export class ModelsTree implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: { root: string; watcher: vscode.FileSystemWatcher } | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** The last listing, for commands that need the models without walking the tree (the integration tests too). */
  models: ModelSummary[] = [];

  constructor(private readonly project: ProjectContext) {
    this.disposables.push(project.onDidChange(() => this.followProject()));
    this.followProject();
  }

  refresh(): void {
    clearTimeout(this.debounce);
    this.debounce = undefined;
    this.changed.fire();
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
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
      return this.models.map((model) => ({ kind: 'model', model }));
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
    return undefined;
  }

  private followProject(): void {
    const root = this.project.root;
    if (this.watcher?.root !== root) {
      this.watcher?.watcher.dispose();
      this.watcher = undefined;
      if (root) {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '.mlops/models/**'));
        const later = () => {
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.refresh(), DEBOUNCE_MS);
        };
        watcher.onDidCreate(later);
        watcher.onDidChange(later);
        watcher.onDidDelete(later);
        this.watcher = { root, watcher };
      }
    }
    this.refresh();
  }

  dispose(): void {
    clearTimeout(this.debounce);
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
