// The feature store against its peers, on the same files in one run. Run: npm run bench:features
// Offline: 1,000,000 entity rows against 1,000,000 feature rows (10,000 entities, 7 columns and one 7-day sum), CSV
// in and CSV out, compared with pandas (read_csv, sort, merge_asof, rolling, to_csv) under /usr/bin/python3 and with
// DuckDB's ASOF JOIN (@duckdb/node-api). Online: p99 of in-process lookups of a 10-feature service, 1,000,000
// entities materialized. Each measured step runs in a child process of its own, so its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotDataset } from '../../src/core/data';
import { buildTrainingSet, materialize, OnlineFeatures } from '../../src/core/features';
import { installPaths } from '../../src/core/install';
import { initProject, openProject } from '../../src/core/workspace';
import { peakRssBytes } from '../peakRss';

const ENTITIES = 10_000;
const FEATURE_ROWS = 1_000_000;
const ENTITY_ROWS = 1_000_000;
const ONLINE_ENTITIES = 1_000_000;
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

interface Measure {
  seconds: number;
  maxRssMiB: number;
  detail?: unknown;
}

/** A small deterministic generator: the files are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

function writeLines(file: string, header: string, rows: number, line: (i: number) => string): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header + '\n');
  const block: string[] = [];
  for (let i = 0; i < rows; i++) {
    block.push(line(i));
    if (block.length === 65536) fs.writeSync(fd, block.splice(0).join('\n') + '\n');
  }
  if (block.length) fs.writeSync(fd, block.join('\n') + '\n');
  fs.closeSync(fd);
}

function generate(dir: string): void {
  const r = random(7);
  writeLines(path.join(dir, 'features.csv'), 'entity_id,event_timestamp,f1,f2,f3,f4,f5,f6,f7', FEATURE_ROWS, () => {
    const e = Math.floor(r() * ENTITIES);
    const t = START + Math.floor(r() * 365 * DAY / 1000) * 1000;
    return `e${e},${iso(t)},${(r() * 100).toFixed(2)},${(r() * 10).toFixed(3)},${Math.floor(r() * 1000)},${(r() * 2 - 1).toFixed(4)},${Math.floor(r() * 50)},${(r() * 1e4).toFixed(1)},${(r() * 5).toFixed(2)}`;
  });
  writeLines(path.join(dir, 'entities.csv'), 'entity_id,event_timestamp,label', ENTITY_ROWS, () => {
    const e = Math.floor(r() * ENTITIES);
    const t = START + Math.floor(r() * 380 * DAY / 1000) * 1000;
    return `e${e},${iso(t)},${r() < 0.3 ? 1 : 0}`;
  });
  const o = random(11);
  writeLines(path.join(dir, 'online.csv'), 'entity_id,event_timestamp,' + Array.from({ length: 10 }, (_, j) => `g${j + 1}`).join(','), ONLINE_ENTITIES, (i) =>
    `u${i},${iso(START + Math.floor(o() * 30 * DAY))},` + Array.from({ length: 10 }, () => (o() * 100).toFixed(2)).join(','));
}

const CONFIG = `
features:
  entities:
    entity: { key: entity_id }
    user: { key: entity_id }
  views:
    stats:
      entity: entity
      source: features
      timestamp: event_timestamp
      ttl: 30d
      features:
        f1: f1
        f2: f2
        f3: f3
        f4: f4
        f5: f5
        f6: f6
        f7: f7
        f1_7d_sum: { aggregate: sum, of: f1, window: 7d }
    wide:
      entity: user
      source: online
      timestamp: event_timestamp
      features:
${Array.from({ length: 10 }, (_, j) => `        g${j + 1}: g${j + 1}`).join('\n')}
  services:
    offline_bench: [stats]
    online_bench: [wide]
`;

const PANDAS = String.raw`
import sys, time
import pandas as pd
d, out = sys.argv[1], sys.argv[2]
t0 = time.time()
f = pd.read_csv(d + "/features.csv", parse_dates=["event_timestamp"])
e = pd.read_csv(d + "/entities.csv", parse_dates=["event_timestamp"])
e["_order"] = range(len(e))
f = f.sort_values(["entity_id", "event_timestamp"], kind="mergesort").drop_duplicates(["entity_id", "event_timestamp"], keep="last")
# The 7-day sum at each feature row, then joined as of each entity row (the window ends at the row found, a little
# less work than the exact window at t the feature store computes).
# f is sorted by entity then time, the order groupby (sorted keys) returns the rolling sums in.
f["f1_7d_sum"] = f.groupby("entity_id").rolling("7d", on="event_timestamp")["f1"].sum().to_numpy()
f = f.sort_values("event_timestamp", kind="mergesort")
e = e.sort_values("event_timestamp", kind="mergesort")
j = pd.merge_asof(e, f, on="event_timestamp", by="entity_id", direction="backward", tolerance=pd.Timedelta("30d"), allow_exact_matches=True)
j = j.sort_values("_order").drop(columns=["_order"])
j.to_csv(out, index=False)
print(time.time() - t0)
`;

/** Child side: one step, timed around the work itself, then its peak RSS. */
async function child(task: string, dir: string): Promise<void> {
  const started = performance.now();
  let detail: unknown;
  if (task === 'build') {
    const set = await buildTrainingSet(openProject(dir), 'offline_bench', path.join(dir, 'entities.csv'), { output: path.join(dir, 'ours.csv') });
    detail = { rows: set.rows, columns: set.columns.length };
  } else if (task === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const q = (s: string) => c.run(s);
    await q(`create table f as select * from read_csv('${dir}/features.csv', timestampformat='%Y-%m-%dT%H:%M:%S')`);
    await q(`create table e as select *, row_number() over () as _order from read_csv('${dir}/entities.csv', timestampformat='%Y-%m-%dT%H:%M:%S')`);
    await q(`create table fw as select *, sum(f1) over (partition by entity_id order by event_timestamp range between interval 7 days preceding and current row) as f1_7d_sum from f`);
    await q(`copy (select e.entity_id, e.event_timestamp, e.label,
        case when fw.event_timestamp >= e.event_timestamp - interval 30 days then fw.f1 end as f1, fw.f2, fw.f3, fw.f4, fw.f5, fw.f6, fw.f7, fw.f1_7d_sum
      from e asof left join fw on e.entity_id = fw.entity_id and e.event_timestamp >= fw.event_timestamp order by e._order) to '${dir}/duckdb.csv' (header)`);
    detail = { threads: os.availableParallelism() };
  } else if (task === 'online') {
    const project = openProject(dir);
    const materializeStarted = performance.now();
    await materialize(project, ['wide'], Date.UTC(2024, 1, 1));
    const materializeSeconds = (performance.now() - materializeStarted) / 1000;
    const online = new OnlineFeatures(project);
    const loadStarted = performance.now();
    online.lookup('online_bench', { entity_id: 'u0' }, { at: Date.UTC(2024, 1, 1) });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const r = random(3);
    const lookups = 200_000;
    const times = new Float64Array(lookups);
    let present = 0;
    for (let i = 0; i < lookups; i++) {
      const key = `u${Math.floor(r() * ONLINE_ENTITIES)}`;
      const t0 = performance.now();
      const v = online.lookup('online_bench', { entity_id: key }, { at: Date.UTC(2024, 1, 1) });
      times[i] = performance.now() - t0;
      if (v[0].status === 'present') present++;
    }
    times.sort();
    detail = { materializeSeconds, loadSeconds, lookups, present, p50Ms: times[Math.floor(lookups * 0.5)], p99Ms: times[Math.floor(lookups * 0.99)], maxMs: times[lookups - 1] };
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssMiB: peakRssBytes() / 1024 / 1024, detail } satisfies Measure));
}

