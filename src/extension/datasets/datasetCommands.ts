import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listDatasets, listVersions, resolveVersion, restoreVersion, snapshotDataset, type DatasetVersion, type SnapshotProgress } from '../../core/data';
import { MlopsError } from '../../core/errors';
import type { Project } from '../../core/workspace';
import { reportError } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import type { ChangedDataDecorations } from './changedDataDecorations';
import type { DatasetPanels } from './datasetPanels';
import { formatDate, shortDigest, type DatasetNode, type DatasetsTree, type VersionNode } from './datasetsTree';

interface Deps {
  project: ProjectContext;
  tree: DatasetsTree;
  decorations: ChangedDataDecorations;
  panels: DatasetPanels;
}

/** For callers that know the version's message already (other extensions, tests): no prompt for it. */
export interface SnapshotRequest {
  message?: string;
}

/**
 * For callers that asked the user already (other extensions, tests): restore without the confirmation dialog,
 * and with `force` discard local changes no snapshot holds.
 */
export interface RestoreRequest {
  reference: string;
  confirmed?: boolean;
  force?: boolean;
}

/** A version chosen for a command: its dataset, and the version as the pointer records it. */
interface ChosenVersion {
  dataset: string;
  path: string;
  version: DatasetVersion;
}

export function registerDatasetCommands(context: vscode.ExtensionContext, deps: Deps): void {
  // Commands report their own errors: VS Code would show a bare "command failed" otherwise.
  const command = (id: string, run: (...args: never[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (err) {
        reportError(deps.project.output, err);
        return undefined;
      }
    });
  const afterChange = () => {
    deps.tree.refresh();
    deps.decorations.refresh();
  };

  context.subscriptions.push(
    // The Explorer passes its whole selection second (an array); callers that know the message pass it there instead.
    command('mlops.snapshotDataset', async (target?: DatasetNode | vscode.Uri | string, options?: SnapshotRequest | vscode.Uri[]) => {
      const project = deps.project.requireProject();
      const chosen = await dataToSnapshot(project, target);
      if (!chosen) return undefined;
      const message = options && !Array.isArray(options) ? options.message : await askMessage();
      if (message === undefined) return undefined;
      const result = await snapshotWithProgress(project, { ...chosen, message });
      afterChange();
      if (!result) return undefined;
      deps.project.output.info([result.summary, ...(result.git?.notes ?? [])].join(' '));
      void vscode.window.showInformationMessage([result.summary, ...(result.git?.notes ?? [])].join(' '));
      return result;
    }),
    command('mlops.restoreDataset', async (target?: VersionNode | RestoreRequest) => {
      const project = deps.project.requireProject();
      const request = await restoreRequest(project, target);
      if (!request) return undefined;
      const result = await restoreWithConsent(project, request);
      afterChange();
      if (result) void vscode.window.showInformationMessage(result.summary);
      return result;
    }),
    command('mlops.compareDatasetVersions', async (clicked?: DatasetNode, selected?: DatasetNode[]) => {
      const project = deps.project.requireProject();
      const pair = await versionsToCompare(project, selected?.length ? selected : clicked ? [clicked] : []);
      if (!pair) return undefined;
      return deps.panels.showCompare(project, pair[0].dataset, pair[0].version.id, pair[1].version.id);
    }),
    command('mlops.openDatasetProfile', async (target?: VersionNode) => {
      const project = deps.project.requireProject();
      const chosen = target?.kind === 'version' ? target : await pickVersion(project, vscode.l10n.t('Version whose profile to open'));
      if (!chosen) return undefined;
      return deps.panels.showProfile(project, chosen.dataset, chosen.version.id);
    }),
  );
}

/** The data a snapshot command is about: a dataset item, an Explorer file or folder, a path or name, or the user's pick. */
async function dataToSnapshot(project: Project, target: DatasetNode | vscode.Uri | string | undefined): Promise<{ absolute: string; name?: string } | undefined> {
  if (target instanceof vscode.Uri) return { absolute: target.fsPath };
  if (typeof target === 'string') {
    // A path inside the project, or else the name of a dataset (declared or versioned), as scripts know it.
    const absolute = path.resolve(project.paths.root, target);
    const named = fs.existsSync(absolute) ? undefined : listDatasets(project).find((d) => d.name === target);
    return named ? { absolute: path.resolve(project.paths.root, named.path), name: named.name } : { absolute };
  }
  if (target?.kind === 'dataset') return { absolute: path.resolve(project.paths.root, target.summary.path), name: target.summary.name };
  const other = { label: `$(folder-opened) ${vscode.l10n.t('Choose a File or Folder…')}`, absolute: undefined as string | undefined, name: undefined as string | undefined };
  const items = [
    ...listDatasets(project).map((d) => ({ label: `$(database) ${d.name}`, description: d.path, absolute: path.resolve(project.paths.root, d.path), name: d.name as string | undefined })),
    other,
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Dataset to snapshot') });
  if (!picked) return undefined;
  if (picked.absolute) return { absolute: picked.absolute, name: picked.name };
  const uris = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(project.paths.root),
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Snapshot'),
  });
  return uris?.[0] ? { absolute: uris[0].fsPath } : undefined;
}

