import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { deleteRun, getRun, listRuns, runFiles } from '../../core/tracking';
import { guarded as guardedCommand } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import { formatTime, runLabel, statusLabel } from './runFormat';
import { RunMetricsPanel } from './runMetricsPanel';
import { RunsTree, type RunsNode } from './runsTree';

/** What the extension's API exposes of the Runs view (the integration tests read the tree through it). */
export interface RunsApi {
  tree: RunsTree;
}

/** A command's target: a node of the Runs view (menus pass the clicked one and the selection) or a run id. */
type RunTarget = RunsNode | string;

export function registerRuns(context: vscode.ExtensionContext, project: ProjectContext): RunsApi {
  const tree = new RunsTree(project);
  const view = vscode.window.createTreeView('mlops.runs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const openStore = () => project.requireStore();

  /** The runs a command acts on: the selection when the clicked item is part of it, else the clicked item. */
  const targets = (target: RunTarget | undefined, selected: readonly RunTarget[] | undefined): string[] => {
    const all = selected?.length && target !== undefined && selected.includes(target) ? selected : target === undefined ? [] : [target];
    return [...new Set(all.flatMap(runIdOf))];
  };

  /** Lets the user pick runs when a command came from the palette without any. */
  const pickRuns = async (atLeast: number): Promise<string[]> => {
    const runs = listRuns(await openStore());
    if (runs.length < atLeast) {
      throw new MlopsError(
        atLeast > 1 ? vscode.l10n.t('Comparing needs two runs or more; this project has {0}.', runs.length) : vscode.l10n.t('This project has no run yet.'),
        vscode.l10n.t('Start a run with `mlops run -- <command>`, or train a model.'),
      );
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: runLabel(r), description: `${r.experiment} · ${statusLabel(r.status)}`, detail: `${r.id} · ${formatTime(r.start)}`, id: r.id })),
      { canPickMany: true, placeHolder: atLeast > 1 ? vscode.l10n.t('Runs to compare (two or more)') : vscode.l10n.t('Runs to chart') },
    );
    const ids = picked?.map((p) => p.id) ?? [];
    if (picked && ids.length < atLeast) void vscode.window.showWarningMessage(vscode.l10n.t('Pick two runs or more to compare them.'));
    return ids.length >= atLeast ? ids : [];
  };

  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(project.output, run);

  const showMetrics = (atLeast: number) => guarded(async (target?: RunTarget, selected?: RunTarget[]) => {
    let ids = targets(target, selected);
    if (ids.length < atLeast) ids = await pickRuns(atLeast);
    if (ids.length === 0) return undefined;
    const key = typeof target === 'object' && target.kind === 'entry' && target.section === 'metrics' ? target.key : undefined;
    RunMetricsPanel.show(context.extensionUri, project, ids, key);
    return ids;
  });

  context.subscriptions.push(
    tree, view,
    vscode.commands.registerCommand('mlops.refreshRuns', guarded(async () => {
      await project.refreshStore();
      tree.refresh();
    })),
    vscode.commands.registerCommand('mlops.showRunMetrics', showMetrics(1)),
    vscode.commands.registerCommand('mlops.compareRuns', showMetrics(2)),
    vscode.commands.registerCommand('mlops.openRunLog', guarded(async (target?: RunTarget) => {
      const [id] = targets(target, undefined);
      if (!id) return;
      const s = await openStore();
      const file = runFiles(s.paths.state, getRun(s, id).id).output;
      if (!fs.existsSync(file)) {
        throw new MlopsError(vscode.l10n.t('Run {0} has no captured output.', id), vscode.l10n.t('Only runs started with `mlops run` keep their console output.'));
      }
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    })),
    vscode.commands.registerCommand('mlops.copyRunId', guarded(async (target?: RunTarget) => {
      const [id] = targets(target, undefined);
      if (!id) return;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied run id {0}', id), 3000);
    })),
    vscode.commands.registerCommand('mlops.deleteRun', guarded(async (target?: RunTarget, selected?: RunTarget[], options?: { confirm?: boolean }) => {
      const ids = targets(target, selected);
      if (ids.length === 0) return [];
      const s = await openStore();
      const runs = ids.map((id) => getRun(s, id));
      if (options?.confirm !== false) {
        const names = runs.map((r) => `"${runLabel(r)}" (${r.id})`).join(', ');
        const running = runs.some((r) => r.status === 'running');
        const remove = vscode.l10n.t('Delete');
        const answer = await vscode.window.showWarningMessage(
          runs.length === 1 ? vscode.l10n.t('Delete run {0}?', names) : vscode.l10n.t('Delete {0} runs: {1}?', runs.length, names),
          {
            modal: true,
            detail: (running ? vscode.l10n.t('It is still running; what it logs from now on is ignored.') + '\n' : '') +
              vscode.l10n.t('Its params, metrics, logs and files under .mlops/runs are removed. This cannot be undone.'),
          },
          remove,
        );
        if (answer !== remove) return [];
      }
      const deleted: string[] = [];
      await vscode.window.withProgress({ location: { viewId: 'mlops.runs' } }, async () => {
        for (const r of runs) deleted.push(await deleteRun(s, r.id));
      });
      await project.refreshStore();
      return deleted;
    })),
  );
  return { tree };
}

function runIdOf(target: RunTarget): string[] {
  if (typeof target === 'string') return [target];
  switch (target.kind) {
    case 'run': return [target.run.id];
    case 'section':
    case 'entry': return [target.runId];
    default: return [];
  }
}
