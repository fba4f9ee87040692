// The drift report against scipy, on the same data in one run. Run: npm run bench:drift
// 1,000,000 reference rows against 1,000,000 current rows, 20 numeric columns (8 of them shifted or rescaled),
// written once as raw float64 to a temporary file that both sides read. Ours: the full default report (normalised
// Wasserstein on every column at this size) plus PSI on every column in the same call (reusing each column's sort), and KS on every column for the like-for-like
// check. Peer: scipy's ks_2samp alone on the same columns (bench/drift/scipy_ks.py). Both sides time the statistics
// only, not the reading of the file. Prints ratios; asserts nothing about time.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { driftReport, driftReportInWorkers, driftTable, numericColumn, type DriftReport, type DriftTable } from '../../src/core/monitor';
import { peakRssBytes } from '../peakRss';

const ROWS = 1_000_000;
const COLUMNS = 20;

/** A seeded uniform generator (mulberry32): the data is the same on every run. */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Column j of one side: normal, lognormal or a few levels; on the current side every 5th column shifted by a quarter, every 5th+1 scaled by 1.3. */
function fill(values: Float64Array, column: number, current: boolean, seed: number): void {
  const u = uniforms(seed);
  const shift = current && column % 5 === 0 ? 0.25 : 0;
  const scale = current && column % 5 === 1 ? 1.3 : 1;
  for (let i = 0; i < values.length; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    const v = column % 4 === 3 ? Math.exp(normal / 2) : column % 7 === 6 ? Math.floor(4 * u()) : normal;
    values[i] = v * scale + shift;
  }
}

function writeData(file: string): void {
  const fd = fs.openSync(file, 'w');
  const values = new Float64Array(ROWS);
  try {
    for (const current of [false, true]) {
      for (let j = 0; j < COLUMNS; j++) {
        fill(values, j, current, (current ? 1000 : 0) + j + 1);
        fs.writeSync(fd, new Uint8Array(values.buffer));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The two tables, as views into one read of the file. */
function readTables(file: string): [DriftTable, DriftTable] {
  // A file this large gets a buffer of its own, at offset 0: viewed as doubles, not copied.
  const bytes = fs.readFileSync(file);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  const side = (s: number) => driftTable(Array.from({ length: COLUMNS }, (_, j) => numericColumn(`c${j}`, all.subarray((s * COLUMNS + j) * ROWS, (s * COLUMNS + j + 1) * ROWS))));
  return [side(0), side(1)];
}

/** Wall seconds, and CPU seconds of the whole process (worker threads included): on a shared machine the CPU time is the steadier figure. */
async function timed(run: () => DriftReport | Promise<DriftReport>): Promise<{ seconds: number; cpu: number; report: DriftReport }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await run();
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6, report };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-drift-bench-'));
  try {
    const file = path.join(dir, 'columns.f64');
    writeData(file);
    const scipyRun = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', '..', '..', 'bench', 'drift', 'scipy_ks.py'), file, String(COLUMNS), String(ROWS)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (scipyRun.status !== 0) throw new Error(`scipy failed: ${scipyRun.stderr}`);
    const peer = JSON.parse(scipyRun.stdout) as { scipy: string; seconds: number; cpu: number; columns: { statistic: number; pValue: number }[] };

    const [reference, current] = readTables(file);
    const full = await timed(() => driftReportInWorkers(reference, current, { also: ['psi'] }));
    const serial = await timed(() => driftReport(reference, current, { also: ['psi'] }));
    const ks = await timed(() => driftReport(reference, current, { stattest: 'ks' }));
    const worstD = Math.max(...ks.report.columns.map((c, j) => Math.abs(c.statistic - peer.columns[j].statistic)));
    const worstP = Math.max(...ks.report.columns.map((c, j) => (peer.columns[j].pValue === 0 ? Math.abs(c.pValue!) : Math.abs(c.pValue! / peer.columns[j].pValue - 1))));
    const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
    console.log(`drift, ${ROWS.toLocaleString('en')} reference vs ${ROWS.toLocaleString('en')} current rows, ${COLUMNS} numeric columns (statistics only, reading excluded on both sides)`);
    const figures = (r: { seconds: number; cpu: number }) => `${r.seconds.toFixed(2)} s wall = ${(r.seconds / peer.seconds).toFixed(2)}x, ${r.cpu.toFixed(2)} s CPU = ${(r.cpu / peer.cpu).toFixed(2)}x`;
    line(`scipy ${peer.scipy} ks_2samp, every column`, `${peer.seconds.toFixed(2)} s wall, ${peer.cpu.toFixed(2)} s CPU`);
    const psiDrifted = full.report.columns.filter((c) => c.also![0].drift).length;
    line(`ours: default report (${full.report.columns[0].test}) + PSI, ${os.availableParallelism()} worker threads`, `${figures(full)} scipy (target <= 0.5x)`);
    line('ours: the same on the calling thread alone', `${figures(serial)} scipy`);
    line('  drifted columns: by the default test, by PSI', `${full.report.driftedColumns}, ${psiDrifted} of ${COLUMNS}; dataset drift ${full.report.datasetDrift}`);
    line('ours: KS on every column (like for like), calling thread', `${figures(ks)} scipy`);
    line('machine load (1-minute average) at the end', os.loadavg()[0].toFixed(1));
    line('KS agreement with scipy: max |dD|, max relative dp', `${worstD.toExponential(1)}, ${worstP.toExponential(1)}`);
    line('ours: peak memory (RSS, both tables loaded)', `${(peakRssBytes() / 1024 / 1024).toFixed(0)} MiB (target < 1 GB)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
