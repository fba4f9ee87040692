import * as vscode from 'vscode';
import * as path from 'node:path';
import { exportOnnxFile } from '../../core/models';
import { MlopsError } from '../../core/errors';
import {
  archiveVersion, checkAliasName, checkModelName, ensureModelCard, getModel, listModels, readModelArtifact, registerModel, removeAlias,
  resolveModelVersion, setAlias, type ModelVersion,
} from '../../core/registry';
import { getRun, listRuns } from '../../core/tracking';
import { projectGit, type Project } from '../../core/workspace';
import { guarded as guardedCommand } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import { CompareVersionsPanel } from './compareVersionsPanel';
import { ModelsTree, keyMetricText, type ModelsNode } from './modelsTree';
import { reproduceInChild } from './reproduceInChild';

/** What the extension's API exposes of the Models view (the integration tests read the tree through it). */
export interface ModelsApi {
  tree: ModelsTree;
  view: vscode.TreeView<ModelsNode>;
}

/** A run to register: an item of the Runs view (its nodes carry the run), a run id, or everything given (scripts, tests). */
type RunTarget = { kind: 'run'; run: { id: string } } | string | { runId: string; model: string; alias?: string; description?: string };
/** A version to act on: a node of the Models view, or `name/N`, `name@alias`. */
type VersionTarget = ModelsNode | string;

const CONVENTIONAL_ALIASES = ['champion', 'challenger'];

