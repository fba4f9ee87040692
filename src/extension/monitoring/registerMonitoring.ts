import * as vscode from 'vscode';
import { describeError, MlopsError } from '../../core/errors';
import type { MonitorCheck } from '../../core/monitor';
import { listModels } from '../../core/registry';
import { guarded as guardedCommand } from '../commandErrors';
import { healthWord, type ModelHealthStatus } from '../modelHealthStatus';
import type { ModelsNode } from '../models/modelsTree';
import { runCliJson } from '../cliChild';
import type { ProjectContext } from '../projectContext';
import type { DashboardData } from '../../../webview/driftDashboard/protocol';
import { DriftDashboardPanel } from './driftDashboardPanel';

const DEFAULT_INTERVAL_S = 60;

/** What the editor exposes of monitoring (the integration tests run a check through it). */
export interface MonitoringApi {
  /** Runs one recorded check of the served model now, in a child process; undefined when nothing is served. */
  checkNow(reference?: string): Promise<MonitorCheck | undefined>;
  /** What the open drift dashboard shows, if one is open. */
  dashboard(): DashboardData | undefined;
}

function intervalMs(): number {
  const seconds = vscode.workspace.getConfiguration('mlops').get<number>('monitoring.interval', DEFAULT_INTERVAL_S);
  return Math.max(5, Number.isFinite(seconds) ? seconds : DEFAULT_INTERVAL_S) * 1000;
}

/**
 * Monitoring in the editor: the drift dashboard, a check of the served model every `mlops.monitoring.interval`
 * seconds while a server runs (a child `mlops monitor --json`, recorded, so the status bar and the dashboard follow),
 * and a notification when the served model's health changes, with "Open Dashboard" and "Retrain".
 */
export function registerMonitoring(context: vscode.ExtensionContext, opened: ProjectContext, status: ModelHealthStatus): MonitoringApi {
  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(opened.output, run);
  let running: Promise<MonitorCheck | undefined> | undefined;

  const servedReference = (): string | undefined => (status.state.kind === 'served' ? status.state.served.reference : undefined);

  /** One check at a time: a slow check is not stacked on by the next tick. */
  const runCheck = (reference: string): Promise<MonitorCheck | undefined> => {
    const root = opened.requireProject().paths.root;
    return (running ??= (async () => {
      try {
        const check = await runCliJson<MonitorCheck>(context.extensionUri, root, ['monitor', '--model', reference]);
        await opened.refreshStore();
        await status.refresh();
        return check;
      } finally {
        running = undefined;
      }
    })());
  };

  const checkNow = async (reference?: string): Promise<MonitorCheck | undefined> => {
    if (!vscode.workspace.isTrusted) throw new MlopsError(vscode.l10n.t('A drift check reads the workspace\'s prediction log and data, so it needs a trusted workspace.'));
    await status.refresh();
    const target = reference ?? servedReference();
    if (!target) throw new MlopsError(vscode.l10n.t('No model is being served, so there is nothing to check.'), vscode.l10n.t('Start serving a model (`mlops serve name@champion`), send it traffic, then check again.'));
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking {0} for drift…', target) }, () => runCheck(target));
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const reference = servedReference();
      if (reference && vscode.workspace.isTrusted) {
        // a failed scheduled check (no lineage, a reference gone) is logged, not shown every minute
        runCheck(reference).catch((err) => opened.output.warn(`Scheduled drift check of ${reference} failed: ${describeError(err)}`)).finally(schedule);
      } else schedule();
    }, intervalMs());
  };
  schedule();

  const openDashboard = guarded(async (target?: string | ModelsNode) => {
    const reference = typeof target === 'string' ? target
      : target?.kind === 'model' ? target.model.name
      : target?.kind === 'version' ? `${target.version.model}/${target.version.version}`
      : servedReference() ?? (await pickModel());
    if (!reference) return undefined;
    return DriftDashboardPanel.show(context.extensionUri, opened, reference, { checkNow: () => checkNow(reference) });
  });

  const pickModel = async (): Promise<string | undefined> => {
    const models = listModels(opened.requireProject().paths);
    if (models.length === 0) throw new MlopsError(vscode.l10n.t('There is no registered model to monitor.'), vscode.l10n.t('Register a model from a finished training run first.'));
    if (models.length === 1) return models[0].name;
    return (await vscode.window.showQuickPick(models.map((m) => m.name), { placeHolder: vscode.l10n.t('The model whose drift to show') })) ?? undefined;
  };

  context.subscriptions.push(
    { dispose: () => clearTimeout(timer) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlops.monitoring.interval')) schedule();
    }),
    status.onDidChangeHealth(({ served, from, check }) => {
      if (check.health === 'no-data') return;
      const openAction = vscode.l10n.t('Open Dashboard');
      const retrainAction = vscode.l10n.t('Retrain');
      const message = vscode.l10n.t('{0} (version {1}): {2} → {3}. {4}', served.reference, check.version, healthWord(from), healthWord(check.health), check.reason);
      const show = check.health === 'ok' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(message, openAction, retrainAction).then((choice) => {
        if (choice === openAction) void vscode.commands.executeCommand('mlops.openDriftDashboard', served.reference);
        if (choice === retrainAction) void vscode.commands.executeCommand('mlops.retrainModel', served.model);
      });
    }),
    vscode.commands.registerCommand('mlops.openDriftDashboard', openDashboard),
    vscode.commands.registerCommand('mlops.checkModelHealth', guarded(checkNow)),
  );
  return { checkNow, dashboard: () => DriftDashboardPanel.open?.data };
}
