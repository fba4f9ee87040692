import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { MetadataStore } from '../../core/store';
import { getRun, listExperiments, listRuns, runKeyMetric, trialCounts, type RunDetails, type RunStatus, type RunSummary } from '../../core/tracking';
import type { ProjectContext } from '../projectContext';
import { formatDuration, formatMetric, formatSize, formatTime, runLabel, statusLabel } from './runFormat';

type Section = 'params' | 'metrics' | 'artifacts' | 'inputs';

/** What the Runs view shows; the context menus' commands receive these. */
export type RunsNode =
  | { kind: 'experiment'; name: string; runs: number }
  | { kind: 'run'; run: RunSummary }
  | { kind: 'section'; runId: string; section: Section; count: number }
  | { kind: 'children'; runId: string; automl: boolean; count: number; stopped: number }
  | EntryNode
  | { kind: 'message'; text: string; detail?: string };

export interface EntryNode {
  kind: 'entry';
  runId: string;
  section: Section;
  key: string;
  item: vscode.TreeItem;
}

const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  finished: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  killed: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

/**
 * The Runs view: experiments (latest activity first), their runs (newest first) with status, duration and key
 * metric, and under each run its params, latest metrics, artifacts and inputs. Run details are read once per store
 * change and shared by the descriptions, tooltips and children.
 */
