import * as vscode from 'vscode';
import { useBundle } from '../core/l10n';
import { ConfigDiagnostics } from './configDiagnostics';
import { registerProjectCommands } from './commands/projectCommands';
import { registerModels, type ModelsApi } from './models/registerModels';
import { ModelHealthStatus } from './modelHealthStatus';
import { ProjectWatcher } from './projectWatcher';
import { registerRuns, type RunsApi } from './runs/registerRuns';
import { registerTraining } from './training/trainingCommands';
import { registerDatasets, type DatasetsFace } from './datasets';
import { declaredFeatures, registerDeclaredTree } from './views/declaredTrees';

/** What the extension returns from activate(): used by the integration tests and by other extensions. */
/** Set by the first line of the bundle (an esbuild banner), so activation time includes loading the code. */
declare const __mlopsLoadStart: number | undefined;
const loadStarted = typeof __mlopsLoadStart === 'number' ? __mlopsLoadStart : performance.now();

export interface MlopsApi {
  /** Milliseconds from loading the bundle to the end of activate(). */
  activationMs: number;
  project: ProjectWatcher;
  diagnostics: ConfigDiagnostics;
  status: ModelHealthStatus;
  output: vscode.LogOutputChannel;
  models: ModelsApi;
  runs: RunsApi;
  datasets: DatasetsFace;
}

export function activate(context: vscode.ExtensionContext): MlopsApi {
  // The engine translates its own messages; give it the bundle VS Code chose for the display language.
  useBundle(vscode.l10n.bundle);
  const output = vscode.window.createOutputChannel('MLOps', { log: true });
  const project = new ProjectWatcher();
  const diagnostics = new ConfigDiagnostics();
  const status = new ModelHealthStatus();
  context.subscriptions.push(output, project, diagnostics, status);

  // Each view is registered by the module that owns it; a capability's editor face adds its own line here.
  const datasets = registerDatasets(context, project, output);
  registerDeclaredTree(context, project, 'mlops.features', declaredFeatures);
  const runs = registerRuns(context, { project, output });
  registerTraining(context, { project, output, runs });
  const models = registerModels(context, { project, output });

  registerProjectCommands(context, { project, output });
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.focusModels', () => vscode.commands.executeCommand('mlops.models.focus')),
    vscode.commands.registerCommand('mlops.showOutput', () => output.show()),
  );
  void diagnostics.checkWorkspace();

  const activationMs = Math.round((performance.now() - loadStarted) * 10) / 10;
  output.info(`MLOps Workbench activated in ${activationMs} ms`);
  return { activationMs, project, diagnostics, status, output, runs, datasets, models };
}

export function deactivate(): void {
  // every resource is in context.subscriptions, which VS Code disposes
}
