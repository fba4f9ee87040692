import * as vscode from 'vscode';
import { baselineWarnings, configuredFeatureSource, datasetColumns, trainInWorker, type AutomlRequest, type AutomlResult } from '../../core/automl';
import { listDatasets } from '../../core/data';
import type { Project } from '../../core/workspace';
import { getRun, isAutomlRun, listRuns } from '../../core/tracking';
import { reportError } from '../commandErrors';
import type { DatasetNode } from '../datasets/datasetsTree';
import type { ProjectContext } from '../projectContext';
import type { RunsNode } from '../runs/runsTree';
import { LeaderboardPanel } from './leaderboardPanel';

/** What mlops.trainAutoML accepts: a Datasets view node, or explicit settings (scripts and tests); the rest is asked. */
type TrainTarget = DatasetNode | AutomlRequest | undefined;

/**
 * The training commands: "Train Model (AutoML)" on a worker thread with a cancellable notification, "Train Model"
 * running the project's own training command in a terminal (trusted workspaces only), and "Show Leaderboard".
 */
export function registerTraining(context: vscode.ExtensionContext, project: ProjectContext): void {
  const showLeaderboard = (runId: string) => LeaderboardPanel.show(context.extensionUri, project, runId);
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.trainAutoML', (target?: TrainTarget) => trainAutoML(project, showLeaderboard, target)),
    vscode.commands.registerCommand('mlops.trainModel', () => trainWithCommand(project)),
    vscode.commands.registerCommand('mlops.showLeaderboard', async (target?: RunsNode | string) => {
      const runId = typeof target === 'string' ? target : target?.kind === 'run' ? target.run.id : await pickAutomlRun(project);
      return runId ? showLeaderboard(runId) : undefined;
    }),
  );
}

async function trainAutoML(context: ProjectContext, showLeaderboard: (runId: string) => unknown, target: TrainTarget): Promise<AutomlResult | undefined> {
  try {
    const project = context.requireProject();
    const training = project.config.training ?? {};
    const request: AutomlRequest = target && 'kind' in target ? { dataset: datasetOfNode(target) } : { ...(target ?? {}) };
    // mlops.yaml's training.service, as `mlops train` reads it, unless a dataset was chosen
    const features = request.dataset === undefined && training.target ? configuredFeatureSource(training) : undefined;
    if (features) request.target = training.target;
    else request.dataset ??= training.dataset ?? (await pickDataset(project));
    if (!request.dataset && !features) return undefined;
    if (!request.target) {
      request.target = await pickTarget(project.paths.root, request.dataset!, training.target);
      if (!request.target) return undefined;
      if (request.maxTrials === undefined && request.timeBudget === undefined) {
        const budget = await pickBudget(training.timeBudget);
        if (!budget) return undefined;
        Object.assign(request, budget);
      }
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: features ? vscode.l10n.t('AutoML on the feature service {0}', features.service) : vscode.l10n.t('AutoML on {0}', request.dataset!), cancellable: true },
      async (progress, token) => {
        // Cancel stops the search and keeps its best model: a finished run that can be registered.
        const stop = new AbortController();
        token.onCancellationRequested(() => stop.abort());
        let reported = 0;
        return trainInWorker(project.paths.root, request, {
          stopSignal: stop.signal,
          onProgress: (p) => {
            const fraction = p.maxTrials ? p.trials / p.maxTrials : Math.min(1, p.elapsedSeconds / (p.timeBudget ?? 1));
            const best = p.bestScore === null ? '' : vscode.l10n.t(', best {0} {1} ({2})', p.metric ?? '', p.bestScore.toFixed(4), p.bestFamily ?? '');
            const phase = p.phase === 'loading' ? vscode.l10n.t('loading the data') : p.phase === 'refitting' ? vscode.l10n.t('refitting the best model') : vscode.l10n.t('{0} trials', p.trials);
            progress.report({ message: `${phase}${best}`, increment: Math.max(0, fraction * 100 - reported) });
            reported = Math.max(reported, fraction * 100);
          },
        }, features);
      },
    );
    context.output.info(`AutoML run ${result.runId}: ${result.bestModel.family} ${result.metric}=${result.bestScore} after ${result.trials} trials`);
    const show = vscode.l10n.t('Show Leaderboard');
    // A model no better than ignoring its features is not a success: say so as a warning, not as news.
    const warnings = baselineWarnings(result.evaluation);
    const summary = vscode.l10n.t('Best model: {0}, {1} = {2} ({3} trials).', result.bestModel.family, result.metric, result.bestScore.toFixed(4), result.trials);
    const shown = warnings.length ? vscode.window.showWarningMessage(`${summary} ${warnings.join(' ')}`, show) : vscode.window.showInformationMessage(summary, show);
    void shown.then((choice) => (choice === show ? showLeaderboard(result.runId) : undefined));
    return result;
  } catch (err) {
    reportError(context.output, err);
    return undefined;
  }
}

