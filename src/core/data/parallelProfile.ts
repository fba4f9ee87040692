import * as fs from 'node:fs';
import * as os from 'node:os';
import { COMMA, readFirstRecord, TAB } from './delimitedReader';
import { mergeParts, type DatasetProfile, type ProfilePart, type TabularFormat } from './profile';
import { runInWorkers, type WorkOptions } from './workerPool';

/** Below this size a file is profiled in one piece: starting a second thread would cost more than it saves. */
const SPLIT_ABOVE = 16 << 20;

/**
 * Cores not busy with other work, by the load average (0 where the platform has none, as on Windows). Parts only
 * pay off on idle cores: on a machine already loaded, two parts finish later than one piece (measured: 10 s against
 * 6 s at a load of 12 on 2 cores).
 */
function freeCores(): number {
  return Math.max(1, Math.floor(os.availableParallelism() - os.loadavg()[0] + 0.5));
}

/**
 * Split points just after a line feed near each 1/n of the file. A line feed inside a quoted cell would make a
 * wrong split; the part before it then ends inside an open quote and fails, and the file is read in one piece.
 */
function splitPoints(file: string, parts: number, headerEnd: number): number[] {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const probe = Buffer.allocUnsafe(64 << 10);
    const points = [0];
    for (let k = 1; k < parts; k++) {
      const from = Math.max(headerEnd, Math.floor((size * k) / parts));
      const n = fs.readSync(fd, probe, 0, probe.length, from);
      const lf = probe.subarray(0, n).indexOf(0x0a);
      if (lf === -1) break;
      if (from + lf + 1 > points[points.length - 1]) points.push(from + lf + 1);
    }
    return points;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Profiles a tabular file on worker threads: a large CSV or TSV is cut into one part per core, each part parsed
 * and its columns sorted on its own thread, and the sorted columns merged. Anything the split cannot settle (a
 * quoted line break at a cut, a column that is numbers in one part and text in another) falls back to one piece.
 */
export async function profileInWorkers(file: string, format: TabularFormat, options: WorkOptions = {}): Promise<DatasetProfile> {
  const whole = async () => (await runInWorkers([{ kind: 'profile', file, format }], options))[0] as DatasetProfile;
  const threads = options.threads ?? freeCores();
  // Parquet is read by row groups and JSON lines by lines on one thread; only delimited text is cut into parts.
  if (format === 'jsonl' || format === 'parquet' || threads < 2 || fs.statSync(file).size < SPLIT_ABOVE) return whole();
  const header = readFirstRecord(file, format === 'tsv' ? TAB : COMMA);
  if (!header) return whole();
  const points = splitPoints(file, threads, header.end);
  if (points.length < 2) return whole();
  const tasks = points.map((start, i) => ({
    kind: 'profilePart' as const,
    file,
    format,
    range: { start, ...(i + 1 < points.length ? { end: points[i + 1] } : {}) },
    ...(i > 0 ? { header: header.cells } : {}),
  }));
  let parts: ProfilePart[];
  try {
    parts = (await runInWorkers(tasks, options)) as ProfilePart[];
  } catch (err) {
    if ((err as { code?: string }).code === 'CANCELLED') throw err;
    return whole();
  }
  return mergeParts(parts, format) ?? whole();
}
