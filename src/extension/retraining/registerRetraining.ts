import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { getModel, listModels, resolveModelVersion, type ModelVersion } from '../../core/registry';
import { approveVersion, rejectVersion, type DecisionResult, type DueOutcome, type RetrainResult } from '../../core/retrain';
import { guarded as guardedCommand } from '../commandErrors';
import type { ModelsNode } from '../models/modelsTree';
import { runCliJson } from '../cliChild';
import type { ProjectContext } from '../projectContext';
import { PromotionReviewPanel } from './promotionReviewPanel';

/** A model to act on: a node of the Models view, or its name. */
type ModelTarget = ModelsNode | string;
/** A version to review or decide on: a node, `name/N`, `name@alias`, or everything given (scripts, tests). */
type DecisionTarget = ModelsNode | string | { model: string; version: number; reason?: string };

function modelOf(target: ModelTarget | undefined): string | undefined {
  if (typeof target === 'string') return target.split(/[@/]/)[0];
  switch (target?.kind) {
    case 'model': return target.model.name;
    case 'version': case 'lineage': return target.version.model;
    case 'history': case 'event': return target.model;
    default: return undefined;
  }
}

/**
 * Retraining in the editor: "Retrain Model" (a child `mlops retrain`, with progress and Cancel), the promotion
 * review panel, Approve / Reject, recorded in the model's history with the git user, and the `retraining:` policies
 * evaluated while the editor is open.
 */
