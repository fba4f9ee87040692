import { randomInt } from 'node:crypto';
import * as path from 'node:path';

let lastTime = 0;

/**
 * A run id: the start time in ms, base 36 at a fixed width so ids sort by time as text, then five random characters
 * so runs started in the same millisecond by different processes or machines differ. Within one process the time
 * part strictly increases, so its ids never collide and keep their order. 14 characters, e.g. "0mih3k2x9a7fz1".
 */
export function newRunId(now = Date.now()): string {
  lastTime = Math.max(now, lastTime + 1);
  const random = Array.from({ length: 5 }, () => randomInt(36).toString(36)).join('');
  return lastTime.toString(36).padStart(9, '0') + random;
}

/** Where a run keeps its files under .mlops/: the log its code appends records to, and its captured console output. */
export function runFiles(stateDir: string, runId: string) {
  const dir = path.join(stateDir, 'runs', runId);
  return { dir, log: path.join(dir, 'log.jsonl'), output: path.join(dir, 'output.log') };
}
