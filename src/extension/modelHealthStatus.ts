import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { monitorChecks, type ModelHealth, type MonitorCheck } from '../core/monitor';
import { fetchServerJson, runningServer, type ServerMetrics } from '../core/serve';
import type { Project } from '../core/workspace';
import type { ProjectContext } from './projectContext';

/** Between 2 and 5 s: fresh enough to watch traffic arrive, rare enough to cost nothing. */
const POLL_MS = 3000;
/** Recorded checks read to find the newest of the version being served. */
const RECENT_CHECKS = 50;

/** The model the running server answers with by default, and its live counters (from the server's /metrics). */
export interface ServedModel {
  /** As the endpoint names it: `weather@champion`. */
  reference: string;
  model: string;
  /** The version answering now; null while it loads. */
  version: number | null;
  url: string;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p99Ms: number | null;
}

/** What the status bar knows: no server, a server that does not answer, or the served model and its health. */
export type StatusState =
  | { kind: 'idle' }
  | { kind: 'unreachable'; url: string; message: string }
  | { kind: 'served'; served: ServedModel; check: MonitorCheck | undefined };

export interface HealthChange {
  served: ServedModel;
  from: ModelHealth;
  check: MonitorCheck;
}

const ICONS: Record<ModelHealth, string> = { ok: 'pass', warning: 'warning', drift: 'error', 'no-data': 'circle-large-outline' };
const BACKGROUNDS: Partial<Record<ModelHealth, string>> = { warning: 'statusBarItem.warningBackground', drift: 'statusBarItem.errorBackground' };

export function healthWord(health: ModelHealth | undefined): string {
  switch (health) {
    case 'ok': return vscode.l10n.t('ok');
    case 'warning': return vscode.l10n.t('warning');
    case 'drift': return vscode.l10n.t('drift');
    default: return vscode.l10n.t('no data yet');
  }
}

/** The token `/metrics` needs when mlops.yaml asks requests for one (read from the environment it names). */
function serverToken(project: Project): string | undefined {
  const tokenEnv = project.config.serving?.auth?.tokenEnv;
  return tokenEnv ? process.env[tokenEnv] : undefined;
}

/** The default endpoint's heaviest route: the model most requests reach. */
function servedOf(metrics: ServerMetrics): ServedModel | undefined {
  const endpoint = metrics.endpoints.find((e) => e.default) ?? metrics.endpoints[0];
  const route = endpoint && [...endpoint.routes].sort((a, b) => b.weight - a.weight)[0];
  if (!route) return undefined;
  return {
    reference: route.model, model: route.model.split(/[@/]/)[0], version: route.version, url: endpoint.url,
    requests: endpoint.requests, errors: endpoint.errors, requestsPerSecond: endpoint.requestsPerSecond, p99Ms: endpoint.p99Ms,
  };
}

/**
 * The status bar item of the served model: which model@alias and version answers, its requests/s, p99 and errors
 * (the running server's /metrics, polled while a server runs), and the health of its newest recorded check (ok,
 * warning, drift, no data yet), coloured by health with the reason in the tooltip. Clicking opens the drift
 * dashboard, or the Models view when nothing is served. A change of health is announced through onDidChangeHealth.
 */
