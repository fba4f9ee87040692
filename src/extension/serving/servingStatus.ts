import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { fetchServerJson, runningServer, type ServerMetrics, type ServerState } from '../../core/serve';
import type { ProjectContext } from '../projectContext';

/** The project's running server as the Models view shows it: its pid file, and its live counters when it answered. */
export interface ServingSnapshot {
  state: ServerState;
  metrics?: ServerMetrics;
  /** Why the counters could not be read (the server is starting, or stuck). */
  problem?: string;
}

/** How often the counters are read while the Models view is visible: requests/s and p99 move by the second. */
export const POLL_MS = 2000;

/**
 * Reads the project's server (whoever started it: the editor or `mlops serve` in a terminal) from its pid file and
 * its /metrics every two seconds, only while `visible()` says someone looks. Each read that changed what is known
 * fires onDidChange.
 */
export class ServingStatus implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  snapshot: ServingSnapshot | undefined;

  constructor(private readonly project: ProjectContext, private readonly visible: () => boolean) {}

  /** Polls while visible; call when the view's visibility changes. */
  follow(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.visible()) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  /** Reads the server now (after a start or a stop); concurrent calls share one read. */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async read(): Promise<void> {
    const project = this.project.project;
    const state = project && runningServer(project.paths);
    let next: ServingSnapshot | undefined;
    if (state) {
      const tokenEnv = project.config.serving?.auth?.tokenEnv;
      try {
        next = { state, metrics: (await fetchServerJson(state, '/metrics', tokenEnv ? process.env[tokenEnv] : undefined, POLL_MS)) as ServerMetrics };
      } catch (err) {
        next = { state, problem: describeError(err) };
      }
    }
    const before = this.snapshot;
    this.snapshot = next;
    if (before || next) this.changed.fire();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}