function measure(task: string, dir: string): Measure {
  return JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=4096', __filename, '--child', task, dir], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measure;
}

/** pandas with its peak RSS, from GNU time's %M (KiB) on stderr. */
function pandasWithMemory(dir: string): Measure {
  const script = path.join(dir, 'peer.py');
  fs.writeFileSync(script, PANDAS);
  const out = path.join(dir, 'time.txt');
  const seconds = execFileSync('/usr/bin/time', ['-o', out, '-f', '%M', '/usr/bin/python3', script, dir, path.join(dir, 'pandas.csv')], { encoding: 'utf8' });
  return { seconds: Number(seconds.trim()), maxRssMiB: Number(fs.readFileSync(out, 'utf8').trim().split('\n').pop()) / 1024 };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-features-bench-'));
  try {
    console.log(`generating ${FEATURE_ROWS.toLocaleString('en')} feature rows, ${ENTITY_ROWS.toLocaleString('en')} entity rows, ${ONLINE_ENTITIES.toLocaleString('en')} online entities in ${dir}`);
    generate(dir);
    initProject(dir, { sampleDir: installPaths().sample });
    for (const name of ['features', 'online']) await snapshotDataset(openProject(dir), `${name}.csv`, { name, git: 'off' });
    fs.appendFileSync(path.join(dir, 'mlops.yaml'), CONFIG);
    const ours = measure('build', dir);
    const peer = pandasWithMemory(dir);
    const duck = measure('duckdb', dir);
    const rows = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').length - 2;
    console.log(`\noffline build, CSV in and out (${ENTITY_ROWS.toLocaleString('en')} x ${FEATURE_ROWS.toLocaleString('en')})`);
    console.log(`  feature store  ${ours.seconds.toFixed(2)} s  peak ${ours.maxRssMiB.toFixed(0)} MiB  rows ${rows('ours.csv')}`);
    console.log(`  pandas         ${peer.seconds.toFixed(2)} s  peak ${peer.maxRssMiB.toFixed(0)} MiB  rows ${rows('pandas.csv')}`);
    console.log(`  duckdb         ${duck.seconds.toFixed(2)} s  peak ${duck.maxRssMiB.toFixed(0)} MiB  rows ${rows('duckdb.csv')}  (${(duck.detail as { threads: number }).threads} threads)`);
    console.log(`  ratio to pandas ${(ours.seconds / peer.seconds).toFixed(2)}x (target <= 1.0x), to DuckDB ${(ours.seconds / duck.seconds).toFixed(2)}x; peak memory target < 1024 MiB`);
    const online = measure('online', dir);
    const d = online.detail as { materializeSeconds: number; loadSeconds: number; lookups: number; present: number; p50Ms: number; p99Ms: number; maxMs: number };
    console.log(`\nonline, 10-feature service, ${ONLINE_ENTITIES.toLocaleString('en')} entities`);
    console.log(`  materialize ${d.materializeSeconds.toFixed(2)} s, store load ${d.loadSeconds.toFixed(2)} s, peak ${online.maxRssMiB.toFixed(0)} MiB`);
    console.log(`  ${d.lookups.toLocaleString('en')} lookups (${d.present} present): p50 ${(d.p50Ms * 1000).toFixed(1)} us, p99 ${(d.p99Ms * 1000).toFixed(1)} us (target <= 100 us), max ${(d.maxMs * 1000).toFixed(0)} us`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
