import * as vscode from 'vscode';
import { compareProfiles, diffVersions, resolveVersion, versionProfiles, type DatasetProfile, type DatasetVersion } from '../../core/data';
import type { Project } from '../../core/workspace';
import type { ColumnView, DatasetPanelProtocol, DatasetView, Strings, TableView, VersionInfo } from '../../../webview/datasetCompare/protocol';
import { PanelHost } from '../webviews/panelHost';
import { formatDate, shortDigest } from './datasetsTree';

export const DATASET_PANEL_VIEW_TYPE = 'mlops.datasetCompare';

/**
 * Hosts the dataset panel: one version's profile, or two versions compared. The content is computed once when the
 * panel opens (profiles are immutable objects in the cache) and sent again whenever the webview asks for it.
 */
export class DatasetPanels implements vscode.Disposable {
  private readonly open = new Map<string, PanelHost<DatasetPanelProtocol>>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly output: vscode.LogOutputChannel) {}

  async showProfile(project: Project, dataset: string, id: number): Promise<vscode.WebviewPanel> {
    const title = vscode.l10n.t('{0} v{1}: profile', dataset, id);
    return this.show(`${project.paths.root}|${dataset}@${id}`, title, await profileView(project, dataset, id));
  }

  async showCompare(project: Project, dataset: string, from: number, to: number): Promise<vscode.WebviewPanel> {
    const title = vscode.l10n.t('{0}: v{1} ↔ v{2}', dataset, from, to);
    return this.show(`${project.paths.root}|${dataset}@${from}|${to}`, title, await compareView(project, dataset, from, to));
  }

  private show(key: string, title: string, view: DatasetView): vscode.WebviewPanel {
    const existing = this.open.get(key);
    if (existing) {
      existing.reveal();
      return existing.panel;
    }
    const host = new PanelHost<DatasetPanelProtocol>(this.extensionUri, { viewType: DATASET_PANEL_VIEW_TYPE, page: 'datasetCompare', title }, this.output);
    host.show({ type: 'show', title, view, strings: webviewStrings(), locale: vscode.env.language });
    this.open.set(key, host);
    host.onDidDispose(() => this.open.delete(key));
    return host.panel;
  }

  dispose(): void {
    for (const host of this.open.values()) host.dispose();
  }
}

async function profileView(project: Project, dataset: string, id: number): Promise<DatasetView> {
  const { pointer, version } = resolveVersion(project, `${dataset}@${id}`);
  const profiles = versionProfiles(project, version) ?? new Map<string, DatasetProfile>();
  return {
    dataset,
    path: pointer.path,
    versions: [versionInfo(version)],
    tables: [...profiles].map(([path, p]) => ({ path, rows: [p.rows], columns: p.columns.map((c) => ({ name: c.name, profiles: [c] })) })),
  };
}

async function compareView(project: Project, dataset: string, from: number, to: number): Promise<DatasetView> {
  const a = resolveVersion(project, `${dataset}@${from}`);
  const b = resolveVersion(project, `${dataset}@${to}`);
  const diff = await diffVersions(project, `${dataset}@${from}`, `${dataset}@${to}`);
  const before = versionProfiles(project, a.version) ?? new Map<string, DatasetProfile>();
  const after = versionProfiles(project, b.version) ?? new Map<string, DatasetProfile>();
  // Inside a folder, only the tables that changed are worth a look; a file dataset has its one table.
  const unchanged = new Set(diff.files ? [...before.keys()].filter((p) => after.has(p) && !diff.files!.modified.includes(p)) : []);
  const paths = [...new Set([...after.keys(), ...before.keys()])].filter((p) => !unchanged.has(p));
  const tables = paths.map((path): TableView => {
    const pa = before.get(path);
    const pb = after.get(path);
    return {
      path,
      rows: [pa?.rows ?? null, pb?.rows ?? null],
      columns: pairColumns(pa, pb),
      ...(pa && pb ? { diff: path === '' && diff.table ? diff.table : diff.tables?.[path] ?? compareProfiles(pa, pb) } : {}),
    };
  });
  return {
    dataset,
    path: b.pointer.path,
    versions: [versionInfo(a.version), versionInfo(b.version)],
    identical: diff.identical,
    ...(diff.files ? { files: diff.files } : {}),
    tables,
  };
}

/** Columns of both versions, in the newer version's order, then those it dropped. */
function pairColumns(a: DatasetProfile | undefined, b: DatasetProfile | undefined): ColumnView[] {
  const before = new Map((a?.columns ?? []).map((c) => [c.name, c]));
  const after = new Map((b?.columns ?? []).map((c) => [c.name, c]));
  const names = [...new Set([...after.keys(), ...before.keys()])];
  return names.map((name) => ({ name, profiles: [before.get(name) ?? null, after.get(name) ?? null] }));
}

function versionInfo(v: DatasetVersion): VersionInfo {
  return {
    id: v.id,
    created: formatDate(v.created),
    digest: shortDigest(v.digest),
    ...(v.message ? { message: v.message } : {}),
    ...(v.rows !== undefined ? { rows: v.rows } : {}),
    ...(v.columns !== undefined ? { columns: v.columns } : {}),
    ...(v.commit ? { commit: v.commit.slice(0, 7) } : {}),
  };
}

function webviewStrings(): Strings {
  return {
    versions: vscode.l10n.t('Versions'),
    version: vscode.l10n.t('Version'),
    created: vscode.l10n.t('Created'),
    message: vscode.l10n.t('Message'),
    rows: vscode.l10n.t('Rows'),
    digest: vscode.l10n.t('Digest'),
    commit: vscode.l10n.t('Commit'),
    identical: vscode.l10n.t('The two versions hold the same data.'),
    files: vscode.l10n.t('Files'),
    added: vscode.l10n.t('Added'),
    removed: vscode.l10n.t('Removed'),
    modified: vscode.l10n.t('Modified'),
    schema: vscode.l10n.t('Schema changes'),
    change: vscode.l10n.t('Change'),
    noSchemaChange: vscode.l10n.t('No column was added, removed or retyped.'),
    columnAdded: vscode.l10n.t('Column added'),
    columnRemoved: vscode.l10n.t('Column removed'),
    typeChanged: vscode.l10n.t('Type changed'),
    rowCount: vscode.l10n.t('Row count'),
    statistics: vscode.l10n.t('Column statistics'),
    column: vscode.l10n.t('Column'),
    type: vscode.l10n.t('Type'),
    values: vscode.l10n.t('Values'),
    nulls: vscode.l10n.t('Nulls'),
    distinct: vscode.l10n.t('Distinct'),
    min: vscode.l10n.t('Min'),
    max: vscode.l10n.t('Max'),
    mean: vscode.l10n.t('Mean'),
    std: vscode.l10n.t('Std. dev.'),
    median: vscode.l10n.t('Median'),
    distributions: vscode.l10n.t('Distributions'),
    histogramOf: vscode.l10n.t('Histogram of {0}'),
    otherValues: vscode.l10n.t('(other values)'),
    noHistogram: vscode.l10n.t('No values to chart.'),
    sharedAxis: vscode.l10n.t('The versions were binned differently: their counts are spread over shared bins, assuming values are even within a bin.'),
    notTabular: vscode.l10n.t('This version holds no CSV, TSV or JSON lines file, so it has no profile.'),
    absent: vscode.l10n.t('absent'),
    table: vscode.l10n.t('Table {0}'),
    count: vscode.l10n.t('Count'),
  };
}
