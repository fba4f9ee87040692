// The message contract of the Run Metrics panel, imported by the extension host (src/extension/runs) and the
// webview (webview/runMetrics/main.ts), so a change to one side that the other does not follow fails to compile.
// Types only: nothing of the engine is bundled into the page.
import type { PanelProtocol } from '../shared/protocol';
import type { StepRange } from '../../src/core/tracking/decimate';

export type { StepRange };

/** Words the page shows, translated by the extension (vscode.l10n) and sent once in `runs`. */
export interface PanelStrings {
  metrics: string;
  logScale: string;
  resetZoom: string;
  step: string;
  paramsAndMetrics: string;
  param: string;
  metric: string;
  differs: string;
  noRuns: string;
  noMetrics: string;
  chartLabel: string;
  pointsShown: string;
  /** Caption of a metric logged once per run, drawn as bars: `{0}` is the metric. */
  scalarLabel: string;
  /** Heading of the chart of a metric against a parameter across the runs. */
  byParam: string;
  parameter: string;
  /** `{0}` the metric, `{1}` the parameter. */
  byParamLabel: string;
}

export interface PanelRun {
  id: string;
  /** The run's name (or id): what a person calls it. */
  label: string;
  /** When it started and its short id, in the display language: tells apart runs of the same name. */
  detail: string;
  status: 'running' | 'finished' | 'failed' | 'killed';
  params: Record<string, string>;
  /** Latest value of each metric; null for NaN. */
  metrics: Record<string, number | null>;
}


export interface SeriesData {
  runId: string;
  steps: number[];
  values: number[];
  /** Points in the requested range before decimation: tells the page how much it is not drawing. */
  total: number;
}

export type HostMessage =
  /** The runs shown and their params and latest metrics; sent on open, when the selection changes and on each store change. */
  | {
    type: 'runs'; strings: PanelStrings; runs: PanelRun[]; metricKeys: string[]; chosenKeys: string[];
    /** Metrics every shown run logged at most once (an AutoML run's scores): a value per run, not a curve. */
    scalarKeys: string[];
    /** The display language, for numbers. */
    locale: string;
  }
  /** Reply to `series`: every run's points for one metric, decimated to about `maxPoints`. */
  | { type: 'series'; requestId: number; key: string; range: StepRange | null; series: SeriesData[] };

export type WebviewMessage =
  | { type: 'ready' }
  /** Points for one chart; `range` when zoomed, which the host answers at full resolution for that range. */
  | { type: 'series'; requestId: number; key: string; range: StepRange | null; maxPoints: number }
  /** The metrics the user chose to chart, remembered for the next `runs`. */
  | { type: 'chooseKeys'; keys: string[] };

export type RunMetricsProtocol = PanelProtocol<HostMessage, WebviewMessage>;