// Share of the progress bar each phase fills: hashing reads every new byte, profiling parses the tables.
const PHASE_SPAN: Record<SnapshotProgress['phase'], [number, number]> = { scanning: [0, 0], hashing: [0, 60], profiling: [60, 95], recording: [95, 100] };

/** The new version's message; empty is fine, Escape cancels the snapshot. */
async function askMessage(): Promise<string | undefined> {
  const message = await vscode.window.showInputBox({
    title: vscode.l10n.t('Snapshot Dataset'),
    // VS Code's input box adds its own "Press 'Enter' to confirm or 'Escape' to cancel".
    prompt: vscode.l10n.t('What changed in this version? (optional)'),
  });
  return message?.trim();
}

async function snapshotWithProgress(project: Project, chosen: { absolute: string; name?: string; message: string }) {
  const shown = path.relative(project.paths.root, chosen.absolute) || chosen.absolute;
  // git runs the repository's hooks and reads its config: an untrusted workspace gets its pointer written, not committed.
  const trusted = vscode.workspace.isTrusted;
  return runCancellable(vscode.l10n.t('Snapshotting {0}', shown), vscode.l10n.t('Snapshot cancelled: no version was recorded.'), async (signal, progress) => {
    const phaseLabels: Record<SnapshotProgress['phase'], string> = {
      scanning: vscode.l10n.t('scanning files'),
      hashing: vscode.l10n.t('hashing'),
      profiling: vscode.l10n.t('profiling the tables'),
      recording: vscode.l10n.t('recording the version'),
    };
    let shownPercent = 0;
    const result = await snapshotDataset(project, chosen.absolute, {
      name: chosen.name,
      ...(chosen.message ? { message: chosen.message } : {}),
      signal,
      ...(trusted ? {} : { git: 'off' as const }),
      onProgress: (p) => {
        const [from, to] = PHASE_SPAN[p.phase];
        const percent = from + (p.total > 0 ? ((to - from) * p.done) / p.total : 0);
        progress.report({ message: phaseLabels[p.phase], increment: Math.max(0, percent - shownPercent) });
        shownPercent = Math.max(shownPercent, percent);
      },
    });
    if (!trusted && result.created) result.git?.notes.push(vscode.l10n.t('This workspace is not trusted, so git was not run: commit {0} yourself.', result.pointer));
    return result;
  });
}

/**
 * Long engine work in a cancellable notification. Cancelling aborts the engine, which leaves nothing half-written;
 * that is not an error, so it is said plainly. Returns undefined when cancelled.
 */
async function runCancellable<T>(
  title: string,
  cancelledMessage: string,
  work: (signal: AbortSignal, progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<T>,
): Promise<T | undefined> {
  const controller = new AbortController();
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      return work(controller.signal, progress);
    });
  } catch (err) {
    if (err instanceof MlopsError && err.code === 'CANCELLED') {
      void vscode.window.showInformationMessage(cancelledMessage);
      return undefined;
    }
    throw err;
  }
}

async function restoreRequest(project: Project, target: VersionNode | RestoreRequest | undefined): Promise<RestoreRequest | undefined> {
  const given = target && !('kind' in target) ? target : undefined;
  if (given && typeof given.reference !== 'string') {
    throw new MlopsError(vscode.l10n.t('Restore needs a version such as weather@1.'), vscode.l10n.t('Pass { reference: "name@N" }, or pick a version in the Datasets view.'));
  }
  if (given?.confirmed) return given;
  let chosen: ChosenVersion | undefined;
  if (given) {
    const { pointer, version } = resolveVersion(project, given.reference);
    chosen = { dataset: pointer.dataset, path: pointer.path, version };
  } else {
    chosen = (target as VersionNode | undefined) ?? (await pickVersion(project, vscode.l10n.t('Version to restore')));
  }
  if (!chosen) return undefined;
  const reference = `${chosen.dataset}@${chosen.version.id}`;
  const restore = vscode.l10n.t('Restore');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Restore {0} to {1}?', reference, chosen.path),
    { modal: true, detail: vscode.l10n.t('The data at {0} is replaced by version {1} ({2}).', chosen.path, chosen.version.id, formatDate(chosen.version.created)) },
    restore,
  );
  return answer === restore ? { reference, confirmed: true, force: given?.force } : undefined;
}