/** An input box's validation from the engine's own check, so the box says exactly what the command would refuse. */
function validatedBy(check: (value: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    try {
      check(value);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

export function registerModels(context: vscode.ExtensionContext, opened: ProjectContext): ModelsApi {
  const tree = new ModelsTree(opened);
  const view = vscode.window.createTreeView('mlops.models', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });

  const project = (): Project => opened.requireProject();

  const versionOf = (target: VersionTarget | undefined): ModelVersion | undefined => {
    if (typeof target === 'string') return resolveModelVersion(project().paths, target);
    if (target?.kind === 'version' || target?.kind === 'lineage') return resolveModelVersion(project().paths, `${target.version.model}/${target.version.version}`);
    return undefined;
  };

  /** A version from the palette: every version of every model, newest first. */
  const pickVersion = async (placeHolder: string, filter: (v: ModelVersion) => boolean = () => true): Promise<ModelVersion | undefined> => {
    const versions = listModels(project().paths).flatMap((m) => [...m.versions].reverse()).filter(filter);
    if (versions.length === 0) throw new MlopsError(vscode.l10n.t('There is no model version to choose.'), vscode.l10n.t('Register a model from a finished training run first.'));
    const picked = await vscode.window.showQuickPick(versions.map((v) => ({
      label: `${v.model}/${v.version}`, description: [...v.aliases.map((a) => `@${a}`), keyMetricText(v)].join(' '), detail: v.created.slice(0, 19).replace('T', ' '), v,
    })), { placeHolder });
    return picked?.v;
  };

  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(opened.output, run);

  const askReason = () => vscode.window.showInputBox({ prompt: vscode.l10n.t('Why? (kept in the model\'s audit log; optional)'), ignoreFocusOut: true });

  const afterChange = async (reveal?: { model: string; version: number }) => {
    tree.refresh();
    if (!reveal) return;
    const model = listModels(project().paths).find((m) => m.name === reveal.model);
    const version = model?.versions.find((v) => v.version === reveal.version);
    if (version && view.visible) await view.reveal({ kind: 'version', version }, { select: true, focus: false, expand: false });
  };

  const register = guarded(async (target?: RunTarget) => {
    const p = project();
    const store = await opened.requireStore();
    let runId = typeof target === 'string' ? target : target && 'runId' in target ? target.runId : target?.run.id;
    if (!runId) {
      const finished = listRuns(store).filter((r) => r.status === 'finished');
      if (finished.length === 0) throw new MlopsError(vscode.l10n.t('There is no finished run to register.'), vscode.l10n.t('Train a model first (`mlops train`).'));
      const picked = await vscode.window.showQuickPick(finished.map((r) => ({ label: r.name ?? r.id, description: r.experiment, detail: r.id, id: r.id })), { placeHolder: vscode.l10n.t('The run whose model to register') });
      runId = picked?.id;
      if (!runId) return undefined;
    }
    let model = target && typeof target === 'object' && 'model' in target ? target.model : undefined;
    if (!model) {
      const run = getRun(store, runId);
      const existing = listModels(p.paths).map((m) => m.name);
      model = await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Register the model of run {0} as the next version of:', run.name ?? run.id),
        value: existing[0] ?? run.tags['mlops.target'] ?? p.config.project,
        validateInput: validatedBy(checkModelName),
        ignoreFocusOut: true,
      });
      if (!model) return undefined;
    }
    const options = target && typeof target === 'object' && 'runId' in target ? target : undefined;
    const result = await vscode.window.withProgress({ location: { viewId: 'mlops.models' } }, () =>
      registerModel(p, store, runId!, { model: model!, alias: options?.alias, description: options?.description }));
    await afterChange({ model: result.record.model, version: result.record.version });
    opened.output.info(`Registered run ${runId} as ${result.record.model}/${result.record.version}${options?.alias ? ` @${options.alias}` : ''}`);
    if (!options) {
      const setAliasAction = vscode.l10n.t('Set Alias');
      void vscode.window.showInformationMessage(vscode.l10n.t('Registered {0}/{1}. Commit {2} to share it.', result.record.model, result.record.version, result.folder), setAliasAction).then((choice) => {
        if (choice === setAliasAction) void vscode.commands.executeCommand('mlops.setModelAlias', `${result.record.model}/${result.record.version}`);
      });
    }
    return { model: result.record.model, version: result.record.version };
  });

  const setAliasCommand = guarded(async (target?: VersionTarget | { model: string; version: number; alias: string; reason?: string }) => {
    if (target && typeof target === 'object' && 'alias' in target) {
      const change = await setAlias(project().paths, target.model, target.alias, target.version, { reason: target.reason });
      opened.output.info(`Alias @${target.alias} of ${target.model} set to version ${target.version}`);
      await afterChange(target);
      return change;
    }
    const version = versionOf(target) ?? (await pickVersion(vscode.l10n.t('The version to point an alias at'), (v) => !v.archived));
    if (!version) return undefined;
    if (version.archived) throw new MlopsError(vscode.l10n.t('{0}/{1} is archived and cannot hold an alias.', version.model, version.version));
    const current = getModel(project().paths, version.model).aliases;
    const names = [...new Set([...CONVENTIONAL_ALIASES, ...Object.keys(current)])];
    const other = vscode.l10n.t('Another alias…');
    const picked = await vscode.window.showQuickPick([
      ...names.map((a) => ({
        label: `@${a}`, alias: a,
        description: current[a] === undefined ? '' : current[a] === version.version ? vscode.l10n.t('already here') : vscode.l10n.t('now on version {0}', current[a]),
      })),
      { label: other, alias: '', description: '' },
    ], { placeHolder: vscode.l10n.t('Alias to point at {0}/{1}', version.model, version.version) });
    if (!picked) return undefined;
    let alias = picked.alias;
    if (!alias) {
      alias = (await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Alias name (lower-case letters, digits, - and _)'),
        validateInput: validatedBy(checkAliasName),
      })) ?? '';
      if (!alias) return undefined;
    }
    const reason = await askReason();
    if (reason === undefined) return undefined;
    const change = await setAlias(project().paths, version.model, alias, version.version, { reason });
    opened.output.info(`Alias @${alias} of ${version.model} set to version ${version.version}`);
    await afterChange(version);
    return change;
  });

  const removeAliasCommand = guarded(async (target?: VersionTarget) => {
    const version = versionOf(target) ?? (await pickVersion(vscode.l10n.t('The version whose alias to remove'), (v) => v.aliases.length > 0));
    if (!version) return undefined;
    const alias = version.aliases.length === 1 ? version.aliases[0] : await vscode.window.showQuickPick(version.aliases, { placeHolder: vscode.l10n.t('Alias to remove') });
    if (!alias) return undefined;
    const reason = await askReason();
    if (reason === undefined) return undefined;
    const change = await removeAlias(project().paths, version.model, alias, { reason });
    opened.output.info(`Alias @${alias} of ${version.model} removed (it was on version ${version.version})`);
    await afterChange();
    return change;
  });

  const archive = guarded(async (target?: VersionTarget) => {
    const version = versionOf(target) ?? (await pickVersion(vscode.l10n.t('The version to archive'), (v) => !v.archived));
    if (!version) return undefined;
    const confirm = vscode.l10n.t('Archive');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Archive {0}/{1}?', version.model, version.version),
      { modal: true, detail: vscode.l10n.t('It stays readable and reproducible, but can no longer hold an alias, and @latest skips it.') },
      confirm,
    );
    if (answer !== confirm) return undefined;
    const reason = await askReason();
    if (reason === undefined) return undefined;
    const result = await archiveVersion(project().paths, version.model, version.version, { reason });
    await afterChange();
    return result;
  });

  const compare = guarded(async (target?: VersionTarget, selected?: VersionTarget[]) => {
    const chosen = (selected?.length && target && selected.includes(target) ? selected : target ? [target] : []).map(versionOf).filter((v): v is ModelVersion => v !== undefined);
    let a: ModelVersion | undefined = chosen[0];
    let b: ModelVersion | undefined = chosen[1];
    a ??= await pickVersion(vscode.l10n.t('The first version to compare'));
    if (!a) return undefined;
    if (!b || b.model !== a.model) {
      const first = a;
      b = await pickVersion(vscode.l10n.t('The version of {0} to compare with version {1}', first.model, first.version), (v) => v.model === first.model && v.version !== first.version);
    }
    if (!b) return undefined;
    await CompareVersionsPanel.show(context.extensionUri, opened.output, project(), a, b);
    return [a.version, b.version].sort((x, y) => x - y);
  });

  const openCard = guarded(async (target?: VersionTarget) => {
    const version = versionOf(target) ?? (await pickVersion(vscode.l10n.t('The version whose model card to open')));
    if (!version) return undefined;
    const file = ensureModelCard(project(), version);
    try {
      // Rendered, as a person reads it; the preview's "Open source" button leads to the Markdown.
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
    } catch {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    }
    return file;
  });

  const reproduce = guarded(async (target?: VersionTarget) => {
    const version = versionOf(target) ?? (await pickVersion(vscode.l10n.t('The version to reproduce'), (v) => v.lineage.trainingConfig !== null));
    if (!version) return undefined;
    const reference = `${version.model}/${version.version}`;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Training {0} again from its lineage…', reference), cancellable: true },
      (_progress, token) => reproduceInChild(context.extensionUri, project().paths.root, reference, token),
    );
    if (!result) return undefined;
    const notes = result.notes.length ? ` ${result.notes.join(' ')}` : '';
    if (result.identical) void vscode.window.showInformationMessage(vscode.l10n.t('{0} is reproducible: the new artifact is identical, byte for byte.', reference) + notes);
    else void vscode.window.showWarningMessage(vscode.l10n.t('{0} did not reproduce identically. What differs: {1}.', reference, result.differences.join('; ')) + notes);
    return result;
  });

  /** Writes a version's model as ONNX: where the save dialog says, or to `output` when a script gives one. */
  const exportOnnx = guarded(async (target?: VersionTarget | { version: string; output: string }) => {
    const given = target && typeof target === 'object' && 'output' in target ? target : undefined;
    const version = versionOf(given ? given.version : (target as VersionTarget | undefined)) ?? (await pickVersion(vscode.l10n.t('The version to export to ONNX')));
    if (!version) return undefined;
    const p = project();
    let output = given?.output;
    if (!output) {
      const chosen = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(p.paths.root, `${version.model}-v${version.version}.onnx`)),
        filters: { ONNX: ['onnx'] },
        title: vscode.l10n.t('Export {0}/{1} to ONNX', version.model, version.version),
      });
      if (!chosen) return undefined;
      output = chosen.fsPath;
    }
    const { model, bytes } = exportOnnxFile(readModelArtifact(p, version), output);
    opened.output.info(`Exported ${version.model}/${version.version} (${model.family}) to ONNX: ${output} (${bytes} bytes)`);
    const reveal = vscode.l10n.t('Reveal in Explorer');
    void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0}/{1} ({2} model) to {3}.', version.model, version.version, model.family, path.basename(output)), reveal).then((choice) => {
      if (choice === reveal) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(output!));
    });
    return { output, bytes, family: model.family };
  });

  const showRun = guarded(async (runId?: string) => {
    if (!runId) return;
    // The Runs view's own panel when it is there; the run's record otherwise.
    if ((await vscode.commands.getCommands(true)).includes('mlops.showRunMetrics')) {
      await vscode.commands.executeCommand('mlops.showRunMetrics', runId);
      return;
    }
    const run = getRun(await opened.requireStore(), runId);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(run, null, 2) }));
  });

  const showCommit = guarded(async (commit?: string) => {
    if (!commit) return;
    let content: string;
    try {
      // No external diff or textconv: those run commands a repository's config names, even in an untrusted workspace.
      content = await projectGit(project().paths.root).raw(['show', '--stat', '--no-ext-diff', '--no-textconv', '--format=fuller', commit]);
    } catch (err) {
      throw new MlopsError(vscode.l10n.t('Commit {0} cannot be shown: {1}', commit.slice(0, 12), (err as Error).message.trim()), vscode.l10n.t('Fetch it (`git fetch`) if it was made in another clone.'));
    }
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'git-commit', content }), { preview: true });
  });

  context.subscriptions.push(
    tree, view,
    vscode.commands.registerCommand('mlops.refreshModels', () => tree.refresh()),
    vscode.commands.registerCommand('mlops.registerModel', register),
    vscode.commands.registerCommand('mlops.setModelAlias', setAliasCommand),
    vscode.commands.registerCommand('mlops.removeModelAlias', removeAliasCommand),
    vscode.commands.registerCommand('mlops.archiveModelVersion', archive),
    vscode.commands.registerCommand('mlops.compareModelVersions', compare),
    vscode.commands.registerCommand('mlops.openModelCard', openCard),
    vscode.commands.registerCommand('mlops.reproduceModelVersion', reproduce),
    vscode.commands.registerCommand('mlops.exportModelOnnx', exportOnnx),
    vscode.commands.registerCommand('mlops.showModelRun', showRun),
    vscode.commands.registerCommand('mlops.showModelCommit', showCommit),
  );
  return { tree, view };
}
