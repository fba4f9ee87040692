import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { writeFileDurably } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { isProcessAlive } from '../storage';
import type { ProjectPaths } from '../workspace';
import { servingDir } from './predictionLog';

/** .mlops/serving/server.json: how any process finds the project's running server. */
export interface ServerState {
  pid: number;
  host: string;
  port: number;
  url: string;
  /** ISO 8601, UTC. */
  started: string;
  /** Whether requests need a bearer token (the token itself is never written down). */
  auth: boolean;
}

export const stateFile = (paths: ProjectPaths) => path.join(servingDir(paths), 'server.json');

export function writeServerState(paths: ProjectPaths, state: ServerState): void {
  writeFileDurably(stateFile(paths), JSON.stringify(state, null, 2) + '\n');
}

/** Removes the state file if it still describes this process (a newer server may have replaced it). */
export function removeServerState(paths: ProjectPaths, pid = process.pid): void {
  const state = readStateFile(paths);
  if (state?.pid === pid) fs.rmSync(stateFile(paths), { force: true });
}

function readStateFile(paths: ProjectPaths): ServerState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(paths), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

/**
 * What the state file says of the project's server: `running`, or `dead` when the process it names is gone without
 * having removed the file (killed, crashed, its machine restarted). The file of a dead server is left in place, so
 * every reader (the CLI, the editor's status bar) reports the death until a new server starts or `stop` clears it.
 */
export type ServerStatus = { kind: 'running'; state: ServerState } | { kind: 'dead'; state: ServerState };

export function serverStatus(paths: ProjectPaths): ServerStatus | undefined {
  const state = readStateFile(paths);
  if (!state) return undefined;
  return { kind: isProcessAlive(state.pid) ? 'running' : 'dead', state };
}

/** The running server's state; none when no server was started, it stopped, or it died. */
export function runningServer(paths: ProjectPaths): ServerState | undefined {
  const status = serverStatus(paths);
  return status?.kind === 'running' ? status.state : undefined;
}

/** .mlops/serving/server.log: what `mlops serve` reports while it runs, for a server started without a terminal. */
export const serverLogFile = (paths: ProjectPaths) => path.join(servingDir(paths), 'server.log');

/** Refuses to start a second server on one project: the prediction log has one writer. */
export function assertNoServer(paths: ProjectPaths): void {
  const other = runningServer(paths);
  if (other && other.pid !== process.pid) {
    throw new MlopsError(
      l10n.t('A model server already runs for this project (process {0}, {1}).', other.pid, other.url),
      l10n.t('Stop it with `mlops serve stop`, or see it with `mlops serve status`.'),
      'ALREADY_SERVING',
    );
  }
}

/** GETs a JSON document from the running server (its live counters). */
export function fetchServerJson(state: ServerState, route: string, token?: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: state.host, port: state.port, path: route, timeout: timeoutMs, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(new MlopsError(l10n.t('The server at {0} did not answer {1}: {2}.', state.url, route, String((err as Error).message)), l10n.t('See the terminal running `mlops serve`.'), 'SERVER_UNREACHABLE'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => reject(new MlopsError(l10n.t('The server at {0} did not answer {1}: {2}.', state.url, route, err.message), l10n.t('See the terminal running `mlops serve`.'), 'SERVER_UNREACHABLE')));
  });
}

/**
 * Asks the running server to stop (SIGTERM: it drains requests in flight) and waits until it has drained.
 * Returns the state of the server stopped, or undefined when none ran.
 */
export async function stopServer(paths: ProjectPaths, timeoutMs = 30_000): Promise<ServerState | undefined> {
  const status = serverStatus(paths);
  if (status?.kind === 'dead') removeServerState(paths, status.state.pid);
  if (status?.kind !== 'running') return undefined;
  const { state } = status;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  // The server removes its state file as the last step of its drain: that, or its death, means it stopped (a
  // process that exited but that its parent has not reaped yet still answers kill(pid, 0)).
  while (isProcessAlive(state.pid) && readStateFile(paths)?.pid === state.pid) {
    if (Date.now() > deadline) {
      throw new MlopsError(l10n.t('The server (process {0}) is still running {1} s after it was asked to stop.', state.pid, timeoutMs / 1000), l10n.t('It may be finishing long requests; end it with `kill {0}` if it hangs.', state.pid), 'STOP_TIMEOUT');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  removeServerState(paths, state.pid);
  return state;
}
