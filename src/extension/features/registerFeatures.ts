import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMA, listDatasets, readFirstRecord, TAB } from '../../core/data';
import { MlopsError } from '../../core/errors';
import { buildTrainingSetInWorker, keyPosition, resolveSource, type FeatureListing, type MaterializeResult, type WorkerBuildResult } from '../../core/features';
import { CONFIG_FILE, type Project } from '../../core/workspace';
import { runCliJson } from '../cliChild';
import { guarded as guardedCommand } from '../commandErrors';
import type { ProjectContext } from '../projectContext';
import { FeaturePreviewPanel } from './featurePreviewPanel';
import { FeaturesTree, type FeaturesNode } from './featuresTree';
import { serviceUsage, type ServiceUsage } from './serviceUsage';

/** What the extension's API exposes of the Features view (the integration tests read the tree through it). */
export interface FeaturesApi {
  tree: FeaturesTree;
  view: vscode.TreeView<FeaturesNode>;
  /** The open preview, when there is one. */
  preview(): FeaturePreviewPanel | undefined;
}

/** What Build Training Set is given by a script or a test instead of asking. */
interface BuildRequest {
  service: string;
  entities: string;
  output: string;
  timestamp?: string;
}

const DEFAULT_TIMESTAMP = 'event_timestamp';
const NO_USAGE: ServiceUsage = { runs: [], models: [] };

