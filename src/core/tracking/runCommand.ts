import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashFile } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { JournalProblem, MetadataStore } from '../store';
import { startRun } from './runLogger';
import { runFiles } from './runIds';
import type { RunStatus } from './schema';

export interface RunCommandOptions {
  experiment?: string;
  name?: string;
  cwd: string;
  /** Where the command's output is shown as it comes (it is also kept in the run's output.log). */
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunCommandResult {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Lines of the run's log that were malformed or rejected, and skipped. */
  problems: JournalProblem[];
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const FOLD_EVERY_MS = 15_000;

/**
 * Runs `argv` as a run: spawned directly (no shell, so exactly what the user typed runs), with MLOPS_RUN_ID and
 * MLOPS_LOG_FILE in its environment, its output shown and kept, and the run marked finished, failed or killed as it
 * ends. Ctrl-C and termination signals reach the command once (passed on, unless a terminal sent them to it too),
 * and the run is then marked killed.
 */
export async function runCommand(store: MetadataStore, argv: readonly string[], options: RunCommandOptions): Promise<RunCommandResult> {
  if (argv.length === 0) throw new MlopsError(l10n.t('No command to run.'), l10n.t('Put the command after `--`, e.g. `mlops run -- python train.py`.'), 'NO_COMMAND');
  const env = options.env ?? process.env;
  const logger = await startRun(store, { experiment: options.experiment, name: options.name, parent: env.MLOPS_RUN_ID || undefined, command: argv, captureEnvironment: true });
  const files = runFiles(store.paths.state, logger.id);
  fs.mkdirSync(files.dir, { recursive: true });
  const output = fs.openSync(files.output, 'a');
  const started = Date.now();
  let interrupted = false;
  // Readers apply a live run's unfolded log on every open; folding now and then keeps that tail short. A fold that
  // fails here only postpones folding to the run's end, where the final fold reports the error.
  let folding: Promise<unknown> | undefined;
  const foldTimer = setInterval(() => {
    folding ??= store.fold().catch(() => undefined).finally(() => (folding = undefined));
  }, FOLD_EVERY_MS);
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: { ...env, MLOPS_RUN_ID: logger.id, MLOPS_LOG_FILE: logger.logFile, MLOPS_PROJECT_ROOT: store.paths.root },
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    const forward = (signal: NodeJS.Signals) => {
      interrupted = true;
      if (signal === 'SIGTERM' || !inTerminalForeground()) child.kill(signal);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    const keep = (show: (chunk: Buffer) => void) => (chunk: Buffer) => {
      fs.writeSync(output, chunk);
      show(chunk);
    };
    child.stdout.on('data', keep(options.stdout));
    child.stderr.on('data', keep(options.stderr));
    const done = (result: { code: number | null; signal: NodeJS.Signals | null } | Error) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      resolve(result);
    };
    child.on('error', done);
    child.on('close', (code, signal) => done({ code, signal }));
  });
  clearInterval(foldTimer);
  await folding;
  fs.closeSync(output);
  const durationMs = Date.now() - started;
  if (outcome instanceof Error) {
    logger.end('failed', { exitCode: null });
    await store.fold();
    throw new MlopsError(
      l10n.t('Could not start {0}: {1}', argv[0], outcome.message),
      l10n.t('Check the command name and that it is installed and on PATH (no shell is used, so shell syntax does not apply).'),
      'COMMAND_NOT_STARTED',
    );
  }
  const status = outcome.signal || interrupted ? 'killed' : outcome.code === 0 ? 'finished' : 'failed';
  logger.end(status, { exitCode: outcome.code, signal: outcome.signal });
  store.refresh();
  hashUnhashedArtifacts(store, logger.id, options.cwd);
  const { problems } = await store.fold();
  return { runId: logger.id, status, exitCode: outcome.code, signal: outcome.signal, durationMs, problems };
}

/**
 * Whether a terminal's Ctrl-C or hangup reaches the command without us: the terminal signals its whole foreground
 * process group, which the command shares with this process. Passing those on as well would deliver them twice, and a
 * Python script would take the second KeyboardInterrupt in the middle of its cleanup. On Linux this reads our process
 * group and the terminal's foreground group from /proc; elsewhere an interactive stdin stands for it.
 */
function inTerminalForeground(): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return Boolean(process.stdin.isTTY);
  }
  // "pid (command name) state ppid pgrp session tty_nr tpgid ...": the name may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [pgrp, tpgid] = [Number(fields[2]), Number(fields[5])];
  return tpgid > 0 && tpgid === pgrp;
}

/**
 * The plain protocol lets a line name an artifact by its path alone; the run's files are final once it ended, so
 * their hashes are taken now. A path that no longer exists keeps no hash.
 */
function hashUnhashedArtifacts(store: MetadataStore, runId: string, cwd: string): void {
  const unhashed = store.database.exec('SELECT path FROM artifacts WHERE run_id = ? AND sha256 IS NULL', [runId])[0]?.values ?? [];
  const records = unhashed.flatMap(([p]) => {
    const file = path.resolve(cwd, String(p));
    return fs.existsSync(file) ? [{ type: 'artifact' as const, run: runId, path: String(p), ...hashFile(file) }] : [];
  });
  store.append(records);
}

/** The exit code a shell would report for the command: its own, or 128 + the signal's number. */
export function shellExitCode(result: RunCommandResult): number {
  if (result.exitCode !== null) return result.exitCode;
  const number = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : undefined;
  return 128 + (number ?? 1);
}
