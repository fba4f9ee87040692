// The metadata store against better-sqlite3 12.x on the same work. Run: npx tsc -p . && node out/bench/store/storeBench.js
// better-sqlite3 is installed on first use outside the repository (~/.cache/mlops-workbench/bench-peers; it compiles
// from source on Node 20, about two minutes) so the project's own dependencies stay as they are.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRuns, metricSeries, startRun, type TrackingRecord } from '../../src/core/tracking';
import { peakRssBytes } from '../peakRss';
import { openMetadataStore } from '../../src/core/metadata';

const POINTS = 1_000_000;
const KEYS = 10;
const BATCH = 1000;
const RUNS = 10_000;
const MEMORY_DB_BYTES = 100 * 1024 * 1024;

interface PeerStatement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(on: boolean): PeerStatement;
}
interface PeerDatabase {
  pragma(text: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): PeerStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type PeerConstructor = new (file: string) => PeerDatabase;

function loadPeer(): PeerConstructor {
  const prefix = path.join(os.homedir(), '.cache', 'mlops-workbench', 'bench-peers');
  const entry = path.join(prefix, 'node_modules', 'better-sqlite3');
  if (!fs.existsSync(entry)) {
    console.log('installing better-sqlite3@12 into', prefix, '(first run only; compiles from source)');
    execFileSync('npm', ['install', '--prefix', prefix, 'better-sqlite3@12'], { stdio: 'inherit' });
  }
  return createRequire(path.join(prefix, 'package.json'))('better-sqlite3') as PeerConstructor;
}

const scratch: string[] = [];
// Each memory store is over 100 MB: remove every folder made here however the run ends.
process.on('exit', () => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const tmp = (name: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlops-bench-${name}-`));
  scratch.push(dir);
  return dir;
};
const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number) => `${n.toFixed(1)} ms`;

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One batch of points of one key, the same numbers for both stores. */
function batch(b: number) {
  const key = `metric_${b % KEYS}`;
  const first = Math.floor(b / KEYS) * BATCH;
  const steps = Float64Array.from({ length: BATCH }, (_, i) => first + i);
  const values = Float64Array.from(steps, (s) => Math.sin(s / 1000) + s * 1e-6);
  const timestamps = Float64Array.from(steps, (s) => 1.7e12 + s);
  return { key, steps, values, timestamps };
}

async function oursLogging() {
  const root = tmp('ours');
  const store = await openMetadataStore(root);
  const run = await startRun(store, { experiment: 'bench' });
  const t0 = performance.now();
  for (let b = 0; b < POINTS / BATCH; b++) {
    const { key, steps, values, timestamps } = batch(b);
    run.logMetrics(key, values, steps, timestamps);
    run.sync();
  }
  const acknowledged = ms(t0);
  run.end();
  await store.fold();
  const folded = ms(t0);
  const size = fs.statSync(store.paths.database).size;
  return { root, runId: run.id, acknowledged, folded, size };
}

function peerLogging(Peer: PeerConstructor, synchronous: 'FULL' | 'NORMAL') {
  const dir = tmp('peer');
  const db = new Peer(path.join(dir, 'metrics.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec('CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step REAL, value REAL, timestamp REAL)');
  db.exec('CREATE INDEX metrics_by_series ON metrics (run_id, key, step)');
  const insert = db.prepare('INSERT INTO metrics (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)');
  const logBatch = db.transaction((key: string, steps: Float64Array, values: Float64Array, timestamps: Float64Array) => {
    for (let i = 0; i < steps.length; i++) insert.run('run1', key, steps[i], values[i], timestamps[i]);
  });
  const t0 = performance.now();
  for (let b = 0; b < POINTS / BATCH; b++) {
    const { key, steps, values, timestamps } = batch(b);
    logBatch(key, steps, values, timestamps);
  }
  const elapsed = ms(t0);
  return { db, elapsed };
}

async function oursRuns() {
  const root = tmp('runs');
  const store = await openMetadataStore(root);
  const start = Date.now();
  const records: TrackingRecord[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = `run${String(i).padStart(6, '0')}`;
    records.push({ type: 'run_start', run, experiment: `exp${i % 20}`, name: `trial ${i}`, start: start + i });
    records.push({ type: 'run_end', run, status: 'finished', end: start + i + 1000 });
  }
  store.append(records);
  await store.fold();
  store.close();
  const reader = await openMetadataStore(root);
  const samples = Array.from({ length: 7 }, () => {
    const t0 = performance.now();
    const list = listRuns(reader);
    if (list.length !== RUNS) throw new Error(`listed ${list.length} runs`);
    return ms(t0);
  });
  return median(samples);
}

function peerRuns(Peer: PeerConstructor) {
  const db = new Peer(path.join(tmp('peer-runs'), 'runs.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT, name TEXT, status TEXT, start_time REAL, end_time REAL, parent_id TEXT)');
  db.exec('CREATE INDEX runs_by_start ON runs (start_time)');
  const insert = db.prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, NULL)');
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) insert.run(`run${i}`, `exp${i % 20}`, `trial ${i}`, 'finished', i, i + 1000);
  })();
  const select = db.prepare('SELECT id, experiment, name, status, start_time, end_time, parent_id FROM runs ORDER BY start_time DESC');
  const samples = Array.from({ length: 7 }, () => {
    const t0 = performance.now();
    select.all();
    return ms(t0);
  });
  db.close();
  return median(samples);
}

async function oursSeries(root: string, runId: string) {
  const store = await openMetadataStore(root);
  const t0 = performance.now();
  const first = metricSeries(store, runId, 'metric_0');
  const cold = ms(t0);
  if (first.values.length !== POINTS / KEYS) throw new Error(`loaded ${first.values.length} points`);
  const warm = median(Array.from({ length: 7 }, () => {
    const t = performance.now();
    metricSeries(store, runId, 'metric_0');
    return ms(t);
  }));
  store.close();
  return { cold, warm };
}

function peerSeries(db: PeerDatabase) {
  const select = db.prepare('SELECT step, value, timestamp FROM metrics WHERE run_id = ? AND key = ? ORDER BY step').raw(true);
  return median(Array.from({ length: 7 }, () => {
    const t = performance.now();
    const rows = select.all('run1', 'metric_0');
    if (rows.length !== POINTS / KEYS) throw new Error(`peer loaded ${rows.length} points`);
    return ms(t);
  }));
}

/** Grows a store to about MEMORY_DB_BYTES, then measures a fresh process opening it, reading, logging and folding. */
async function memory() {
  const root = tmp('memory');
  const store = await openMetadataStore(root);
  const run = await startRun(store, { experiment: 'memory' });
  const perFold = 25 * 1024 * 1024 / 24;
  let b = 0;
  while (!fs.existsSync(store.paths.database) || fs.statSync(store.paths.database).size < MEMORY_DB_BYTES) {
    for (let logged = 0; logged < perFold; logged += BATCH, b++) {
      const { key, steps, values, timestamps } = batch(b);
      run.logMetrics(`${key}_${Math.floor(b / 1000)}`, values, steps, timestamps);
    }
    await store.fold();
  }
  run.end();
  await store.fold();
  store.close();
  const size = fs.statSync(path.join(root, '.mlops', 'metadata.db')).size;
  const child = spawnSync(process.execPath, [__filename, '--memory-child', root], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return { size, ...(JSON.parse(child.stdout) as { maxRssBytes: number; baselineRssBytes: number }) };
}

async function memoryChild(root: string) {
  const baselineRssBytes = process.memoryUsage().rss;
  const store = await openMetadataStore(root);
  listRuns(store);
  const run = await startRun(store, { experiment: 'memory' });
  run.logMetric('after', 1, 0);
  run.end();
  await store.fold();
  store.close();
  process.stdout.write(JSON.stringify({ maxRssBytes: peakRssBytes(), baselineRssBytes }));
}

async function main() {
  if (process.argv[2] === '--memory-child') return memoryChild(process.argv[3]);
  const Peer = loadPeer();
  console.log(`Metadata store vs better-sqlite3 12.x, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model})\n`);

  console.log(`1. Durably logging ${POINTS.toLocaleString('en')} metric points: ${POINTS / BATCH} batches of ${BATCH}, ${KEYS} keys, one fsync per batch on both sides`);
  const ours = await oursLogging();
  const full = peerLogging(Peer, 'FULL');
  const normal = peerLogging(Peer, 'NORMAL');
  normal.db.close();
  console.log(`   ours, acknowledged and fdatasynced in the run log   ${fmt(ours.acknowledged)}`);
  console.log(`   ours, including the fold into metadata.db (${(ours.size / 1e6).toFixed(1)} MB)   ${fmt(ours.folded)}`);
  console.log(`   better-sqlite3, WAL, synchronous=FULL, 1 transaction per batch   ${fmt(full.elapsed)}`);
  console.log(`   better-sqlite3, WAL, synchronous=NORMAL (no fsync per commit)    ${fmt(normal.elapsed)}`);
  console.log(`   ratio ours (with fold) / better-sqlite3 FULL: ${(ours.folded / full.elapsed).toFixed(2)}x (bar: 1.5x)`);
  console.log(`   ratio ours (with fold) / better-sqlite3 NORMAL: ${(ours.folded / normal.elapsed).toFixed(2)}x\n`);

  console.log(`2. Listing ${RUNS.toLocaleString('en')} runs (median of 7)`);
  const oursList = await oursRuns();
  const peerList = peerRuns(Peer);
  console.log(`   ours ${fmt(oursList)} (bar: 100 ms), better-sqlite3 ${fmt(peerList)}, ratio ${(oursList / peerList).toFixed(2)}x\n`);

  console.log(`3. Loading one run's ${(POINTS / KEYS).toLocaleString('en')}-point series`);
  const series = await oursSeries(ours.root, ours.runId);
  const peerLoad = peerSeries(full.db);
  full.db.close();
  console.log(`   ours first load ${fmt(series.cold)}, median ${fmt(series.warm)} (bar: 50 ms), better-sqlite3 ${fmt(peerLoad)}, ratio ${(series.warm / peerLoad).toFixed(2)}x\n`);

  console.log(`4. Peak memory of a process opening a ~${MEMORY_DB_BYTES / 1024 / 1024} MB store, listing, logging and folding it`);
  const mem = await memory();
  console.log(`   database ${(mem.size / 1024 / 1024).toFixed(0)} MB, peak RSS ${(mem.maxRssBytes / 1024 / 1024).toFixed(0)} MB (Node alone: ${(mem.baselineRssBytes / 1024 / 1024).toFixed(0)} MB), ratio ${(mem.maxRssBytes / mem.size).toFixed(2)}x (bar: 3x)`);
}

void main();