/** The editor face of features: the Features view, its commands, and a CodeLens on each view in mlops.yaml. */
export function registerFeatures(context: vscode.ExtensionContext, opened: ProjectContext): FeaturesApi {
  const usage = async (): Promise<Map<string, ServiceUsage>> => {
    const project = opened.project;
    const store = await opened.store().catch(() => undefined);
    return project && store ? serviceUsage(store, project.paths) : new Map();
  };
  const tree = new FeaturesTree(opened, async (service) => (await usage()).get(service) ?? NO_USAGE);
  const view = vscode.window.createTreeView('mlops.features', { treeDataProvider: tree, showCollapseAll: true });
  const project = (): Project => opened.requireProject();
  const listing = (): FeatureListing => {
    project();
    return tree.current()!;
  };
  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(opened.output, run);
  let preview: FeaturePreviewPanel | undefined;

  const pickService = async (): Promise<string | undefined> => {
    const services = listing().services;
    if (services.length === 0) throw new MlopsError(vscode.l10n.t('mlops.yaml declares no feature service.'), vscode.l10n.t('Add one under `features.services`.'), 'NO_FEATURE_SERVICE');
    if (services.length === 1) return services[0].name;
    const picked = await vscode.window.showQuickPick(services.map((s) => ({ label: s.name, description: s.features.join(', '), name: s.name })), { placeHolder: vscode.l10n.t('The feature service to build a training set of') });
    return picked?.name;
  };

  /** A dataset version or a file of entity rows, and the column that holds each row's time. */
  const pickEntities = async (p: Project): Promise<{ entities: string; columns: string[] } | undefined> => {
    const chooseFile = vscode.l10n.t('Choose a file…');
    const datasets = listDatasets(p).filter((d) => d.latest);
    const picked = await vscode.window.showQuickPick([
      ...datasets.map((d) => ({ label: `${d.name}@${d.latest!.id}`, description: d.path, detail: d.description })),
      { label: chooseFile, description: vscode.l10n.t('a CSV, TSV or Parquet file of entity rows') },
    ], { placeHolder: vscode.l10n.t('The entity rows: their keys and the time to look the features up at') });
    if (!picked) return undefined;
    if (picked.label !== chooseFile) return { entities: picked.label, columns: [...resolveSource(p, picked.label).columns.keys()] };
    const files = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.file(p.paths.root), canSelectMany: false, filters: { [vscode.l10n.t('Tables')]: ['csv', 'tsv', 'parquet'] } });
    if (!files?.[0]) return undefined;
    const file = files[0].fsPath;
    const header = /\.parquet$/i.test(file) ? undefined : readFirstRecord(file, /\.tsv$/i.test(file) ? TAB : COMMA);
    return { entities: path.relative(p.paths.root, file) || file, columns: header?.cells ?? [] };
  };

  const pickTimestamp = async (columns: string[]): Promise<string | undefined> => {
    if (columns.length === 0 || columns.includes(DEFAULT_TIMESTAMP)) return DEFAULT_TIMESTAMP;
    return vscode.window.showQuickPick(columns, { placeHolder: vscode.l10n.t('The column holding each entity row\'s time') });
  };

  const build = guarded(async (target?: FeaturesNode | BuildRequest) => {
    const p = project();
    let request: BuildRequest | undefined = target && !('kind' in target) ? target : undefined;
    if (!request) {
      const service = target && 'kind' in target && target.kind === 'service' ? target.name : await pickService();
      if (!service) return undefined;
      const entities = await pickEntities(p);
      if (!entities) return undefined;
      const timestamp = await pickTimestamp(entities.columns);
      if (!timestamp) return undefined;
      const saved = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(p.paths.root, `${service}-training.csv`)),
        filters: { CSV: ['csv'] },
        title: vscode.l10n.t('Save the training set of {0}', service),
      });
      if (!saved) return undefined;
      request = { service, entities: entities.entities, timestamp, output: saved.fsPath };
    }
    const { service, entities, output, timestamp } = request;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Building the training set of {0}', service), cancellable: true },
      async (progress, token): Promise<WorkerBuildResult | undefined> => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        try {
          return await buildTrainingSetInWorker(p.paths.root, service, entities, {
            output, signal: abort.signal, ...(timestamp ? { timestamp } : {}),
            onProgress: (b) => {
              // Three phases of equal weight: reading, joining, writing.
              const phase = ['reading', 'joining', 'writing'].indexOf(b.phase);
              const at = ((phase + (b.total ? b.done / b.total : 0)) / 3) * 100;
              progress.report({ message: phaseText(b.phase), increment: Math.max(0, at - reported) });
              reported = Math.max(reported, at);
            },
          });
        } catch (err) {
          if (token.isCancellationRequested) return undefined;
          throw err;
        } finally {
          cancel.dispose();
        }
      },
    );
    if (!result) return undefined;
    opened.output.info(`Built the training set of ${service} from ${entities}: ${result.rows} rows, ${result.columns.length} columns, in ${output}`);
    const open = vscode.l10n.t('Open');
    void vscode.window.showInformationMessage(vscode.l10n.t('Built {0} rows of {1} into {2}.', result.rows, service, path.basename(output)), open).then((choice) => {
      if (choice === open) void vscode.window.showTextDocument(vscode.Uri.file(output), { preview: true });
    });
    return result;
  });

  const materializeCommand = guarded(async (target?: FeaturesNode) => {
    const p = project();
    const views = target?.kind === 'view' ? [target.view.name] : [];
    const title = views.length ? vscode.l10n.t('Materializing {0}', views[0]) : vscode.l10n.t('Materializing the feature views');
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (_progress, token) => runCliJson<{ views: MaterializeResult[] }>(context.extensionUri, p.paths.root, ['features', 'materialize', ...views], token, vscode.l10n.t('mlops features materialize failed.')),
    );
    if (!result) return undefined;
    tree.refresh();
    for (const r of result.views) opened.output.info(`Materialized ${r.view} version ${r.version} as of ${r.end}: ${r.entities} entities, ${r.updated} computed`);
    const text = result.views.length === 0
      ? vscode.l10n.t('No feature views to materialize.')
      : result.views.map((r) => vscode.l10n.t('{0}: {1} entities as of {2} ({3} computed, {4} carried over)', r.view, r.entities, r.end.slice(0, 16).replace('T', ' '), r.updated, r.entities - r.updated)).join('; ');
    void vscode.window.showInformationMessage(vscode.l10n.t('Materialized. {0}.', text));
    return result.views;
  });

  const pickView = async (placeHolder: string) => {
    const views = listing().views;
    if (views.length === 0) throw new MlopsError(vscode.l10n.t('mlops.yaml declares no feature view.'), vscode.l10n.t('Add one under `features.views`.'), 'NO_FEATURE_VIEW');
    const picked = await vscode.window.showQuickPick(views.map((v) => ({ label: v.name, description: v.sourceVersion ?? v.source, v })), { placeHolder });
    return picked?.v;
  };

  const previewCommand = guarded(async (target?: FeaturesNode | string) => {
    const l = listing();
    const chosen = typeof target === 'string' ? l.views.find((v) => v.name === target) : target?.kind === 'view' || target?.kind === 'feature' ? target.view : await pickView(vscode.l10n.t('The view to preview'));
    if (!chosen) return undefined;
    preview = FeaturePreviewPanel.show(context.extensionUri, opened, chosen, l.services);
    return preview;
  });

  /** Opens mlops.yaml at the view's or the feature's key; returns where it landed (1-based line). */
  const goToDefinition = guarded(async (target?: FeaturesNode | { view: string; feature?: string }) => {
    const p = project();
    let keyPath: string[] | undefined;
    if (target && 'kind' in target) {
      if (target.kind === 'view') keyPath = ['features', 'views', target.view.name];
      else if (target.kind === 'feature') keyPath = ['features', 'views', target.view.name, 'features', target.feature.name];
      else if (target.kind === 'entity') keyPath = ['features', 'entities', target.name];
      else if (target.kind === 'service') keyPath = ['features', 'services', target.name];
    } else if (target) {
      keyPath = ['features', 'views', target.view, ...(target.feature ? ['features', target.feature] : [])];
    } else {
      const v = await pickView(vscode.l10n.t('The view to go to'));
      if (!v) return undefined;
      keyPath = ['features', 'views', v.name];
    }
    if (!keyPath) return undefined;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(p.paths.root, CONFIG_FILE)));
    const at = keyPosition(document.getText(), keyPath);
    if (!at) throw new MlopsError(vscode.l10n.t('{0} is not in mlops.yaml any more.', keyPath.slice(1).join('.')), vscode.l10n.t('Save mlops.yaml, then try again.'), 'NO_FEATURE_VIEW');
    const position = new vscode.Position(at.line - 1, at.column - 1);
    const key = keyPath[keyPath.length - 1];
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position.translate(0, key.length)), preview: true });
    return { line: at.line, column: at.column };
  });

  const lenses = new ViewUsageLenses(opened, tree, usage);

  context.subscriptions.push(
    tree, view, lenses,
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: `**/${CONFIG_FILE}` }, lenses),
    vscode.commands.registerCommand('mlops.refreshFeatures', () => tree.refresh()),
    vscode.commands.registerCommand('mlops.buildTrainingSet', build),
    vscode.commands.registerCommand('mlops.materializeFeatures', materializeCommand),
    vscode.commands.registerCommand('mlops.previewFeatures', previewCommand),
    vscode.commands.registerCommand('mlops.goToFeatureDefinition', goToDefinition),
    { dispose: () => preview?.dispose() },
  );
  return { tree, view, preview: () => preview };
}

