import * as vscode from 'vscode';
import { baselineWarnings, readLeaderboard, type Evaluation, type Leaderboard } from '../../core/automl';
import { columnDecisionText, getRun } from '../../core/tracking';
import type { HostMessage, LeaderboardEvaluation, LeaderboardProtocol, LeaderboardStrings } from '../../../webview/leaderboard/protocol';
import { reportError } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import { PanelHost } from '../webviews/panelHost';

/**
 * The leaderboard of one AutoML run: its trials' scores over the search's time, by family, and their table. One
 * panel per run (showing a run again reveals its panel); the data is the run's leaderboard.json, read once.
 */
export class LeaderboardPanel {
  private static readonly open = new Map<string, LeaderboardPanel>();
  readonly host: PanelHost<LeaderboardProtocol>;

  static async show(extensionUri: vscode.Uri, project: ProjectContext, runId: string): Promise<LeaderboardPanel | undefined> {
    try {
      const store = await project.requireStore();
      // The run may have just been recorded by another thread or process: read the store's latest state first.
      store.refresh();
      const board = readLeaderboard(store, runId);
      const existing = LeaderboardPanel.open.get(board.runId);
      if (existing) {
        existing.host.reveal();
        return existing;
      }
      // Named as the Runs view names the run, with its short id: several AutoML runs often share a name.
      const run = getRun(store, board.runId);
      const title = vscode.l10n.t('Leaderboard: {0} · {1}', run.name ?? board.target, board.runId.slice(0, 8));
      return new LeaderboardPanel(extensionUri, project.output, board, title);
    } catch (err) {
      reportError(project.output, err);
      return undefined;
    }
  }

  private constructor(extensionUri: vscode.Uri, output: vscode.LogOutputChannel, board: Leaderboard, title: string) {
    this.host = new PanelHost<LeaderboardProtocol>(extensionUri, { viewType: 'mlops.leaderboard', page: 'leaderboard', title }, output);
    this.host.show(message(board));
    LeaderboardPanel.open.set(board.runId, this);
    this.host.onDidDispose(() => LeaderboardPanel.open.delete(board.runId));
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
    evaluation: vscode.l10n.t('Evaluation of the best model'),
    perClass: vscode.l10n.t('Per class, out of fold'),
    classLabel: vscode.l10n.t('Class'),
    precision: vscode.l10n.t('Precision'),
    recall: vscode.l10n.t('Recall'),
    f1: vscode.l10n.t('F1'),
    support: vscode.l10n.t('Rows'),
    confusion: vscode.l10n.t('Confusion matrix, out of fold'),
    truthByPredicted: vscode.l10n.t('True class (rows), predicted (columns)'),
    residuals: vscode.l10n.t('Residuals (true - predicted), out of fold'),
  };
  return {
    type: 'leaderboard',
    strings,
    metric: board.metric,
    direction: board.direction,
    bestTrial: board.bestTrial,
    columns: (board.columns ?? []).map(columnDecisionText),
    evaluation: board.evaluation ? evaluationMessage(board.evaluation) : null,
    trials: board.trials.map((t) => ({ trial: t.trial, runId: t.runId, family: t.family, params: { ...t.params }, rows: t.rows, status: t.status, score: t.score, fitSeconds: t.fitSeconds, elapsedSeconds: t.elapsedSeconds })),
  };
}

function evaluationMessage(e: Evaluation): LeaderboardEvaluation {
  const lines = [vscode.l10n.t('Cross-validated {0} = {1}; baseline ({2}) {3}.', e.metric, e.score.toFixed(4), e.baselineKind === 'majority class' ? vscode.l10n.t('most frequent class') : vscode.l10n.t('mean'), e.baseline.toFixed(4))];
  if (e.holdout) lines.push(vscode.l10n.t('Latest {0} rows by {1}, trained on the {2} before: {3} = {4} (baseline {5}).', e.holdout.testRows, e.holdout.column, e.holdout.trainRows, e.metric, e.holdout.score.toFixed(4), e.holdout.baseline.toFixed(4)));
  const r = e.residuals;
  return {
    lines,
    warnings: baselineWarnings(e),
    classes: e.classes,
    confusion: e.confusion,
    residuals: r && [
      [vscode.l10n.t('mean'), r.mean], [vscode.l10n.t('standard deviation'), r.std], [vscode.l10n.t('median absolute'), r.medianAbsolute],
      [vscode.l10n.t('90th percentile absolute'), r.p90Absolute], [vscode.l10n.t('largest absolute'), r.maxAbsolute],
    ],
  };
}
