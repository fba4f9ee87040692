import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { endpointSpecs } from '../../core/serve';
import { listModels } from '../../core/registry';
import type { Project } from '../../core/workspace';
import { guarded as guardedCommand } from '../commandErrors';
import type { ModelsApi } from '../models/registerModels';
import type { ModelsNode } from '../models/modelsTree';
import type { ProjectContext } from '../projectContext';
import { ServingProcess, type ServeStarted } from './servingProcess';
import { ServingStatus } from './servingStatus';

/** What the extension's API exposes of serving (the integration tests drive it). */
export interface ServingApi {
  process: ServingProcess;
  status: ServingStatus;
}

/** What Start Serving is given by a script or a test instead of asking: model references (none: `serving:`), a port. */
type StartRequest = string[] | { references: string[]; port?: number };

/**
 * The editor face of serving: Start, Stop and Restart Serving (the server runs as `mlops serve` in a process of its
 * own, only in a trusted workspace), and the running server's endpoints at the top of the Models view with their
 * live counters.
 */
export function registerServing(context: vscode.ExtensionContext, opened: ProjectContext, models: ModelsApi): ServingApi {
  const server = new ServingProcess(context.extensionUri, opened.output);
  const status = new ServingStatus(opened, () => models.view.visible);
  const guarded = <A extends unknown[], R>(run: (...args: A) => Promise<R>) => guardedCommand(opened.output, run);
  const project = (): Project => opened.requireProject();

  /** Endpoints of `serving:` as one choice, then each model@alias of the registry. */
  const pickReferences = async (p: Project): Promise<string[] | undefined> => {
    const serving = p.config.serving;
    // `serving:` may set only the port or the host: then it declares no endpoint of its own.
    const declared = serving?.endpoints || serving?.model ? endpointSpecs(serving, []) : [];
    const aliases = listModels(p.paths).flatMap((m) => Object.entries(m.aliases).map(([alias, version]) => ({ reference: `${m.name}@${alias}`, version })));
    if (declared.length === 0 && aliases.length === 0) {
      throw new MlopsError(vscode.l10n.t('There is nothing to serve: no endpoint in mlops.yaml and no model with an alias.'), vscode.l10n.t('Register a model and set an alias (champion), or declare `serving:` in mlops.yaml.'), 'NOTHING_TO_SERVE');
    }
    const fromConfig = vscode.l10n.t('The endpoints of mlops.yaml');
    const picked = await vscode.window.showQuickPick([
      ...(declared.length ? [{ label: fromConfig, description: declared.map((e) => e.name).join(', '), reference: '' }] : []),
      ...aliases.map((a) => ({ label: a.reference, description: vscode.l10n.t('version {0}', a.version), reference: a.reference })),
    ], { placeHolder: vscode.l10n.t('What to serve') });
    if (!picked) return undefined;
    // The endpoints of mlops.yaml are served when no model is named; naming one serves only it.
    return picked.reference === '' ? [] : [picked.reference];
  };

  const start = guarded(async (request?: StartRequest): Promise<ServeStarted | undefined> => {
    if (!vscode.workspace.isTrusted) {
      throw new MlopsError(vscode.l10n.t('A model server starts only in a trusted workspace: it loads and runs this folder\'s models.'), vscode.l10n.t('Trust the folder ("Workspaces: Manage Workspace Trust"), then try again.'));
    }
    const p = project();
    const references = Array.isArray(request) ? request : request ? request.references : await pickReferences(p);
    if (!references) return undefined;
    const port = request && !Array.isArray(request) ? request.port : undefined;
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the model server…') },
      () => server.start(p.paths.root, references, port),
    );
    await status.poll();
    const copy = vscode.l10n.t('Copy URL');
    void vscode.window.showInformationMessage(vscode.l10n.t('Serving {0} on {1}.', started.endpoints.map((e) => e.name).join(', '), started.url), copy).then((choice) => {
      if (choice === copy) void vscode.env.clipboard.writeText(started.url);
    });
    return started;
  });

  const stop = guarded(async () => {
    const stopped = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the model server (answering the requests in flight first)…') },
      () => server.stop(project().paths),
    );
    await status.poll();
    if (stopped) void vscode.window.showInformationMessage(vscode.l10n.t('Stopped the model server on {0}.', stopped.url));
    else void vscode.window.showInformationMessage(vscode.l10n.t('No model server was running for this project.'));
    return stopped;
  });

  const restart = guarded(async () => {
    const references = server.lastReferences;
    await stop();
    return start(references ?? undefined);
  });

  const endpointUrl = (node?: ModelsNode): string | undefined => {
    if (node?.kind === 'endpoint') return node.endpoint.url;
    if (node?.kind === 'serving') return node.snapshot.state.url;
    return status.snapshot?.state.url;
  };

  context.subscriptions.push(
    server, status,
    models.tree.showServing(status),
    models.view.onDidChangeVisibility(() => status.follow()),
    opened.onDidChange(() => void status.poll()),
    server.onDidChange(() => void status.poll()),
    vscode.commands.registerCommand('mlops.startServing', start),
    vscode.commands.registerCommand('mlops.stopServing', stop),
    vscode.commands.registerCommand('mlops.restartServing', restart),
    vscode.commands.registerCommand('mlops.copyEndpointUrl', guarded(async (node?: ModelsNode) => {
      const url = endpointUrl(node);
      if (url) await vscode.env.clipboard.writeText(url);
      return url;
    })),
    vscode.commands.registerCommand('mlops.openServerMetadata', guarded(async (node?: ModelsNode) => {
      const base = node?.kind === 'endpoint' ? node.endpoint.url.replace(/\/endpoints\/.*$/, '') : endpointUrl(node);
      // GET /v2 is the server's Open Inference Protocol metadata: readable in a browser, unlike the POST endpoints.
      if (base) await vscode.env.openExternal(vscode.Uri.parse(`${base}/v2`));
    })),
  );
  status.follow();
  void status.poll();
  return { process: server, status };
}