export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private details = new Map<string, RunDetails>();
  /** Child runs (AutoML trials, nested `mlops run`s) by parent id, filled when an experiment is listed. */
  private childRuns = new Map<string, RunSummary[]>();

  constructor(private readonly project: ProjectContext) {
    // mlops.yaml can name another training metric, which changes every run's description.
    this.subscriptions = [project.onDidChangeStore(() => this.refresh()), project.onDidChange(() => this.refresh())];
  }

  async getChildren(parent?: RunsNode): Promise<RunsNode[]> {
    let store: MetadataStore | undefined;
    try {
      store = await this.project.store();
    } catch (err) {
      return parent ? [] : [{ kind: 'message', text: vscode.l10n.t('The run history cannot be read.'), detail: describeError(err) }];
    }
    if (!store) return [];
    if (!parent) {
      // An experiment counts the runs it lists, not the AutoML trials beneath them.
      return listExperiments(store)
        .filter((e) => e.runs > 0)
        .sort((a, b) => (b.lastStart ?? 0) - (a.lastStart ?? 0))
        .map((e) => ({ kind: 'experiment', name: e.name, runs: topLevel(listRuns(store, e.name)).length }));
    }
    if (parent.kind === 'experiment') {
      const runs = listRuns(store, parent.name);
      const top = topLevel(runs);
      const shown = new Set(top);
      for (const run of runs) {
        if (shown.has(run)) continue;
        const siblings = this.childRuns.get(run.parentId!) ?? [];
        siblings.push(run);
        this.childRuns.set(run.parentId!, siblings);
      }
      return this.runNodes(store, top);
    }
    if (parent.kind === 'run') {
      const children = this.childRuns.get(parent.run.id) ?? [];
      const sections: RunsNode[] = this.sections(store, parent.run.id);
      if (children.length) {
        const automl = this.cached(store, parent.run.id).tags['mlops.kind'] === 'automl';
        // Counted as the leaderboard counts trials: the one the budget cut off is listed, but said apart.
        const count = trialCounts(children).get(parent.run.id) ?? 0;
        sections.push({ kind: 'children', runId: parent.run.id, automl, count, stopped: children.length - count });
      }
      return sections;
    }
    if (parent.kind === 'children') return this.runNodes(store, this.childRuns.get(parent.runId) ?? []);
    if (parent.kind === 'section') return this.entries(store, parent.runId, parent.section);
    return [];
  }

  private runNodes(store: MetadataStore, runs: RunSummary[]): RunsNode[] {
    // Descriptions need each run's latest metrics; reading them here keeps getTreeItem synchronous.
    for (const run of runs) this.cached(store, run.id);
    return runs.map((run) => ({ kind: 'run', run }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'experiment': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `experiment:${node.name}`;
        item.description = node.runs === 1 ? vscode.l10n.t('1 run') : vscode.l10n.t('{0} runs', node.runs);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'mlops.experiment';
        return item;
      }
      case 'run':
        return this.runItem(node.run);
      case 'section': {
        const titles: Record<Section, string> = {
          params: vscode.l10n.t('Params'), metrics: vscode.l10n.t('Metrics'), artifacts: vscode.l10n.t('Artifacts'), inputs: vscode.l10n.t('Inputs'),
        };
        const icons: Record<Section, string> = { params: 'symbol-parameter', metrics: 'graph-line', artifacts: 'file-binary', inputs: 'references' };
        const item = new vscode.TreeItem(titles[node.section], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.runId}/${node.section}`;
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon(icons[node.section]);
        item.contextValue = `mlops.runSection.${node.section}`;
        return item;
      }
      case 'children': {
        const item = new vscode.TreeItem(node.automl ? vscode.l10n.t('Trials') : vscode.l10n.t('Child runs'), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.runId}/children`;
        item.description = node.stopped ? vscode.l10n.t('{0} · {1} stopped', node.count, node.stopped) : String(node.count);
        item.iconPath = new vscode.ThemeIcon('list-tree');
        item.contextValue = 'mlops.runChildren';
        return item;
      }
      case 'entry':
        return node.item;
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.command = { command: 'mlops.showOutput', title: vscode.l10n.t('Show Log') };
        return item;
      }
    }
  }

  /** The details of a run, read once per store change. */
  async run(runId: string): Promise<RunDetails | undefined> {
    const store = await this.project.store();
    return store && this.cached(store, runId);
  }

  private cached(store: MetadataStore, runId: string): RunDetails {
    let details = this.details.get(runId);
    if (!details) {
      details = getRun(store, runId);
      this.details.set(runId, details);
    }
    return details;
  }

  private runItem(run: RunSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${run.id}`;
    item.iconPath = STATUS_ICONS[run.status];
    const details = this.details.get(run.id);
    // AutoML runs offer their leaderboard and registration: a run is `mlops.run` or `mlops.run.automl`.
    item.contextValue = details?.tags['mlops.kind'] === 'automl' ? 'mlops.run.automl' : 'mlops.run';
    const key = details && runKeyMetric(details.metrics, this.project.config?.training?.metric);
    const parts = [formatDuration(run)];
    if (details && key) parts.unshift(`${key} ${formatMetric(details.metrics[key].value)}`);
    item.description = parts.join(' · ');
    item.accessibilityInformation = { label: `${runLabel(run)}, ${statusLabel(run.status)}, ${item.description}` };
    if (details) item.tooltip = runTooltip(details);
    return item;
  }

  private sections(store: MetadataStore, runId: string): RunsNode[] {
    const d = this.cached(store, runId);
    const counts: [Section, number][] = [
      ['params', Object.keys(d.params).length], ['metrics', Object.keys(d.metrics).length],
      ['artifacts', d.artifacts.length], ['inputs', d.inputs.length],
    ];
    return counts.filter(([, n]) => n > 0).map(([section, count]) => ({ kind: 'section', runId, section, count }));
  }

  private entries(store: MetadataStore, runId: string, section: Section): RunsNode[] {
    const d = this.cached(store, runId);
    const entry = (key: string, label: string, description: string, icon: string, tooltip?: string): EntryNode => {
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = `run:${runId}/${section}/${key}`;
      item.description = description;
      item.tooltip = tooltip;
      item.iconPath = new vscode.ThemeIcon(icon);
      item.contextValue = `mlops.runEntry.${section}`;
      return { kind: 'entry', runId, section, key, item };
    };
    switch (section) {
      case 'params':
        return Object.entries(d.params).map(([k, v]) => entry(k, k, v, 'symbol-parameter', `${k} = ${v}`));
      case 'metrics':
        return Object.entries(d.metrics).map(([k, m]) => {
          const node = entry(k, k, vscode.l10n.t('{0} at step {1}', formatMetric(m.value), m.step), 'graph-line',
            vscode.l10n.t('{0} = {1} at step {2} ({3} points)', k, String(m.value ?? 'NaN'), m.step, m.count));
          node.item.command = { command: 'mlops.showRunMetrics', title: vscode.l10n.t('Show Run Metrics'), arguments: [node] };
          return node;
        });
      case 'artifacts':
        return d.artifacts.map((a) => {
          const node = entry(a.path, a.path, a.size === null ? '' : formatSize(a.size), 'file', a.sha256 ? `sha256 ${a.sha256}` : undefined);
          const file = path.resolve(store.paths.root, a.path);
          if (fs.existsSync(file)) {
            node.item.resourceUri = vscode.Uri.file(file);
            node.item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [node.item.resourceUri] };
          }
          return node;
        });
      case 'inputs':
        return d.inputs.map((i) => entry(`${i.kind}/${i.name}/${i.version}`, i.name, `${i.kind} ${i.version}`, 'references', i.digest ?? undefined));
    }
  }

  refresh(): void {
    this.details = new Map();
    this.childRuns = new Map();
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}

function runTooltip(d: RunDetails): vscode.MarkdownString {
  const lines = [
    `**${escape(runLabel(d))}** \`${d.id}\``,
    '',
    vscode.l10n.t('Status: {0}', statusLabel(d.status)) +
      (d.exitCode !== null ? ` (${vscode.l10n.t('exit code {0}', d.exitCode)})` : d.signal ? ` (${d.signal})` : ''),
    vscode.l10n.t('Started: {0}', formatTime(d.start)),
    vscode.l10n.t('Duration: {0}', formatDuration(d)),
  ];
  if (d.git) {
    const dirty = d.git.dirty ? ` (${vscode.l10n.t('uncommitted changes')})` : '';
    lines.push(vscode.l10n.t('Git commit: {0}', `\`${d.git.commit.slice(0, 12)}\`${dirty}`));
  }
  const seeds = Object.entries(d.seeds);
  if (seeds.length) lines.push(vscode.l10n.t('Seed: {0}', seeds.map(([k, v]) => `${escape(k)}=${escape(v)}`).join(', ')));
  if (d.command) lines.push(vscode.l10n.t('Command: {0}', `\`${(JSON.parse(d.command) as string[]).join(' ').replace(/`/g, "'")}\``));
  // Two trailing spaces: Markdown line breaks, so each fact keeps its own line.
  return new vscode.MarkdownString(lines.join('  \n'));
}

/** Names and values come from the workspace: shown as text, never as Markdown or links. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * The runs an experiment lists: a run whose parent is in the same experiment is listed under it, so an AutoML run
 * shows its trials beneath it instead of burying the experiment under dozens of trials.
 */
function topLevel(runs: RunSummary[]): RunSummary[] {
  const ids = new Set(runs.map((r) => r.id));
  return runs.filter((r) => !r.parentId || !ids.has(r.parentId));
}
