import * as vscode from 'vscode';
import { diffVersions, type VersionDiff } from '../../core/data';
import { describeError } from '../../core/errors';
import type { ModelVersion } from '../../core/registry';
import type { Project } from '../../core/workspace';
import type { CompareData, CompareRow, CompareSide, CompareStrings, ModelCompareProtocol } from '../../../webview/modelCompare/protocol';
import type { DiffStrings } from '../../../webview/shared/diffTables';
import { PanelHost } from '../webviews/panelHost';

// Scores to 6 significant digits: two runs' 0.9533333333333335 and 0.9533333333333334 are the same score. Written
// in the display language, with its digit grouping: 2,922 rather than 2922.
const text = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : typeof v === 'number' ? numbers().format(v) : JSON.stringify(v);

function numbers(): Intl.NumberFormat {
  return new Intl.NumberFormat(vscode.env.language, { maximumSignificantDigits: 6 });
}

function rows(first: object | null, second: object | null): CompareRow[] {
  const a: Record<string, unknown> = { ...first };
  const b: Record<string, unknown> = { ...second };
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().map((key) => ({ key, a: text(a[key]), b: text(b[key]) }));
}

function side(v: ModelVersion): CompareSide {
  const d = v.lineage.dataset;
  return {
    version: v.version, aliases: v.aliases, archived: v.archived, created: v.created, family: v.artifact.family,
    run: v.lineage.run, commit: v.lineage.commit, data: d ? `${d.name}@${d.version}` : null,
  };
}

function inputsOf(v: ModelVersion): Record<string, string> {
  return Object.fromEntries(v.signature.inputs.map((i) => [i.name, i.categories ? `${i.type} (${i.categories.length})` : i.type]));
}

/** The two versions' training data compared with the data engine's diff (profiles only: instant). */
export async function dataDiff(project: Project, a: ModelVersion, b: ModelVersion): Promise<{ diff: VersionDiff } | { note: string }> {
  const da = a.lineage.dataset;
  const db = b.lineage.dataset;
  if (!da || !db) return { note: vscode.l10n.t('A version has no recorded training data.') };
  if (da.name !== db.name) return { note: vscode.l10n.t('The versions were trained on different datasets ({0} and {1}).', da.name, db.name) };
  try {
    const ref = (d: typeof da) => `${d.name}@${d.digest ?? d.version}`;
    return { diff: await diffVersions(project, ref(da), ref(db)) };
  } catch (err) {
    return { note: describeError(err) };
  }
}

/** The words of the shared diff tables (webview/shared/diffTables.ts). */
export function diffStrings(): DiffStrings {
  return {
    rows: vscode.l10n.t('rows'),
    addedColumns: vscode.l10n.t('columns added'),
    removedColumns: vscode.l10n.t('columns removed'),
    typeChanged: vscode.l10n.t('type changed'),
    column: vscode.l10n.t('column'),
    statistic: vscode.l10n.t('statistic'),
    differs: vscode.l10n.t('differs'),
    none: vscode.l10n.t('none'),
  };
}

function strings(): CompareStrings {
  return {
    title: vscode.l10n.t('Compare Model Versions'),
    version: vscode.l10n.t('version'),
    registered: vscode.l10n.t('registered'),
    family: vscode.l10n.t('family'),
    run: vscode.l10n.t('run'),
    commit: vscode.l10n.t('commit'),
    data: vscode.l10n.t('data'),
    metrics: vscode.l10n.t('Metrics'),
    params: vscode.l10n.t('Parameters'),
    trainingConfig: vscode.l10n.t('Training configuration'),
    inputs: vscode.l10n.t('Inputs'),
    dataDiff: vscode.l10n.t('Training data'),
    identicalData: vscode.l10n.t('Both versions were trained on the same data.'),
    ...diffStrings(),
    archived: vscode.l10n.t('archived'),
  };
}

/**
 * The "Compare Model Versions" panel: metrics, params, training configuration and inputs of two versions side by
 * side, and how their training data differs. One panel, reused: comparing again replaces what it shows.
 */
export class CompareVersionsPanel {
  private static current: CompareVersionsPanel | undefined;
  private readonly host: PanelHost<ModelCompareProtocol>;

  static async show(extensionUri: vscode.Uri, output: vscode.LogOutputChannel, project: Project, a: ModelVersion, b: ModelVersion): Promise<void> {
    const [first, second] = a.version <= b.version ? [a, b] : [b, a];
    const panel = (CompareVersionsPanel.current ??= new CompareVersionsPanel(extensionUri, output));
    panel.host.title = vscode.l10n.t('{0}: {1} ↔ {2}', first.model, first.version, second.version);
    panel.host.reveal();
    const data: CompareData = {
      model: first.model,
      sides: [side(first), side(second)],
      metrics: rows(first.metrics, second.metrics),
      params: rows(first.params, second.params),
      config: rows(first.lineage.trainingConfig, second.lineage.trainingConfig),
      inputs: rows(inputsOf(first), inputsOf(second)),
      dataDiff: await dataDiff(project, first, second),
    };
    panel.host.show({ type: 'show', data, strings: strings() });
  }

  private constructor(extensionUri: vscode.Uri, output: vscode.LogOutputChannel) {
    const title = vscode.l10n.t('Compare Model Versions');
    this.host = new PanelHost<ModelCompareProtocol>(extensionUri, { viewType: 'mlops.modelCompare', page: 'modelCompare', title }, output);
    this.host.onDidDispose(() => {
      CompareVersionsPanel.current = undefined;
    });
  }
}