export function registerRetraining(context: vscode.ExtensionContext, opened: ProjectContext): void {
  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(opened.output, run);

  const pickModel = async (placeHolder: string): Promise<string | undefined> => {
    const models = listModels(opened.requireProject().paths).filter((m) => m.aliases.champion !== undefined);
    if (models.length === 0) throw new MlopsError(vscode.l10n.t('No model has a champion to retrain.'), vscode.l10n.t('Set the alias champion on a version first ("Set Alias…" in the Models view).'), 'NO_CHAMPION');
    if (models.length === 1) return models[0].name;
    return (await vscode.window.showQuickPick(models.map((m) => ({ label: m.name, description: `@champion → ${m.aliases.champion}` })), { placeHolder }))?.label;
  };

  const versionOf = (target: DecisionTarget | undefined): ModelVersion | undefined => {
    const paths = opened.requireProject().paths;
    if (typeof target === 'string') return resolveModelVersion(paths, target.includes('@') || target.includes('/') ? target : `${target}@challenger`);
    if (!target) return undefined;
    if ('kind' in target) {
      if (target.kind === 'version' || target.kind === 'lineage') return target.version;
      if (target.kind === 'event') return resolveModelVersion(paths, `${target.model}/${target.event.version}`);
      const model = modelOf(target);
      return model ? resolveModelVersion(paths, `${model}@challenger`) : undefined;
    }
    return resolveModelVersion(paths, `${target.model}/${target.version}`);
  };

  const retrain = guarded(async (target?: ModelTarget): Promise<RetrainResult | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Retraining reads and trains on the workspace\'s data, so it needs a trusted workspace.'));
      return undefined;
    }
    const project = opened.requireProject();
    const model = modelOf(target) ?? (await pickModel(vscode.l10n.t('The model to retrain from its champion')));
    if (!model) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Retraining {0} from its champion on the newest data…', model), cancellable: true },
      (_progress, token) => runCliJson<RetrainResult>(context.extensionUri, project.paths.root, ['retrain', model], token),
    );
    if (!result) return undefined;
    await opened.refreshStore();
    opened.output.info(`Retrained ${model}/${result.from} on ${result.dataset.name}@${result.dataset.version}: ${model}/${result.version} is the challenger (cv ${result.cv.metric} ${result.cv.score})`);
    const review = vscode.l10n.t('Review Promotion');
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}/{1} was trained on {2}@{3} and is now the challenger (cross-validated {4}: {5}).', model, result.version, result.dataset.name, result.dataset.version, result.cv.metric, Number(result.cv.score.toPrecision(4))),
      review,
    ).then((choice) => {
      if (choice === review) void vscode.commands.executeCommand('mlops.reviewPromotion', `${model}/${result.version}`);
    });
    return result;
  });

  const decide = async (decision: 'approve' | 'reject', target: DecisionTarget | undefined): Promise<DecisionResult | undefined> => {
    const version = versionOf(target) ?? versionOf(await pickModel(vscode.l10n.t('The model whose challenger to decide on')));
    if (!version) return undefined;
    let reason = target && typeof target === 'object' && 'reason' in target ? target.reason : undefined;
    if (reason === undefined) {
      reason = await vscode.window.showInputBox({
        prompt: decision === 'approve'
          ? vscode.l10n.t('Why promote {0}/{1} to champion? (kept in the model\'s history with your git user)', version.model, version.version)
          : vscode.l10n.t('Why reject {0}/{1}? (kept in the model\'s history with your git user)', version.model, version.version),
        ignoreFocusOut: true,
      });
      if (reason === undefined) return undefined;
    }
    const project = opened.requireProject();
    const result = decision === 'approve'
      ? await approveVersion(project.paths, version.model, version.version, reason || undefined)
      : await rejectVersion(project.paths, version.model, version.version, reason || undefined);
    opened.output.info(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${version.model}/${version.version} (by ${result.by}${result.reason ? `: ${result.reason}` : ''})`);
    void vscode.window.showInformationMessage(decision === 'approve'
      ? vscode.l10n.t('{0}/{1} is the champion now; a server on {0}@champion switches to it.', version.model, version.version)
      : vscode.l10n.t('{0}/{1} was rejected; the champion stays on version {2}.', version.model, version.version, getModel(project.paths, version.model).aliases.champion ?? '–'));
    await vscode.commands.executeCommand('mlops.refreshModels');
    await PromotionReviewPanel.open?.refresh(project);
    return result;
  };

  const review = guarded(async (target?: DecisionTarget) => {
    const version = versionOf(target) ?? versionOf(await pickModel(vscode.l10n.t('The model whose challenger to review')));
    if (!version) return undefined;
    if (!vscode.workspace.isTrusted) throw new MlopsError(vscode.l10n.t('Reviewing a promotion scores both models on the workspace\'s data, so it needs a trusted workspace.'));
    return PromotionReviewPanel.show(context.extensionUri, opened.output, opened.requireProject(), version, (decision, model, number) => decide(decision, { model, version: number }));
  });

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.retrainModel', retrain),
    vscode.commands.registerCommand('mlops.reviewPromotion', review),
    vscode.commands.registerCommand('mlops.approvePromotion', guarded((target?: DecisionTarget) => decide('approve', target))),
    vscode.commands.registerCommand('mlops.rejectPromotion', guarded((target?: DecisionTarget) => decide('reject', target))),
  );
  followPolicies(context, opened);
}

/**
 * Every `mlops.retraining.interval` seconds, while the workspace is trusted and mlops.yaml declares policies, runs
 * `mlops retrain --due` in a child process (as cron or CI would), says in the output what it decided, and announces
 * a retrain with the way to review it. One evaluation at a time: a retrain can outlast the interval.
 */
function followPolicies(context: vscode.ExtensionContext, opened: ProjectContext): void {
  let running = false;
  const evaluate = async () => {
    const project = opened.project;
    if (running || !project || !vscode.workspace.isTrusted || Object.keys(project.config.retraining ?? {}).length === 0) return;
    running = true;
    opened.output.info(vscode.l10n.t('Evaluating the retraining policies of mlops.yaml (mlops retrain --due)…'));
    try {
      const result = await runCliJson<{ outcomes: DueOutcome[] }>(context.extensionUri, project.paths.root, ['retrain', '--due']);
      for (const outcome of result?.outcomes ?? []) {
        for (const note of outcome.notes) opened.output.info(`${outcome.model}: ${note}`);
        if (!outcome.retrained) continue;
        const review = vscode.l10n.t('Review Promotion');
        const text = vscode.l10n.t('The {0} policy retrained {1} as version {2}.', outcome.retrained.trigger, outcome.model, outcome.retrained.version);
        void vscode.window.showInformationMessage(text, review).then((choice) => {
          if (choice === review) void vscode.commands.executeCommand('mlops.reviewPromotion', `${outcome.model}/${outcome.retrained!.version}`);
        });
      }
    } catch (err) {
      opened.output.warn(vscode.l10n.t('The retraining policies could not be evaluated: {0}', err instanceof Error ? err.message : String(err)));
    } finally {
      running = false;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    const seconds = vscode.workspace.getConfiguration('mlops').get<number>('retraining.interval', 900);
    timer = seconds > 0 ? setInterval(() => void evaluate(), seconds * 1000) : undefined;
  };
  schedule();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mlops.retraining.interval') && schedule()),
    { dispose: () => timer && clearInterval(timer) },
  );
}
