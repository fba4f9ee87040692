import * as vscode from 'vscode';
import { readLeaderboard, type Leaderboard } from '../../core/automl';
import { MlopsError } from '../../core/errors';
import { columnDecisionText } from '../../core/tracking';
import type { HostMessage, LeaderboardStrings, WebviewMessage } from '../../../webview/leaderboard/protocol';
import { reportError } from '../commandErrors';
import type { RunStoreWatcher } from '../runs/runStoreWatcher';
import { webviewHtml, webviewOptions } from '../webviews/webviewHtml';

interface Deps {
  extensionUri: vscode.Uri;
  runs: RunStoreWatcher;
  output: vscode.LogOutputChannel;
}

/**
 * The leaderboard of one AutoML run: its trials' scores over the search's time, by family, and their table. One
 * panel per run (showing a run again reveals its panel); the data is the run's leaderboard.json, read once.
 */
export class LeaderboardPanel {
  private static readonly open = new Map<string, LeaderboardPanel>();
  readonly panel: vscode.WebviewPanel;

  static async show(deps: Deps, runId: string): Promise<LeaderboardPanel | undefined> {
    try {
      const store = await deps.runs.store();
      if (!store) throw new MlopsError(vscode.l10n.t('No MLOps project is open.'), vscode.l10n.t('Open the folder that holds mlops.yaml.'));
      // The run may have just been recorded by another thread or process: read the store's latest state first.
      store.refresh();
      const board = readLeaderboard(store, runId);
      const existing = LeaderboardPanel.open.get(board.runId);
      if (existing) {
        existing.panel.reveal();
        return existing;
      }
      return new LeaderboardPanel(deps, board);
    } catch (err) {
      reportError(deps.output, err);
      return undefined;
    }
  }

  private constructor(deps: Deps, board: Leaderboard) {
    const title = vscode.l10n.t('Leaderboard {0}', board.runId);
    this.panel = vscode.window.createWebviewPanel('mlops.leaderboard', title, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, deps.extensionUri, 'leaderboard', title);
    LeaderboardPanel.open.set(board.runId, this);
    const listener = this.panel.webview.onDidReceiveMessage((m: WebviewMessage) => {
      if (m.type === 'ready') void this.panel.webview.postMessage(message(board));
    });
    this.panel.onDidDispose(() => {
      listener.dispose();
      LeaderboardPanel.open.delete(board.runId);
    });
  }
}

function message(board: Leaderboard): HostMessage {
  const best = board.trials.find((t) => t.trial === board.bestTrial);
  const strings: LeaderboardStrings = {
    heading: vscode.l10n.t('AutoML leaderboard: {0} ({1})', board.target, board.task),
    summary: vscode.l10n.t('{0} trials; best: trial {1}, {2}, {3} = {4}.', board.trials.length, board.bestTrial, best?.family ?? '', board.metric, best?.score?.toFixed(4) ?? ''),
    elapsed: vscode.l10n.t('Elapsed (s)'),
    trial: vscode.l10n.t('Trial'),
    family: vscode.l10n.t('Family'),
    score: vscode.l10n.t('CV score'),
    rows: vscode.l10n.t('Rows'),
    fitSeconds: vscode.l10n.t('Fit (s)'),
    params: vscode.l10n.t('Parameters'),
    status: vscode.l10n.t('Status'),
    best: vscode.l10n.t('best'),
    failed: vscode.l10n.t('failed'),
    chartLabel: vscode.l10n.t('Cross-validation score of each trial against the time it ended, coloured by model family.'),
    tableLabel: vscode.l10n.t('Trials, best first'),
    columns: vscode.l10n.t('Columns'),
  };
  return {
    type: 'leaderboard',
    strings,
    metric: board.metric,
    direction: board.direction,
    bestTrial: board.bestTrial,
    columns: (board.columns ?? []).map(columnDecisionText),
    trials: board.trials.map((t) => ({ trial: t.trial, runId: t.runId, family: t.family, params: { ...t.params }, rows: t.rows, status: t.status, score: t.score, fitSeconds: t.fitSeconds, elapsedSeconds: t.elapsedSeconds })),
  };
}
