import * as vscode from 'vscode';
import { checkHistograms, monitorChecks, type MonitorCheck } from '../../core/monitor';
import type { CheckDetail, DashboardData, DashboardStrings, DriftDashboardProtocol, TimelinePoint } from '../../../webview/driftDashboard/protocol';
import type { ProjectContext } from '../projectContext';
import { PanelHost } from '../webviews/panelHost';

/** Enough history for a week of checks a minute apart... thinned to what a chart can show. */
const HISTORY_LIMIT = 2000;

function strings(): DashboardStrings {
  return {
    health: { ok: vscode.l10n.t('ok'), warning: vscode.l10n.t('warning'), drift: vscode.l10n.t('drift'), 'no-data': vscode.l10n.t('no data yet') },
    noChecks: vscode.l10n.t('No check of this model was recorded yet. Serve it, send it traffic, then check its health (the editor checks every `mlops.monitoring.interval` seconds while a server runs, and `mlops monitor` records checks too).'),
    overTime: vscode.l10n.t('Drift over time'),
    driftShare: vscode.l10n.t('Share of drifted columns'),
    threshold: vscode.l10n.t('threshold'),
    score: vscode.l10n.t('score'),
    drifted: vscode.l10n.t('drifted'),
    performance: vscode.l10n.t('Performance'),
    measured: vscode.l10n.t('measured (labels)'),
    estimated: vscode.l10n.t('estimated (no labels)'),
    validation: vscode.l10n.t('validation'),
    noPerformance: vscode.l10n.t('No performance was measured or estimated yet: send feedback labels (`mlops feedback`) to measure it.'),
    check: vscode.l10n.t('Check'),
    reference: vscode.l10n.t('reference'),
    current: vscode.l10n.t('current'),
    predictions: vscode.l10n.t('Predictions'),
    rows: vscode.l10n.t('rows'),
    column: vscode.l10n.t('column'),
    test: vscode.l10n.t('test'),
    statistic: vscode.l10n.t('statistic'),
    share: vscode.l10n.t('share'),
    version: vscode.l10n.t('version'),
    window: vscode.l10n.t('window'),
    columns: vscode.l10n.t('Columns'),
    noData: vscode.l10n.t('The window of this check had no predictions.'),
    checkNow: vscode.l10n.t('Check Now'),
    retrain: vscode.l10n.t('Retrain'),
    yes: vscode.l10n.t('yes'),
    no: vscode.l10n.t('no'),
  };
}

function point(c: MonitorCheck): TimelinePoint {
  return {
    id: c.id, at: c.at, version: c.version, health: c.health, reason: c.reason, rows: c.window.rows,
    driftShare: c.report?.driftShare ?? null,
    scores: Object.fromEntries((c.report?.columns ?? []).map((col) => [col.name, { test: col.test, statistic: col.statistic, threshold: col.threshold, drift: col.drift }])),
    decay: c.decay && { metric: c.decay.metric, validation: c.decay.validation, measured: c.decay.measured, estimated: c.decay.estimated },
  };
}

function detail(c: MonitorCheck): CheckDetail {
  const histograms = checkHistograms(c);
  const predictionName = c.predictionDrift?.name;
  // checkHistograms lists the inputs, then the prediction when the check has one
  const prediction = predictionName !== undefined ? histograms.at(-1) ?? null : null;
  return {
    id: c.id, at: c.at, version: c.version, health: c.health, reason: c.reason, window: c.window, reference: c.reference,
    columns: prediction ? histograms.slice(0, -1) : histograms, prediction,
  };
}

/**
 * The drift dashboard of a model: per column, the score of each recorded check against its threshold over time;
 * the share of drifted columns; measured and estimated performance; and for a chosen check, reference and current
 * histograms of each column and of the predictions. Drawn from the recorded checks only (never the log), and
 * redrawn when a new check is recorded. One panel, reused.
 */
export class DriftDashboardPanel {
  private static current: DriftDashboardPanel | undefined;
  private readonly host: PanelHost<DriftDashboardProtocol>;
  private reference = '';
  private chosen: string | undefined;
  private checks: MonitorCheck[] = [];

  /** The open dashboard, if any (the integration tests read what it shows). */
  static get open(): DriftDashboardPanel | undefined {
    return DriftDashboardPanel.current;
  }

  static async show(extensionUri: vscode.Uri, opened: ProjectContext, reference: string, actions: { checkNow: () => Promise<unknown> }): Promise<DashboardData> {
    const panel = (DriftDashboardPanel.current ??= new DriftDashboardPanel(extensionUri, opened, actions));
    if (panel.reference !== reference) panel.chosen = undefined;
    panel.reference = reference;
    panel.host.title = vscode.l10n.t('Drift: {0}', reference);
    panel.host.reveal();
    return panel.render();
  }

  /** What the page shows now. */
  data: DashboardData | undefined;

  private constructor(extensionUri: vscode.Uri, private readonly opened: ProjectContext, actions: { checkNow: () => Promise<unknown> }) {
    this.host = new PanelHost<DriftDashboardProtocol>(extensionUri, { viewType: 'mlops.driftDashboard', page: 'driftDashboard', title: vscode.l10n.t('Drift Dashboard') }, opened.output, async (message) => {
      if (message.type === 'choose') {
        const check = this.checks.find((c) => c.id === message.id);
        if (!check) return;
        this.chosen = check.id;
        this.host.post({ type: 'detail', detail: detail(check) });
      } else if (message.type === 'checkNow') {
        await actions.checkNow();
      } else {
        await vscode.commands.executeCommand('mlops.retrainModel', this.reference.split(/[@/]/)[0]);
      }
    });
    const storeChanged = opened.onDidChangeStore(() => void this.render());
    this.host.onDidDispose(() => {
      storeChanged.dispose();
      DriftDashboardPanel.current = undefined;
    });
  }

  private async render(): Promise<DashboardData> {
    const model = this.reference.split(/[@/]/)[0];
    const store = await this.opened.requireStore();
    this.checks = monitorChecks(store, { model, limit: HISTORY_LIMIT });
    const newest = this.checks[0];
    const chosen = this.checks.find((c) => c.id === this.chosen) ?? newest;
    const data: DashboardData = {
      reference: this.reference,
      model,
      timeline: this.checks.map(point).reverse(),
      columns: this.checks.find((c) => c.report)?.report?.columns.map((c) => c.name) ?? [],
      driftShareThreshold: this.checks.find((c) => c.report)?.report?.driftShareThreshold ?? null,
      detail: chosen ? detail(chosen) : null,
    };
    this.data = data;
    this.host.show({ type: 'show', data, strings: strings() });
    return data;
  }
}