function phaseText(phase: 'reading' | 'joining' | 'writing'): string {
  switch (phase) {
    case 'reading': return vscode.l10n.t('reading the tables');
    case 'joining': return vscode.l10n.t('joining as of each row\'s time');
    case 'writing': return vscode.l10n.t('writing the set');
  }
}

/**
 * "used by weather v3, v4" above each view in mlops.yaml: which registered models trained on a service holding the
 * view, so whoever edits a definition sees what depends on it. Read from the saved file's definitions.
 */
class ViewUsageLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly opened: ProjectContext, private readonly tree: FeaturesTree, private readonly usage: () => Promise<Map<string, ServiceUsage>>) {
    this.subscription = tree.onDidChangeTreeData(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const root = this.opened.root;
    if (!root || path.resolve(document.uri.fsPath) !== path.join(root, CONFIG_FILE) || !fs.existsSync(document.uri.fsPath)) return [];
    let listing: FeatureListing | undefined;
    try {
      listing = this.tree.current();
    } catch {
      return [];
    }
    if (!listing) return [];
    const used = await this.usage();
    const text = document.getText();
    return listing.views.flatMap((v) => {
      const at = keyPosition(text, ['features', 'views', v.name]);
      if (!at) return [];
      const models = listing.services
        .filter((s) => s.features.some((f) => f.startsWith(`${v.name}:`)))
        .flatMap((s) => used.get(s.name)?.models ?? []);
      const range = new vscode.Range(at.line - 1, 0, at.line - 1, 0);
      return [new vscode.CodeLens(range, { title: usedByText(models), command: 'mlops.features.focus', tooltip: vscode.l10n.t('Show the Features view') })];
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** "used by weather v3, v4 · air v1", or "not used by any model yet". */
export function usedByText(models: readonly { model: string; version: number }[]): string {
  if (models.length === 0) return vscode.l10n.t('not used by any model yet');
  const byModel = new Map<string, Set<number>>();
  for (const m of models) byModel.set(m.model, (byModel.get(m.model) ?? new Set()).add(m.version));
  const parts = [...byModel].map(([model, versions]) => `${model} ${[...versions].sort((a, b) => a - b).map((v) => `v${v}`).join(', ')}`);
  return vscode.l10n.t('used by {0}', parts.join(' · '));
}
