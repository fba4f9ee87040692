import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { getModel, modelHistory, resolveModelVersion, type HistoryEvent, type ModelVersion } from '../../core/registry';
import { latestGate, type GateResult } from '../../core/retrain';
import type { Project } from '../../core/workspace';
import type { PromotionReviewProtocol, ReviewData, ReviewSide, ReviewStrings } from '../../../webview/promotionReview/protocol';
import { dataDiff, diffStrings } from '../models/compareVersionsPanel';
import { runCliJson } from '../cliChild';
import { PanelHost } from '../webviews/panelHost';

function strings(): ReviewStrings {
  return {
    champion: vscode.l10n.t('Champion'),
    challenger: vscode.l10n.t('Challenger'),
    version: vscode.l10n.t('version'),
    trainedOn: vscode.l10n.t('trained on'),
    trigger: vscode.l10n.t('Retrained because'),
    gate: vscode.l10n.t('Gate'),
    passed: vscode.l10n.t('passed'),
    failed: vscode.l10n.t('failed'),
    holdout: vscode.l10n.t('holdout'),
    overall: vscode.l10n.t('Overall'),
    perSlice: vscode.l10n.t('Per slice'),
    slice: vscode.l10n.t('column'),
    higherIsBetter: vscode.l10n.t('higher is better'),
    lowerIsBetter: vscode.l10n.t('lower is better'),
    noGate: vscode.l10n.t('No gate was recorded for this version.'),
    dataDiff: vscode.l10n.t('Training data'),
    identicalData: vscode.l10n.t('Both versions were trained on the same data.'),
    ...diffStrings(),
    approve: vscode.l10n.t('Approve Promotion'),
    reject: vscode.l10n.t('Reject'),
    decided: vscode.l10n.t('Decided:'),
  };
}

function side(v: ModelVersion): ReviewSide {
  const d = v.lineage.dataset;
  return { version: v.version, aliases: v.aliases, created: v.created, data: d ? `${d.name}@${d.version}` : null };
}

/** The gate arguments of the model's retraining policy in mlops.yaml, so the review judges as the policy would. */
function policyGateArgs(project: Project, model: string): string[] {
  const gate = project.config.retraining?.[model]?.gate;
  if (!gate) return [];
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--metric', gate.metric);
  add('--min-gain', gate.min_absolute_change);
  add('--min-relative-gain', gate.min_relative_change);
  add('--floor', gate.floor);
  add('--slice', gate.slice);
  add('--holdout', gate.holdout);
  return args;
}

/** The decision last made on the version since it was registered, if any. */
function decisionOf(events: readonly HistoryEvent[], version: number): ReviewData['decision'] {
  const e = events.filter((x) => (x.event === 'approve' || x.event === 'reject') && x.version === version).at(-1);
  return e ? { kind: e.event === 'approve' ? 'approve' : 'reject', by: e.by, time: e.time, reason: e.reason } : null;
}

/**
 * The promotion review: a challenger against the champion on the gate's holdout, overall and per slice, the data
 * diff between their training versions, and the Approve / Reject buttons. When no gate was recorded for the
 * challenger, one runs first (`mlops gate` in a child process, recorded like the CLI's). One panel, reused.
 */
export class PromotionReviewPanel {
  private static current: PromotionReviewPanel | undefined;
  private readonly host: PanelHost<PromotionReviewProtocol>;
  private shown: { model: string; version: number; gateNote?: string } | undefined;

  /** The open panel, if any: the integration tests and the decision commands refresh it. */
  static get open(): PromotionReviewPanel | undefined {
    return PromotionReviewPanel.current;
  }

  static async show(extensionUri: vscode.Uri, output: vscode.LogOutputChannel, project: Project, challenger: ModelVersion, decide: (decision: 'approve' | 'reject', model: string, version: number) => Promise<unknown>): Promise<ReviewData> {
    const panel = (PromotionReviewPanel.current ??= new PromotionReviewPanel(extensionUri, output, decide));
    panel.host.title = vscode.l10n.t('Review {0}/{1}', challenger.model, challenger.version);
    panel.host.reveal();
    let gate = latestGate(modelHistory(project.paths, challenger.model), challenger.version);
    let gateNote: string | undefined;
    if (!gate && getModel(project.paths, challenger.model).aliases.champion !== undefined) {
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Gating {0}/{1} against the champion…', challenger.model, challenger.version), cancellable: true }, (_p, token) =>
          runCliJson<GateResult>(extensionUri, project.paths.root, ['gate', '--model', `${challenger.model}/${challenger.version}`, ...policyGateArgs(project, challenger.model)], token));
      } catch (err) {
        gateNote = describeError(err);
      }
      gate = latestGate(modelHistory(project.paths, challenger.model), challenger.version);
    }
    const data = await panel.render(project, challenger.model, challenger.version, gate ? undefined : gateNote);
    return data;
  }

  private constructor(extensionUri: vscode.Uri, output: vscode.LogOutputChannel, decide: (decision: 'approve' | 'reject', model: string, version: number) => Promise<unknown>) {
    this.host = new PanelHost<PromotionReviewProtocol>(extensionUri, { viewType: 'mlops.promotionReview', page: 'promotionReview', title: vscode.l10n.t('Review Promotion') }, output,
      async (message) => {
        await decide(message.decision, message.model, message.version);
      });
    this.host.onDidDispose(() => {
      PromotionReviewPanel.current = undefined;
    });
  }

  /** Shows the version as the registry has it now: after a decision, the buttons reflect it. */
  async render(project: Project, model: string, version: number, gateNote?: string): Promise<ReviewData> {
    this.shown = { model, version, gateNote };
    const summary = getModel(project.paths, model);
    const challenger = resolveModelVersion(project.paths, `${model}/${version}`);
    const championNumber = summary.aliases.champion;
    // Once approved, the challenger IS the champion: compare with the one it replaced, as the gate did.
    const events = modelHistory(project.paths, model);
    const gate = latestGate(events, version);
    const againstNumber = gate?.evaluation?.against ?? (championNumber !== version ? championNumber : challenger.lineage.retrain?.from);
    const champion = againstNumber !== undefined ? resolveModelVersion(project.paths, `${model}/${againstNumber}`) : undefined;
    const data: ReviewData = {
      model,
      challenger: { ...side(challenger), trigger: challenger.lineage.retrain?.trigger ?? null },
      champion: champion ? side(champion) : null,
      gate: gate?.evaluation ? { evaluation: gate.evaluation, time: gate.time } : { note: gateNote ?? (champion ? '' : vscode.l10n.t('{0} has no champion to compare with.', model)) },
      dataDiff: champion ? await dataDiff(project, champion, challenger) : { note: vscode.l10n.t('There is no champion to compare with.') },
      decision: decisionOf(events, version),
      canApprove: !challenger.archived && championNumber !== version && (!gate?.evaluation || gate.evaluation.passed),
    };
    this.host.show({ type: 'show', data, strings: strings() });
    return data;
  }

  /** Redraws what the panel shows (after a decision, or when the registry changed). */
  async refresh(project: Project): Promise<ReviewData | undefined> {
    return this.shown ? this.render(project, this.shown.model, this.shown.version, this.shown.gateNote) : undefined;
  }
}