function datasetOfNode(node: DatasetNode): string | undefined {
  if (node.kind === 'version') return `${node.dataset}@${node.version.id}`;
  if (node.kind === 'dataset') return node.summary.name;
  return undefined;
}

async function pickDataset(project: Project): Promise<string | undefined> {
  const datasets = listDatasets(project);
  if (datasets.length === 1) return datasets[0].name;
  const picked = await vscode.window.showQuickPick(
    datasets.map((d) => ({ label: d.name, description: d.path, detail: d.versions === 1 ? vscode.l10n.t('1 version') : d.versions ? vscode.l10n.t('{0} versions', d.versions) : vscode.l10n.t('not snapshotted yet') })),
    { title: vscode.l10n.t('Train Model (AutoML)'), placeHolder: vscode.l10n.t('Dataset to train on') },
  );
  return picked?.label;
}

async function pickTarget(root: string, dataset: string, preferred: string | undefined): Promise<string | undefined> {
  const columns = datasetColumns(root, dataset);
  const items = columns.map((c) => ({ label: c, picked: c === preferred, description: c === preferred ? vscode.l10n.t('training.target in mlops.yaml') : undefined }));
  // The configured target first, so Enter accepts it.
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Train Model (AutoML)'), placeHolder: vscode.l10n.t('Column to predict') }))?.label;
}

async function pickBudget(configured: number | undefined): Promise<Pick<AutomlRequest, 'timeBudget' | 'maxTrials'> | undefined> {
  const seconds = [...new Set([configured ?? 60, 30, 60, 300, 900])];
  const items: (vscode.QuickPickItem & { budget: Pick<AutomlRequest, 'timeBudget' | 'maxTrials'> })[] = [
    ...seconds.map((s) => ({ label: s < 60 ? vscode.l10n.t('{0} seconds', s) : s === 60 ? vscode.l10n.t('1 minute') : vscode.l10n.t('{0} minutes', s / 60), description: s === configured ? vscode.l10n.t('training.timeBudget in mlops.yaml') : undefined, budget: { timeBudget: s } })),
    { label: vscode.l10n.t('20 trials'), description: vscode.l10n.t('repeatable: the same data and seed give the same model'), budget: { maxTrials: 20 } },
  ];
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Train Model (AutoML)'), placeHolder: vscode.l10n.t('How long to search') }))?.budget;
}

async function pickAutomlRun(context: ProjectContext): Promise<string | undefined> {
  const store = await context.store();
  if (!store) return undefined;
  const automl = listRuns(store).filter((r) => r.parentId === null).map((r) => getRun(store, r.id)).filter(isAutomlRun);
  if (automl.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No AutoML runs yet. Run "MLOps: Train Model (AutoML)" first.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    automl.map((r) => ({ label: r.name ?? r.id, description: r.id, detail: `${r.tags['mlops.family'] ?? ''} ${r.tags['mlops.metric'] ?? ''} ${r.metrics[`cv_${r.tags['mlops.metric']}`]?.value ?? ''}` })),
    { placeHolder: vscode.l10n.t('AutoML run') },
  );
  return picked?.description;
}

/**
 * Runs `mlops train` (the project's training.command) in a terminal, so its output is in plain view and Ctrl+C
 * reaches it. It executes the workspace's code: refused in an untrusted workspace (the command is also disabled there).
 */
async function trainWithCommand(context: ProjectContext): Promise<vscode.Terminal | undefined> {
  try {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Training runs the project\'s own code, so it needs a trusted workspace.'));
      return undefined;
    }
    const project = context.requireProject();
    if (!project.config.training?.command) {
      const automl = vscode.l10n.t('Train with AutoML');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('mlops.yaml has no training.command.'), automl);
      if (choice === automl) await vscode.commands.executeCommand('mlops.trainAutoML');
      return undefined;
    }
    const cli = vscode.Uri.joinPath(vscode.Uri.file(__dirname), 'cli.js').fsPath;
    // The extension host's own runtime runs the bundled CLI; in desktop VS Code it is Electron, told to act as Node.
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('MLOps: Train'),
      shellPath: process.execPath,
      shellArgs: [cli, 'train'],
      cwd: project.paths.root,
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    terminal.show();
    return terminal;
  } catch (err) {
    reportError(context.output, err);
    return undefined;
  }
}
