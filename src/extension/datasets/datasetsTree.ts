import * as path from 'node:path';
import * as vscode from 'vscode';
import { listDatasets, listVersions, versionProfiles, type ColumnProfile, type DatasetProfile, type DatasetSummary, type DatasetVersion } from '../../core/data';
import { describeError } from '../../core/errors';
import type { ProjectContext } from '../projectContext';
import { datasetRowUri } from './changedDataDecorations';

/** What the Datasets view shows, from the engine's records; commands receive these as their arguments. */
export type DatasetNode =
  | { kind: 'dataset'; summary: DatasetSummary }
  | { kind: 'version'; dataset: string; path: string; version: DatasetVersion }
  | { kind: 'file'; dataset: string; version: number; path: string; profile: DatasetProfile }
  | { kind: 'column'; id: string; column: ColumnProfile }
  | { kind: 'problem'; message: string };

export type VersionNode = Extract<DatasetNode, { kind: 'version' }>;

/**
 * Datasets (declared in mlops.yaml or snapshotted), their versions newest first, and the columns of each version's
 * profile. Everything is read again on refresh: pointer files are small and git can swap them under us.
 */
export class DatasetsTree implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly project: ProjectContext) {
    this.subscription = project.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(parent?: DatasetNode): DatasetNode[] {
    const project = this.project.project;
    if (!project) return [];
    try {
      if (!parent) return listDatasets(project).map((summary) => ({ kind: 'dataset', summary }));
      if (parent.kind === 'dataset') {
        if (parent.summary.versions === 0) return [];
        const { name, path } = parent.summary;
        return listVersions(project, name).slice().reverse().map((version) => ({ kind: 'version', dataset: name, path, version }));
      }
      if (parent.kind === 'version') {
        const profiles = versionProfiles(project, parent.version);
        if (!profiles) return [];
        const single = profiles.size === 1 ? profiles.get('') : undefined;
        if (single) return columnNodes(`${parent.dataset}@${parent.version.id}`, single);
        return [...profiles].map(([path, profile]) => ({ kind: 'file', dataset: parent.dataset, version: parent.version.id, path, profile }));
      }
      if (parent.kind === 'file') return columnNodes(`${parent.dataset}@${parent.version}:${parent.path}`, parent.profile);
      return [];
    } catch (err) {
      // A pointer file broken by a bad merge must not empty the view silently: say what is wrong where the data was.
      this.project.output.warn(describeError(err));
      return [{ kind: 'problem', message: describeError(err) }];
    }
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    switch (node.kind) {
      case 'dataset':
        return datasetItem(node.summary, this.project.root);
      case 'version':
        return versionItem(node);
      case 'file': {
        const item = new vscode.TreeItem(node.path, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `file:${node.dataset}@${node.version}:${node.path}`;
        item.description = vscode.l10n.t('{0} rows', formatNumber(node.profile.rows));
        item.iconPath = new vscode.ThemeIcon('file');
        return item;
      }
      case 'column':
        return columnItem(node);
      case 'problem': {
        const item = new vscode.TreeItem(node.message.split('\n')[0], vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function columnNodes(parentId: string, profile: DatasetProfile): DatasetNode[] {
  return profile.columns.map((column) => ({ kind: 'column', id: `${parentId}:${column.name}`, column }));
}

function datasetItem(summary: DatasetSummary, root: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(summary.name, summary.versions ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `dataset:${summary.name}`;
  const count = summary.versions === 0 ? vscode.l10n.t('not snapshotted yet')
    : summary.versions === 1 ? vscode.l10n.t('1 version') : vscode.l10n.t('{0} versions', summary.versions);
  item.description = `${summary.path} · ${count}`;
  item.tooltip = [summary.path, summary.description, count].filter(Boolean).join('\n');
  item.iconPath = new vscode.ThemeIcon('database');
  item.contextValue = summary.versions ? 'mlops.dataset.versioned' : 'mlops.dataset';
  // Lets the "changed since snapshot" decoration show on the dataset too (datasetRowUri says why not the file's URI).
  if (root) item.resourceUri = datasetRowUri(path.resolve(root, summary.path));
  return item;
}

function versionItem(node: VersionNode): vscode.TreeItem {
  const v = node.version;
  const item = new vscode.TreeItem(`v${v.id}`, v.profile ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `version:${node.dataset}@${v.id}`;
  const parts = [formatDate(v.created), v.message, v.rows !== undefined ? vscode.l10n.t('{0} rows', formatNumber(v.rows)) : undefined, shortDigest(v.digest),
    v.commit ? vscode.l10n.t('commit {0}', v.commit.slice(0, 7)) : undefined];
  item.description = parts.filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${node.dataset}@${v.id}**\n\n`);
  if (v.message) tooltip.appendText(v.message + '\n\n');
  tooltip.appendText([
    vscode.l10n.t('Created: {0}', formatDate(v.created)),
    v.rows !== undefined ? vscode.l10n.t('Rows: {0}, columns: {1}', formatNumber(v.rows), v.columns ?? 0) : vscode.l10n.t('Files: {0}', v.files),
    vscode.l10n.t('Digest: {0}', v.digest),
    v.commit ? vscode.l10n.t('Commit: {0}', v.commit) : vscode.l10n.t('Commit: none (not in a git repository then)'),
  ].join('\n'));
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon('versions');
  item.contextValue = v.profile ? 'mlops.datasetVersion.profiled' : 'mlops.datasetVersion';
  return item;
}

const TYPE_ICONS: Record<ColumnProfile['type'], string> = {
  integer: 'symbol-number', float: 'symbol-number', boolean: 'symbol-boolean', datetime: 'calendar', string: 'symbol-string', empty: 'circle-slash',
};

function columnItem(node: Extract<DatasetNode, { kind: 'column' }>): vscode.TreeItem {
  const c = node.column;
  const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
  item.id = `column:${node.id}`;
  const range = c.type === 'string' || c.type === 'boolean'
    ? (c.top[0] ? vscode.l10n.t('top {0} ({1})', String(c.top[0].value), formatNumber(c.top[0].count)) : undefined)
    : c.min !== undefined ? `${formatValue(c.min)} – ${formatValue(c.max)}` : undefined;
  item.description = [c.type, vscode.l10n.t('{0} nulls', formatNumber(c.nulls)), vscode.l10n.t('{0} distinct', formatNumber(c.distinct)), range].filter(Boolean).join(' · ');
  item.tooltip = [
    `${c.name} (${c.type})`,
    vscode.l10n.t('Values: {0}, nulls: {1}, distinct: {2}', formatNumber(c.count), formatNumber(c.nulls), formatNumber(c.distinct)),
    c.min !== undefined ? vscode.l10n.t('Min: {0}, max: {1}', formatValue(c.min), formatValue(c.max)) : undefined,
    c.mean !== undefined ? vscode.l10n.t('Mean: {0}, standard deviation: {1}', formatValue(c.mean), formatValue(c.std)) : undefined,
  ].filter(Boolean).join('\n');
  item.iconPath = new vscode.ThemeIcon(TYPE_ICONS[c.type]);
  item.contextValue = 'mlops.datasetColumn';
  return item;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 8);
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(vscode.env.language, { dateStyle: 'short', timeStyle: 'short' });
}

function formatNumber(n: number): string {
  return n.toLocaleString(vscode.env.language);
}

/** How profiles write datetimes: ISO 8601 in UTC. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A statistic for people, in the display language: a datetime at midnight UTC reads as its day. */
function formatValue(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString(vscode.env.language, { maximumSignificantDigits: 6 });
  const text = String(value);
  if (!ISO_INSTANT.test(text)) return text;
  const midnight = /T00:00:00(\.0+)?Z$/.test(text);
  return new Date(text).toLocaleString(vscode.env.language, { dateStyle: 'medium', ...(midnight ? {} : { timeStyle: 'short' }), timeZone: 'UTC' });
}
