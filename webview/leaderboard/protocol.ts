// The message contract of the AutoML Leaderboard panel, imported by the extension host (src/extension/training) and
// the page (webview/leaderboard/main.ts): a change one side does not follow fails to compile. Types only.
import type { PanelProtocol } from '../shared/protocol';

/** Words the page shows, translated by the extension (vscode.l10n) and sent with the data. */
export interface LeaderboardStrings {
  heading: string;
  summary: string;
  elapsed: string;
  trial: string;
  family: string;
  score: string;
  rows: string;
  fitSeconds: string;
  params: string;
  status: string;
  best: string;
  failed: string;
  chartLabel: string;
  tableLabel: string;
  columns: string;
  evaluation: string;
  perClass: string;
  classLabel: string;
  precision: string;
  recall: string;
  f1: string;
  support: string;
  confusion: string;
  truthByPredicted: string;
  residuals: string;
}

/** How far to believe the best model, as the host worded it (absent for runs from before evaluations). */
export interface LeaderboardEvaluation {
  /** Score against baseline, and the time holdout when there is one. */
  lines: string[];
  /** Non-empty when the score does not beat the baseline. */
  warnings: string[];
  classes?: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** counts[truth][predicted], in `classes` order. */
  confusion?: number[][];
  residuals?: [string, number][];
}

export interface LeaderboardRow {
  trial: number;
  runId: string;
  family: string;
  params: Record<string, unknown>;
  rows: number;
  status: 'ok' | 'failed';
  score: number | null;
  fitSeconds: number;
  elapsedSeconds: number;
}

export type HostMessage =
  /** The whole leaderboard: sent when the page says it is ready. */
  | { type: 'leaderboard'; strings: LeaderboardStrings; metric: string; direction: 'max' | 'min'; bestTrial: number; trials: LeaderboardRow[];
      /** One line per column of the data: used and how, or left out and why (absent for older runs). */
      columns: string[];
      evaluation: LeaderboardEvaluation | null };

export type WebviewMessage = { type: 'ready' };

export type LeaderboardProtocol = PanelProtocol<HostMessage, WebviewMessage>;
