import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { stopServer } from '../../core/serve';
import type { ProjectPaths } from '../../core/workspace';
import { spawnCli } from '../cliChild';

/** What `mlops serve --json` prints once it listens (the first line of its stdout). */
export interface ServeStarted {
  pid: number;
  url: string;
  endpoints: { name: string; url: string; routes: { model: string; version: number | null; weight: number }[] }[];
}

/** Loading the models of a large registry takes a while; past this the child is taken to be stuck. */
const START_TIMEOUT_MS = 60_000;

/**
 * The model server the editor started: `mlops serve --json` in a child process of its own (a server must never run
 * in, or slow down, the extension host), its stdout and stderr into the MLOps output channel. A server that exits
 * without being asked to is reported once, with "Show Output" and "Start Again"; it is never restarted on its own,
 * which would loop on a server that cannot start. Stopping goes through the pid file, so a server started from a
 * terminal stops the same way.
 */
export class ServingProcess implements vscode.Disposable {
  private child: ChildProcessWithoutNullStreams | undefined;
  private stopping = false;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the editor's server started or ended. */
  readonly onDidChange = this.changed.event;
  /** What the last start was asked to serve: Restart and Start Again serve the same. */
  lastReferences: string[] | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly output: vscode.LogOutputChannel) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server and resolves once it listens; rejects with what it said on stderr when it cannot start. */
  start(root: string, references: string[], port?: number): Promise<ServeStarted> {
    if (this.child) return Promise.reject(new MlopsError(vscode.l10n.t('The editor already runs a model server for this project.'), vscode.l10n.t('Stop it first, or use "MLOps: Restart Serving".'), 'ALREADY_SERVING'));
    this.lastReferences = references;
    const args = ['serve', ...references, ...(port === undefined ? [] : ['--port', String(port)]), '--json'];
    this.output.info(`Starting: mlops ${args.join(' ')}`);
    const child = spawnCli(this.extensionUri, root, args, { detached: true });
    child.stdin.end();
    this.child = child;
    this.stopping = false;
    return new Promise((resolve, reject) => {
      let started: ServeStarted | undefined;
      let stdout = '';
      let lastError = '';
      const timer = setTimeout(() => {
        if (started) return;
        child.kill('SIGTERM');
        reject(new MlopsError(vscode.l10n.t('The model server did not start within {0} s.', START_TIMEOUT_MS / 1000), vscode.l10n.t('See the MLOps output for what it printed.'), 'SERVER_UNREACHABLE'));
      }, START_TIMEOUT_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        for (let nl = stdout.indexOf('\n'); nl !== -1; nl = stdout.indexOf('\n')) {
          const line = stdout.slice(0, nl).trim();
          stdout = stdout.slice(nl + 1);
          if (!line) continue;
          this.output.info(`[serve] ${line}`);
          if (started) continue;
          try {
            started = JSON.parse(line) as ServeStarted;
          } catch {
            continue;
          }
          clearTimeout(timer);
          this.changed.fire();
          resolve(started);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter((l) => l.trim())) {
          lastError = line;
          this.output.warn(`[serve] ${line}`);
        }
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        reject(err);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        this.changed.fire();
        if (!started) {
          // "Error: what" then the hint, as the CLI prints an MlopsError
          reject(new MlopsError(lastError.replace(/^[^:]*: /, '') || vscode.l10n.t('The model server exited before it listened (exit code {0}).', String(code ?? signal)), vscode.l10n.t('See the MLOps output for what it printed.'), 'SERVER_UNREACHABLE'));
          return;
        }
        this.output.info(`The model server (process ${child.pid}) exited: ${signal ?? `code ${code}`}`);
        if (!this.stopping) this.reportDeath(code, signal);
      });
    });
  }

  /**
   * Stops the project's server, whoever started it: SIGTERM drains requests in flight. Resolves once it has
   * stopped; undefined when none ran.
   */
  async stop(paths: ProjectPaths): Promise<{ pid: number; url: string } | undefined> {
    this.stopping = true;
    const child = this.child;
    const stopped = await stopServer(paths);
    if (child && this.child === child) {
      // The pid file is gone once it drained; its exit comes a moment later.
      await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    }
    this.changed.fire();
    return stopped && { pid: stopped.pid, url: stopped.url };
  }

  private reportDeath(code: number | null, signal: NodeJS.Signals | null): void {
    const showOutput = vscode.l10n.t('Show Output');
    const again = vscode.l10n.t('Start Again');
    const how = signal ? vscode.l10n.t('killed by {0}', signal) : vscode.l10n.t('exit code {0}', String(code));
    void vscode.window.showErrorMessage(vscode.l10n.t('The model server stopped unexpectedly ({0}).', how), showOutput, again).then((choice) => {
      if (choice === showOutput) this.output.show();
      if (choice === again) void vscode.commands.executeCommand('mlops.startServing', this.lastReferences ?? []);
    });
  }

  dispose(): void {
    // A server the editor started ends with the editor: nothing else would stop it.
    this.stopping = true;
    this.child?.kill('SIGTERM');
    this.changed.dispose();
  }
}
