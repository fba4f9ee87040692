// The message contract of the AutoML Leaderboard panel, imported by the extension host (src/extension/training) and
// the page (webview/leaderboard/main.ts): a change one side does not follow fails to compile. Types only.

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
      columns: string[] };

export type WebviewMessage = { type: 'ready' };
