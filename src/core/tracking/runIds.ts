import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/**
 * A run id: the start time in base 36 (fixed width, so ids sort by time as text) and four random characters, so two
 * runs started in the same millisecond on different machines still differ. 13 characters, e.g. "0mih3k2x9a7fz".
 */
export function newRunId(now = Date.now()): string {
  const random = Array.from(randomBytes(4), (b) => (b % 36).toString(36)).join('');
  return now.toString(36).padStart(9, '0') + random;
}

/** Where a run keeps its files under .mlops/: the log its code appends records to, and its captured console output. */
export function runFiles(stateDir: string, runId: string) {
  const dir = path.join(stateDir, 'runs', runId);
  return { dir, log: path.join(dir, 'log.jsonl'), output: path.join(dir, 'output.log') };
}
