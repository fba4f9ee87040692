// The message contract of the drift dashboard, imported by the extension host (src/extension/monitoring) and the
// page (webview/driftDashboard/main.ts). Types only.
import type { PanelProtocol } from '../shared/protocol';
import type { CheckHistogram, ModelHealth } from '../../src/core/monitor';

/** Words the page shows, translated by the extension and sent with the data. */
export interface DashboardStrings {
  health: Record<ModelHealth, string>;
  noChecks: string;
  overTime: string;
  driftShare: string;
  threshold: string;
  score: string;
  drifted: string;
  performance: string;
  measured: string;
  estimated: string;
  validation: string;
  noPerformance: string;
  check: string;
  reference: string;
  current: string;
  predictions: string;
  rows: string;
  column: string;
  test: string;
  statistic: string;
  share: string;
  version: string;
  window: string;
  columns: string;
  noData: string;
  checkNow: string;
  retrain: string;
  yes: string;
  no: string;
}

/** One recorded check, as the charts over time need it. */
export interface TimelinePoint {
  id: string;
  at: string;
  version: number;
  health: ModelHealth;
  reason: string;
  rows: number;
  /** Drifted columns over compared columns; null when the window had no data. */
  driftShare: number | null;
  /** Per input column: the test's score and its threshold. */
  scores: Record<string, { test: string; statistic: number; threshold: number; drift: boolean }>;
  decay: { metric: string; validation: number | null; measured: number | null; estimated: number | null } | null;
}

/** One check in full: its histograms (counts) for the side-by-side charts. */
export interface CheckDetail {
  id: string;
  at: string;
  version: number;
  health: ModelHealth;
  reason: string;
  window: { from: string | null; to: string | null; rows: number };
  reference: { dataset: string; version: number; rows: number } | null;
  columns: CheckHistogram[];
  prediction: CheckHistogram | null;
}

export interface DashboardData {
  /** What the dashboard follows: `weather@champion`, `weather`. */
  reference: string;
  model: string;
  /** Oldest first. */
  timeline: TimelinePoint[];
  /** Input columns, in the order of the newest check. */
  columns: string[];
  /** The share of drifted columns at which the dataset drifts (the newest check's). */
  driftShareThreshold: number | null;
  /** The check chosen (the newest by default). */
  detail: CheckDetail | null;
}

export type HostMessage =
  | { type: 'show'; data: DashboardData; strings: DashboardStrings }
  | { type: 'detail'; detail: CheckDetail };
export type WebviewMessage =
  | { type: 'choose'; id: string }
  | { type: 'checkNow' }
  | { type: 'retrain' };

export type DriftDashboardProtocol = PanelProtocol<HostMessage, WebviewMessage>;