export class ModelHealthStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.modelHealth', vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<HealthChange>();
  /** Fired when the served version's health differs from what it was (ok → drift, no data → warning...). */
  readonly onDidChangeHealth = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly timer: NodeJS.Timeout;
  /** The health last seen per served `model/version`. */
  private readonly seen = new Map<string, ModelHealth>();
  private polling: Promise<void> | undefined;
  state: StatusState = { kind: 'idle' };

  constructor(private readonly project: ProjectContext) {
    this.item.name = vscode.l10n.t('MLOps Model Health');
    this.render();
    this.item.show();
    this.disposables.push(
      project.onDidChange(() => void this.refresh()),
      // `mlops monitor` in a terminal, or the editor's own check, records a check: show it at once
      project.onDidChangeStore(() => void this.refresh()),
    );
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
    void this.refresh();
  }

  /** Reads the server's counters and the newest check now; concurrent calls share one reading. */
  refresh(): Promise<void> {
    return (this.polling ??= this.read().finally(() => (this.polling = undefined)));
  }

  private async read(): Promise<void> {
    const project = this.project.project;
    const server = project && runningServer(project.paths);
    if (!project || !server) {
      this.state = { kind: 'idle' };
      return this.render();
    }
    let served: ServedModel | undefined;
    try {
      served = servedOf((await fetchServerJson(server, '/metrics', serverToken(project), 2000)) as ServerMetrics);
    } catch (err) {
      this.state = { kind: 'unreachable', url: server.url, message: describeError(err) };
      return this.render();
    }
    if (!served) {
      this.state = { kind: 'unreachable', url: server.url, message: vscode.l10n.t('The server has no endpoint.') };
      return this.render();
    }
    const check = await this.latestCheck(served);
    this.state = { kind: 'served', served, check };
    this.render();
    if (check && served.version !== null) {
      const key = `${served.model}/${served.version}`;
      const from = this.seen.get(key) ?? 'no-data';
      this.seen.set(key, check.health);
      if (from !== check.health) this.changed.fire({ served, from, check });
    }
  }

  /** The newest check of the version being served: a check of the version it replaced says nothing about it. */
  private async latestCheck(served: ServedModel): Promise<MonitorCheck | undefined> {
    try {
      const store = await this.project.store();
      return store && monitorChecks(store, { model: served.model, limit: RECENT_CHECKS }).find((c) => c.version === served.version);
    } catch (err) {
      this.project.output.warn(`Model health: the metadata store cannot be read: ${describeError(err)}`);
      return undefined;
    }
  }

  private render(): void {
    const state = this.state;
    const item = this.item;
    item.backgroundColor = undefined;
    if (state.kind === 'idle') {
      item.text = `$(circle-slash) ${vscode.l10n.t('MLOps: no model served')}`;
      item.tooltip = vscode.l10n.t('No model is being served. Click to open the Models view.');
      item.accessibilityInformation = { label: vscode.l10n.t('MLOps: no model served') };
      item.command = 'mlops.focusModels';
      return;
    }
    if (state.kind === 'unreachable') {
      item.text = `$(debug-disconnect) ${vscode.l10n.t('MLOps: server not answering')}`;
      item.tooltip = `${state.url}\n\n${state.message}`;
      item.accessibilityInformation = { label: vscode.l10n.t('MLOps: server not answering') };
      item.command = 'mlops.focusModels';
      return;
    }
    const { served, check } = state;
    const health = check?.health ?? 'no-data';
    const version = served.version === null ? vscode.l10n.t('loading') : `v${served.version}`;
    const rate = Number(served.requestsPerSecond.toPrecision(3));
    const p99 = served.p99Ms === null ? '–' : `${Number(served.p99Ms.toPrecision(3))} ms`;
    item.text = `$(${ICONS[health]}) ${served.reference} ${version} · ${vscode.l10n.t('{0} req/s', rate)} · p99 ${p99} · ${vscode.l10n.t('{0} errors', served.errors)} · ${healthWord(health)}`;
    const background = BACKGROUNDS[health];
    item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${served.reference}** ${version} · ${healthWord(health)}\n\n`);
    tooltip.appendText(check ? `${check.reason}\n\n` : vscode.l10n.t('No check of this version was recorded yet: send traffic, then wait for the next check or run "MLOps: Check Model Health Now".') + '\n\n');
    if (check) tooltip.appendText(vscode.l10n.t('Checked {0} on {1} predictions.', check.at.slice(0, 19).replace('T', ' '), check.window.rows) + '\n\n');
    tooltip.appendText(vscode.l10n.t('{0} requests, {1} errors, at {2}', served.requests, served.errors, served.url) + '\n\n');
    tooltip.appendText(vscode.l10n.t('Click to open the drift dashboard.'));
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${served.reference} ${version}, ${healthWord(health)}` };
    item.command = { command: 'mlops.openDriftDashboard', title: vscode.l10n.t('Open Drift Dashboard'), arguments: [served.reference] };
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const t = this.item.tooltip;
    return typeof t === 'string' ? t : t?.value ?? '';
  }

  get background(): string | undefined {
    return this.item.backgroundColor?.id;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
