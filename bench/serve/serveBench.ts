/*
 * npm run bench:serve [-- --long]
 *
 * Single-row MLflow scoring (/invocations, dataframe_split) of a random forest trained on the sample weather data,
 * prediction log on, 64 connections for 10 s with autocannon (two rounds, taking turns with the bare server), against
 * two peers on the same machine in the same run:
 *   - a bare node:http server answering a constant JSON (the ceiling of any Node server here): target >= 0.6x;
 *   - gunicorn + flask + scikit-learn serving a RandomForestClassifier on the same data (Debian's packages, as
 *     `mlflow models serve` runs a model): target >= 50x.
 * Then 10 alias moves under load (0 non-2xx, 0 socket errors, the version header changes), and with --long the
 * server's resident memory after 10 s and 60 s of load (target: at most 20 MB more).
 * Each server runs in its own process; autocannon runs in this one. Ratios are printed, never asserted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotDataset } from '../../src/core/data';
import { refitFromConfig } from '../../src/core/automl';
import { type TrainingConfigRecord } from '../../src/core/tracking';
import { installPaths } from '../../src/core/install';
import { registerModel, setAlias } from '../../src/core/registry';
import { startRun } from '../../src/core/tracking';
import { initProject, openProject, projectPaths } from '../../src/core/workspace';
import { ObjectCache } from '../../src/core/storage';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface CannonClient {
  on(event: 'headers', listener: (response: { statusCode: number; headers: string[] }) => void): void;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
// autocannon ships no types; the few fields read here are typed above
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Cannon;

const ROOT = installPaths().root;
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PYTHON = '/usr/bin/python3';
const CONNECTIONS = 64;
const FEATURES = ['location', 'precipitation', 'temp_max', 'temp_min', 'wind'];
const ROW = ['Seattle', 0.3, 11.1, 3.9, 4.2];
const BODY = JSON.stringify({ dataframe_split: { columns: FEATURES, data: [ROW] } });
const long = process.argv.includes('--long');
const ROUNDS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const num = (x: number, d = 1) => x.toFixed(d);

/** A sample project with weather version 1 (random forest, seed 1, @champion) and 2 (seed 2) registered. */
async function weatherProject(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-serve-bench-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  initProject(dir, { sample: true, sampleDir: installPaths().sample });
  git('add', '-A');
  git('commit', '-q', '-m', 'sample');
  const snapshot = await snapshotDataset(openProject(dir), 'data/weather.csv', { name: 'weather', git: 'commit' });
  for (const seed of [1, 2]) {
    const config: TrainingConfigRecord = {
      dataset: 'weather', version: snapshot.version.id, digest: snapshot.version.digest, format: 'csv', target: 'weather', task: 'classification',
      metric: 'accuracy', family: 'random_forest', params: {}, seed, folds: 3, excluded: ['date'],
    };
    const bytes = (await refitFromConfig(dir, config)).bytes;
    new ObjectCache(projectPaths(dir).cache).putBytes(bytes);
    const store = await openMetadataStore(dir);
    const run = await startRun(store, { experiment: 'bench', name: `forest-${seed}` });
    for (const [k, v] of Object.entries({ 'mlops.kind': 'automl', 'mlops.task': 'classification', 'mlops.target': 'weather', 'mlops.metric': 'accuracy', 'mlops.family': 'random_forest' })) run.setTag(k, v);
    run.logParam('mlops.trainingConfig', JSON.stringify(config));
    run.logSeed(seed);
    run.logInput('dataset', 'weather', String(snapshot.version.id), snapshot.version.digest);
    const artifact = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-artifact-')), 'model.json');
    fs.writeFileSync(artifact, bytes);
    run.logArtifact(artifact);
    run.end('finished');
    await store.fold();
    await registerModel(openProject(dir), store, run.id, { model: 'weather', ...(seed === 1 ? { alias: 'champion' } : {}) });
  }
  return dir;
}

