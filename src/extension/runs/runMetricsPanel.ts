import * as vscode from 'vscode';
import { decimateSeries, getRun, metricSeries, runKeyMetric, type RunDetails } from '../../core/tracking';
import type { PanelRun, PanelStrings, RunMetricsProtocol, SeriesData, WebviewMessage } from '../../../webview/runMetrics/protocol';
import { PanelHost } from '../webviews/panelHost';
import { reportError } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import { formatTime, runLabel } from './runFormat';

/** Charts never get more points than this per series, however wide the panel: chart.js stays smooth with 20 runs. */
const MAX_POINTS = 2000;

/**
 * The "Run Metrics" panel: line charts of chosen metrics over steps for several runs, and a table of their params
 * and latest metrics. The page asks for each chart's points; the host decimates them (src/core/tracking/decimate.ts)
 * so only about a thousand points per run cross to the page, and a zoomed chart asks again for its range at full
 * resolution. Full series are kept here between requests; a running run's are dropped when the store changes.
 */
export class RunMetricsPanel implements vscode.Disposable {
  private static current: RunMetricsPanel | undefined;
  private readonly host: PanelHost<RunMetricsProtocol>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly series = new Map<string, { steps: Float64Array; values: Float64Array }>();
  private shown: RunDetails[] = [];
  private chosenKeys: string[] = [];

  /** Shows the panel for `runIds` (reusing the open one), charting `key` when given. */
  static show(extensionUri: vscode.Uri, project: ProjectContext, runIds: string[], key?: string): RunMetricsPanel {
    const panel = RunMetricsPanel.current ?? new RunMetricsPanel(extensionUri, project);
    RunMetricsPanel.current = panel;
    panel.host.reveal();
    void panel.setRuns(runIds, key);
    return panel;
  }

  private constructor(extensionUri: vscode.Uri, private readonly project: ProjectContext) {
    const title = vscode.l10n.t('Run Metrics');
    this.host = new PanelHost<RunMetricsProtocol>(extensionUri, { viewType: 'mlops.runMetrics', page: 'runMetrics', title }, project.output, (m) => this.receive(m));
    this.disposables.push(
      this.host.onDidDispose(() => this.dispose()),
      project.onDidChangeStore(() => void this.storeChanged()),
    );
  }

  private async setRuns(runIds: string[], key?: string): Promise<void> {
    try {
      const store = await this.project.requireStore();
      this.shown = runIds.map((id) => getRun(store, id));
      const available = new Set(this.shownKeys());
      const first = this.shown.map((r) => runKeyMetric(r.metrics, this.project.config?.training?.metric)).find((k) => k !== undefined);
      const kept = this.chosenKeys.filter((k) => available.has(k));
      this.chosenKeys = key ? [key] : kept.length ? kept : first ? [first] : [];
      this.postRuns();
    } catch (err) {
      reportError(this.project.output, err);
    }
  }

  /** Live runs log more points: forget their cached series and send the table again, which makes the page re-ask. */
  private async storeChanged(): Promise<void> {
    const store = await this.project.store().catch(() => undefined);
    if (!store) return;
    for (const run of this.shown) {
      if (run.status !== 'running') continue;
      for (const cacheKey of [...this.series.keys()]) if (cacheKey.startsWith(`${run.id}\0`)) this.series.delete(cacheKey);
    }
    this.shown = this.shown.flatMap((r) => {
      try {
        return [getRun(store, r.id)];
      } catch {
        return []; // deleted meanwhile: it leaves the panel
      }
    });
    this.postRuns();
  }

  private postRuns(): void {
    const runs: PanelRun[] = this.shown.map((r) => ({
      id: r.id, label: runLabel(r), detail: `${formatTime(r.start)} · ${r.id.slice(0, 8)}`, status: r.status, params: r.params,
      metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value])),
    }));
    const metricKeys = this.shownKeys();
    const scalarKeys = metricKeys.filter((k) => this.shown.every((r) => (r.metrics[k]?.count ?? 0) <= 1));
    this.host.show({ type: 'runs', strings: panelStrings(), runs, metricKeys, chosenKeys: this.chosenKeys, scalarKeys, locale: vscode.env.language });
  }

  private shownKeys(): string[] {
    return [...new Set(this.shown.flatMap((r) => Object.keys(r.metrics)))].sort();
  }

  private async receive(message: Exclude<WebviewMessage, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'chooseKeys':
        this.chosenKeys = message.keys;
        return;
      case 'series':
        this.host.post({ type: 'series', requestId: message.requestId, key: message.key, range: message.range, series: await this.points(message) });
        return;
    }
  }

  /** Each run's points for one metric, decimated; yields between runs so the extension host stays responsive. */
  private async points(request: Extract<WebviewMessage, { type: 'series' }>): Promise<SeriesData[]> {
    const store = await this.project.requireStore();
    const maxPoints = Math.max(2, Math.min(MAX_POINTS, Math.round(request.maxPoints)));
    const out: SeriesData[] = [];
    for (const run of this.shown) {
      const cacheKey = `${run.id}\0${request.key}`;
      let full = this.series.get(cacheKey);
      if (!full) {
        const { steps, values } = metricSeries(store, run.id, request.key);
        full = { steps, values };
        this.series.set(cacheKey, full);
      }
      const d = decimateSeries(full.steps, full.values, maxPoints, request.range ?? undefined);
      out.push({ runId: run.id, steps: d.steps, values: d.values, total: d.total });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  dispose(): void {
    if (RunMetricsPanel.current === this) RunMetricsPanel.current = undefined;
    this.series.clear();
    for (const d of this.disposables) d.dispose();
    this.host.dispose();
  }
}

function panelStrings(): PanelStrings {
  return {
    metrics: vscode.l10n.t('Metrics'),
    logScale: vscode.l10n.t('Logarithmic scale'),
    resetZoom: vscode.l10n.t('Reset zoom'),
    step: vscode.l10n.t('step'),
    paramsAndMetrics: vscode.l10n.t('Params and latest metrics'),
    param: vscode.l10n.t('param'),
    metric: vscode.l10n.t('metric'),
    differs: vscode.l10n.t('differs between runs'),
    noRuns: vscode.l10n.t('No run is selected. Select runs in the Runs view and choose "Compare Runs".'),
    noMetrics: vscode.l10n.t('These runs logged no metric.'),
    chartLabel: vscode.l10n.t('{0} over steps, one line per run'),
    pointsShown: vscode.l10n.t('{0} of {1} points drawn'),
    scalarLabel: vscode.l10n.t('{0}, one value per run'),
    byParam: vscode.l10n.t('A metric against a parameter'),
    parameter: vscode.l10n.t('Parameter'),
    byParamLabel: vscode.l10n.t('{0} against {1}, one point per run'),
  };
}
