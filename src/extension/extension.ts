import * as vscode from 'vscode';
import { useBundle } from '../core/l10n';
import { ConfigDiagnostics } from './configDiagnostics';
import { registerProjectCommands } from './commands/projectCommands';
import { registerModels, type ModelsApi } from './models/registerModels';
import { ModelHealthStatus } from './modelHealthStatus';
import { ProjectContext } from './projectContext';
import { registerRuns, type RunsApi } from './runs/registerRuns';
import { registerTraining } from './training/trainingCommands';
import { registerDatasets, type DatasetsFace } from './datasets';
import { registerFeatures, type FeaturesApi } from './features/registerFeatures';
import { registerServing, type ServingApi } from './serving/registerServing';
import { registerRetraining } from './retraining/registerRetraining';
import { registerMonitoring, type MonitoringApi } from './monitoring/registerMonitoring';

/** What the extension returns from activate(): used by the integration tests and by other extensions. */
/** Set by the first line of the bundle (an esbuild banner), so activation time includes loading the code. */
declare const __mlopsLoadStart: number | undefined;
const loadStarted = typeof __mlopsLoadStart === 'number' ? __mlopsLoadStart : performance.now();

export interface MlopsApi {
  /** Milliseconds from loading the bundle to the end of activate(). */
  activationMs: number;
  project: ProjectContext;
  diagnostics: ConfigDiagnostics;
  status: ModelHealthStatus;
  output: vscode.LogOutputChannel;
  models: ModelsApi;
  runs: RunsApi;
  datasets: DatasetsFace;
  monitoring: MonitoringApi;
  features: FeaturesApi;
  serving: ServingApi;
}

export function activate(context: vscode.ExtensionContext): MlopsApi {
  // The engine translates its own messages; give it the bundle VS Code chose for the display language.
  useBundle(vscode.l10n.bundle);
  const output = vscode.window.createOutputChannel('MLOps', { log: true });
  const project = new ProjectContext(output);
  const diagnostics = new ConfigDiagnostics();
  const status = new ModelHealthStatus(project);
  context.subscriptions.push(output, project, diagnostics, status);

  // Each capability's editor face registers its views and commands, given the one project context; a new capability
  // adds its own line here.
  registerProjectCommands(context, project);
  const datasets = registerDatasets(context, project);
  const features = registerFeatures(context, project);
  const runs = registerRuns(context, project);
  registerTraining(context, project);
  const models = registerModels(context, project);
  registerRetraining(context, project);
  const monitoring = registerMonitoring(context, project, status);
  const serving = registerServing(context, project, models);

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.focusModels', () => vscode.commands.executeCommand('mlops.models.focus')),
    vscode.commands.registerCommand('mlops.showOutput', () => output.show()),
  );
  void diagnostics.checkWorkspace();

  const activationMs = Math.round((performance.now() - loadStarted) * 10) / 10;
  output.info(`MLOps Workbench activated in ${activationMs} ms`);
  return { activationMs, project, diagnostics, status, output, runs, datasets, models, monitoring, features, serving };
}

export function deactivate(): void {
  // every resource is in context.subscriptions, which VS Code disposes
}