/** Spawns a server and resolves once `ready` matches its output (stdout or stderr). */
function startProcess(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) resolve(child);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}: ${seen}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU seconds (user + system) used so far by a process and its children (gunicorn's workers), from /proc. Printed
 * beside each server's requests/s: on a shared machine, and with the loader in this process, the CPU a request
 * costs says what the rate alone cannot (a server below 100% of a core was waiting for the loader).
 */
function cpuSeconds(pid: number): number {
  const stat = (p: string) => {
    const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  };
  let ticks = stat(String(pid)).ticks;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      const s = stat(entry);
      if (s.parent === pid) ticks += s.ticks;
    } catch {
      // a process that ended while /proc was listed
    }
  }
  return ticks / CLOCK_TICKS;
}

/** Loads a server for `seconds` and notes the CPU its process used meanwhile. */
async function measured(pid: number, url: string, seconds: number): Promise<CannonResult & { cpu: number }> {
  const before = cpuSeconds(pid);
  const result = await load(url, seconds);
  return { ...result, cpu: cpuSeconds(pid) - before };
}

function rssMb(pid: number): number {
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return rss ? Number(rss[1]) / 1024 : NaN;
}

function load(url: string, seconds: number, onVersion?: (version: string) => void): Promise<CannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    setupClient: onVersion
      ? (client: CannonClient) =>
          client.on('headers', (response) => {
            const h = response.headers;
            for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() === 'x-mlops-model-version') onVersion(h[i + 1]);
          })
      : undefined,
  });
}

function line(name: string, r: CannonResult & { cpu?: number }): string {
  const cpu = r.cpu === undefined ? '' : `   cpu ${num(r.cpu, 1)} s (${num((r.cpu / Math.max(1, r.requests.total)) * 1e6, 0)} µs/req)`;
  return `${name.padEnd(34)}${num(r.requests.average, 0).padStart(9)} req/s   p99 ${num(r.latency.p99, 1).padStart(6)} ms   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}${cpu}`;
}

const FLASK_APP = `
import csv, json, os
import numpy as np
from flask import Flask, request, jsonify
from sklearn.ensemble import RandomForestClassifier

rows = list(csv.DictReader(open(os.environ['WEATHER_CSV'])))
locations = sorted({r['location'] for r in rows})
def encode(loc, p, tmax, tmin, w):
    return [1.0 if loc == l else 0.0 for l in locations] + [float(p), float(tmax), float(tmin), float(w)]
X = np.array([encode(r['location'], r['precipitation'], r['temp_max'], r['temp_min'], r['wind']) for r in rows])
y = np.array([r['weather'] for r in rows])
model = RandomForestClassifier(n_estimators=100, random_state=1, n_jobs=1).fit(X, y)
app = Flask(__name__)

@app.route('/invocations', methods=['POST'])
def invocations():
    split = request.get_json()['dataframe_split']
    cols = split['columns']
    data = [dict(zip(cols, row)) for row in split['data']]
    X = np.array([encode(d['location'], d['precipitation'], d['temp_max'], d['temp_min'], d['wind']) for d in data])
    return jsonify({'predictions': model.predict(X).tolist()})
`;
import { openMetadataStore } from '../../src/core/metadata';

const BARE_SERVER = `
const http = require('node:http');
const body = JSON.stringify({ predictions: ['sun'] });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
`;

