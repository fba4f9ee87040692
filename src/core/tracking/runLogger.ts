import * as os from 'node:os';
import * as path from 'node:path';
import { hashFile } from '../storage';
import type { TrackingRecord } from './records';
import { JournalWriter } from '../store';
import type { MetadataStore } from '../store';
import { captureEnvironment, captureGit } from './environment';
import { newRunId, runFiles } from './runIds';
import type { RunStatus } from './schema';

export const DEFAULT_EXPERIMENT = 'default';

export interface StartRunOptions {
  experiment?: string;
  name?: string;
  parent?: string;
  /** The command the run executes, as typed. */
  command?: readonly string[];
  /** Record OS, CPU, Node and Python versions, lockfile hashes and the git state (a few hundred ms). */
  captureEnvironment?: boolean;
}

/**
 * Starts a run: its start record goes to the store's journal, so every reader learns of it, and everything after to
 * the run's own log, the same file (MLOPS_LOG_FILE) the run's code in any language appends to.
 */
export async function startRun(store: MetadataStore, options: StartRunOptions = {}): Promise<RunLogger> {
  const id = newRunId();
  const files = runFiles(store.paths.state, id);
  const root = store.paths.root;
  const capture = options.captureEnvironment ?? false;
  const git = capture ? await captureGit(root) : null;
  store.append([
    {
      type: 'run_start',
      run: id,
      experiment: options.experiment ?? DEFAULT_EXPERIMENT,
      name: options.name,
      parent: options.parent,
      start: Date.now(),
      command: options.command ? [...options.command] : undefined,
      git: git ?? undefined,
      environment: capture ? captureEnvironment(root) : undefined,
      owner: { pid: process.pid, host: os.hostname() },
    },
  ]);
  return new RunLogger(id, files.log);
}

/** Logs to one run. Each call is acknowledged (survives this process being killed) when it returns. */
export class RunLogger {
  private readonly journal: JournalWriter;

  constructor(readonly id: string, readonly logFile: string) {
    this.journal = new JournalWriter(logFile);
  }

  logMetric(key: string, value: number, step?: number, timestamp = Date.now()): void {
    this.write({ type: 'metric', key, value: jsonNumber(value), step, timestamp });
  }

  /** Many points of one metric in one record: the fast path for training loops that buffer. */
  logMetrics(key: string, values: ArrayLike<number>, steps?: ArrayLike<number>, timestamps?: ArrayLike<number>): void {
    const list = (a: ArrayLike<number>) => Array.from(a, jsonNumber);
    this.write({ type: 'metrics', key, values: list(values), steps: steps && list(steps), timestamps: list(timestamps ?? Array.from(values, () => Date.now())) });
  }

  logParam(key: string, value: unknown): void {
    this.write({ type: 'param', key, value });
  }

  setTag(key: string, value: string): void {
    this.write({ type: 'tag', key, value });
  }

  logSeed(value: number | string, name = 'seed'): void {
    this.write({ type: 'seed', name, value });
  }

  /** A dataset version (or feature set...) the run read: kind "dataset", its name, version and digest. */
  logInput(kind: string, name: string, version: string, digest?: string): void {
    this.write({ type: 'input', kind, name, version, digest });
  }

  /** Records a file the run produced, with its sha256 taken now. */
  logArtifact(file: string): void {
    const { sha256, size } = hashFile(file);
    this.write({ type: 'artifact', path: path.resolve(file), sha256, size });
  }

  /** Makes everything logged so far survive a power cut, not only a crash. */
  sync(): void {
    this.journal.sync();
  }

  end(status: Exclude<RunStatus, 'running'> = 'finished', exit: { exitCode?: number | null; signal?: string | null } = {}): void {
    // The run's code has stopped writing by now; a line it left torn must not swallow the end record.
    this.journal.append([{ type: 'run_end', status, end: Date.now(), exitCode: exit.exitCode ?? undefined, signal: exit.signal ?? undefined }], { afterTornLine: true });
    this.journal.sync();
    this.journal.close();
  }

  private write(record: TrackingRecord): void {
    this.journal.append([record]);
  }
}

/** JSON has no NaN or infinities; the log spells them as strings. */
function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** Edits to a run after it ended go through the store's journal: its own log is no longer read once it ends. */
export function setRunNote(store: MetadataStore, runId: string, text: string): void {
  store.append([{ type: 'note', run: runId, text }]);
}

export function setRunTag(store: MetadataStore, runId: string, key: string, value: string): void {
  store.append([{ type: 'tag', run: runId, key, value }]);
}