/** Restores; when the engine refuses to lose local changes, asks once whether to discard them. */
async function restoreWithConsent(project: Project, request: RestoreRequest) {
  const run = (force: boolean) => runCancellable(vscode.l10n.t('Restoring {0}', request.reference), vscode.l10n.t('Restore cancelled: the data was left as it was.'), (signal, progress) => {
    let shownPercent = 0;
    return restoreVersion(project, request.reference, {
      force,
      signal,
      onProgress: (done, total) => {
        const percent = total > 0 ? (100 * done) / total : 0;
        progress.report({ increment: Math.max(0, percent - shownPercent) });
        shownPercent = Math.max(shownPercent, percent);
      },
    });
  });
  try {
    return await run(Boolean(request.force));
  } catch (err) {
    if (!(err instanceof MlopsError) || err.code !== 'LOCAL_CHANGES' || request.force) throw err;
    const anyway = vscode.l10n.t('Restore Anyway');
    const answer = await vscode.window.showWarningMessage(err.message, { modal: true, detail: vscode.l10n.t('Snapshot the data first to keep these changes as a version.') }, anyway);
    return answer === anyway ? run(true) : undefined;
  }
}

/** Two versions of one dataset, older first: from the selection, completed or replaced by quick picks. */
async function versionsToCompare(project: Project, given: DatasetNode[]): Promise<[ChosenVersion, ChosenVersion] | undefined> {
  const versions = given.filter((n): n is VersionNode => n.kind === 'version');
  if (versions.length > 2 || new Set(versions.map((v) => v.dataset)).size > 1) {
    throw new MlopsError(vscode.l10n.t('Select two versions of the same dataset to compare.'), vscode.l10n.t('Ctrl+click (Cmd+click on macOS) two versions under one dataset, then choose "Compare Dataset Versions".'));
  }
  let pair: ChosenVersion[] = versions;
  if (pair.length === 1) {
    const other = await pickVersionOf(project, pair[0].dataset, vscode.l10n.t('Version to compare with v{0}', pair[0].version.id), pair[0].version.id);
    if (!other) return undefined;
    pair = [pair[0], other];
  } else if (pair.length === 0) {
    const dataset = await pickDataset(project, vscode.l10n.t('Dataset whose versions to compare'));
    if (!dataset) return undefined;
    const all = listVersions(project, dataset.name);
    if (all.length < 2) throw new MlopsError(vscode.l10n.t('{0} has only one version.', dataset.name), vscode.l10n.t('Snapshot it again after its data changes, then compare.'));
    const picked = await vscode.window.showQuickPick(all.slice().reverse().map((version) => ({ ...versionPickItem(version), version })), {
      canPickMany: true,
      placeHolder: vscode.l10n.t('Pick two versions to compare'),
    });
    if (!picked) return undefined;
    if (picked.length !== 2) throw new MlopsError(vscode.l10n.t('Pick exactly two versions to compare ({0} were picked).', picked.length), vscode.l10n.t('Run the command again and tick two versions.'));
    pair = picked.map((p) => ({ dataset: dataset.name, path: dataset.path, version: p.version }));
  }
  const [a, b] = pair[0].version.id <= pair[1].version.id ? pair : [pair[1], pair[0]];
  return [a, b];
}

async function pickDataset(project: Project, placeHolder: string) {
  const datasets = listDatasets(project).filter((d) => d.versions > 0);
  if (datasets.length === 0) {
    throw new MlopsError(vscode.l10n.t('No dataset has a version yet.'), vscode.l10n.t('Run "MLOps: Snapshot Dataset" on a data file or folder first.'));
  }
  if (datasets.length === 1) return datasets[0];
  const picked = await vscode.window.showQuickPick(datasets.map((d) => ({ label: d.name, description: d.path, dataset: d })), { placeHolder });
  return picked?.dataset;
}

async function pickVersion(project: Project, placeHolder: string): Promise<ChosenVersion | undefined> {
  const dataset = await pickDataset(project, placeHolder);
  return dataset && pickVersionOf(project, dataset.name, placeHolder);
}

async function pickVersionOf(project: Project, dataset: string, placeHolder: string, except?: number): Promise<ChosenVersion | undefined> {
  const pointerPath = listDatasets(project).find((d) => d.name === dataset)?.path ?? '';
  const versions = listVersions(project, dataset).filter((v) => v.id !== except).reverse();
  if (versions.length === 0) throw new MlopsError(vscode.l10n.t('{0} has only one version.', dataset), vscode.l10n.t('Snapshot it again after its data changes, then compare.'));
  const picked = await vscode.window.showQuickPick(versions.map((version) => ({ ...versionPickItem(version), version })), { placeHolder });
  return picked && { dataset, path: pointerPath, version: picked.version };
}

function versionPickItem(version: DatasetVersion): vscode.QuickPickItem {
  return { label: `v${version.id}`, description: [formatDate(version.created), version.message].filter(Boolean).join(' · '), detail: shortDigest(version.digest) };
}