async function main(): Promise<void> {
  console.log(`bench:serve on ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, single-row dataframe_split, 10 s per run`);
  const dir = await weatherProject();
  const results: Record<string, CannonResult & { cpu?: number }> = {};

  // Two rounds, the servers taking turns: on a shared machine one 10 s window can catch a neighbour's burst, and the
  // bare server's rate (bound by the loader in this process) swings between windows more than the ratio's margin.
  // Both servers are measured the same way; the ratio is of their mean rates over both rounds.
  const bare = await startProcess(process.execPath, ['-e', BARE_SERVER, '5611'], { cwd: dir }, /listening/);
  const bareUrl = 'http://127.0.0.1:5611/invocations';
  const ours = await startProcess(process.execPath, [CLI, 'serve', 'weather@champion', '--port', '5612'], { cwd: dir, env: { LANG: 'C' } }, /Serving on/);
  const url = 'http://127.0.0.1:5612/invocations';
  const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  console.log(`(ours answers ${check.status} ${await check.text()} from version ${check.headers.get('x-mlops-model-version')})`);
  await load(bareUrl, 2);
  await load(url, 2);
  const rounds: { bare: CannonResult & { cpu: number }; ours: CannonResult & { cpu: number } }[] = [];
  let rssAt10 = NaN;
  for (let round = 1; round <= ROUNDS; round++) {
    const bareRound = await measured(bare.pid!, bareUrl, 10);
    console.log(line(`bare node:http, round ${round}`, bareRound));
    const oursRound = await measured(ours.pid!, url, 10);
    if (round === 1) rssAt10 = rssMb(ours.pid!);
    console.log(line(`mlops serve (log on), round ${round}`, oursRound));
    rounds.push({ bare: bareRound, ours: oursRound });
  }
  await stop(bare);
  // autocannon's rate: the mean of its per-second samples, as every line prints it
  const rate = (pick: (r: (typeof rounds)[number]) => CannonResult) => rounds.reduce((n, r) => n + pick(r).requests.average, 0) / ROUNDS;
  const oursRate = rate((r) => r.ours);
  const vsBare = oursRate / rate((r) => r.bare);

  const seen = new Map<string, number>();
  const moving = load(url, 10, (v) => seen.set(v, (seen.get(v) ?? 0) + 1));
  for (let move = 0; move < 10; move++) {
    await sleep(900);
    await setAlias(projectPaths(dir), 'weather', 'champion', move % 2 === 0 ? 2 : 1, { reason: 'bench' });
  }
  results.moving = await moving;
  console.log(line('mlops serve, 10 alias moves', results.moving));
  console.log(`  version headers seen: ${[...seen].map(([v, n]) => `v${v} x${n}`).join(', ')}`);

  let rssAt60: number | undefined;
  if (long) {
    // 10 s per round and 10 s of alias moves before: 60 s of load in all
    await load(url, 60 - 10 * (ROUNDS + 1));
    rssAt60 = rssMb(ours.pid!);
  }
  await stop(ours);
  const logged = fs.readdirSync(path.join(dir, '.mlops/serving/log')).reduce((n, f) => n + fs.statSync(path.join(dir, '.mlops/serving/log', f)).size, 0);
  console.log(`  prediction log: ${num(logged / 1048576, 1)} MB written`);

  const flaskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-flask-'));
  fs.writeFileSync(path.join(flaskDir, 'app.py'), FLASK_APP);
  const hasGunicorn = fs.existsSync('/usr/bin/gunicorn') && fs.existsSync(PYTHON);
  if (hasGunicorn) {
    const env = { WEATHER_CSV: path.join(dir, 'data', 'weather.csv'), OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', PYTHONPATH: flaskDir };
    const gunicorn = await startProcess('/usr/bin/gunicorn', ['-w', '2', '--preload', '-b', '127.0.0.1:5613', 'app:app'], { cwd: flaskDir, env }, /Booting worker[\s\S]*Booting worker/);
    await sleep(1000);
    results.flask = await measured(gunicorn.pid!, 'http://127.0.0.1:5613/invocations', 10);
    await stop(gunicorn);
    console.log(line('gunicorn -w 2 + flask + sklearn RF', results.flask));
  } else console.log('gunicorn + flask + sklearn: not installed (apt-get install python3-flask gunicorn python3-sklearn)');

  console.log('');
  console.log(`ours / bare node:http      ${num(vsBare, 2)}x   (target >= 0.6x; rounds: ${rounds.map((r) => num(r.ours.requests.average / r.bare.requests.average, 2)).join(', ')})`);
  if (results.flask) console.log(`ours / gunicorn+flask      ${num(oursRate / results.flask.requests.average, 1)}x   (target >= 50x)`);
  const m = results.moving;
  console.log(`alias moves under load     non-2xx ${m.non2xx}, socket errors ${m.errors + m.timeouts}, versions answering ${[...seen.keys()].sort().join(' and ')}   (target 0, 0, both)`);
  console.log(`server RSS                 ${num(rssAt10, 1)} MB after 10 s of load${rssAt60 === undefined ? ' (run with --long for 60 s)' : `, ${num(rssAt60, 1)} MB after 60 s: +${num(rssAt60 - rssAt10, 1)} MB (target <= +20 MB)`}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(flaskDir, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
