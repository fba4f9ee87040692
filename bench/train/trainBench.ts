// The built-in learners against scikit-learn, side by side on the same folds and the same machine.
// Run: npx tsc -p . && node out/bench/train/trainBench.js [--skip-fixtures] [--skip-scale] [--scale-rows N]
// scikit-learn runs through Debian's /usr/bin/python3 (bench/train/sklearn_ref.py) with OMP_NUM_THREADS=1, so both
// sides use one thread. Times are CPU seconds of each process (process.cpuUsage here, time.process_time there), not
// wall time: on a shared machine wall time mostly measures the other processes. Prints: scores and fit times per dataset, the best family against the best of scikit-learn's
// three (the AutoML's bar), and a 1,000,000 x 20 GBDT fit with peak memory and 100,000-row prediction time.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Column, Dataset, Family, Rng, accuracy, fitModel, foldRows, predict, r2, subsetRows } from '../../src/core/train';
import { FIXTURES, FixtureName, fixtureFolds, fixtureTask, loadFixture } from '../../test/unit/train/fixtures';
import { peakRssBytes } from '../peakRss';

const ROOT = path.join(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'bench', 'train', 'sklearn_ref.py');
const PYTHON = '/usr/bin/python3';
/** Our family for each scikit-learn model of sklearn_ref.py. */
const COUNTERPART: Record<string, Family> = { hgb: 'gbdt', rf: 'random_forest', linear: 'linear', extra_trees: 'extra_trees', knn: 'knn', naive_bayes: 'naive_bayes' };
/** The three models the AutoML is held to. */
const BAR_MODELS = ['hgb', 'rf', 'linear'];

interface SklearnEntry {
  metric: string;
  score: number;
  fit_seconds: number;
}

function sklearn(args: string[]): string {
  const result = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }, maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`sklearn_ref.py failed: ${result.stderr}`);
  return result.stdout;
}

function crossValidate(name: FixtureName, family: Family): { score: number; fitSeconds: number } {
  const ds = loadFixture(name);
  const task = fixtureTask(name);
  const folds = fixtureFolds(name);
  const target = ds.columns.find((c) => c.name === 'target') as Extract<Column, { kind: 'numeric' }>;
  let score = 0;
  let fitSeconds = 0;
  for (let k = 0; k < 5; k++) {
    const { train, test } = foldRows(folds, k);
    const trainSet = subsetRows(ds, train);
    const t0 = cpuSeconds();
    const model = fitModel(family, {}, trainSet, task, 0);
    fitSeconds += cpuSeconds() - t0;
    const p = predict(model, subsetRows(ds, test));
    const truth = Array.from(test, (i) => target.values[i]);
    score += p.kind === 'regression' ? r2(truth, p.values) : accuracy(truth.map((v) => p.classes.indexOf(String(v))), p.classIndex);
  }
  return { score: score / 5, fitSeconds };
}

/** CPU seconds used by this process so far (all its threads, so V8's background GC counts against us). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const num = (x: number, digits = 4) => x.toFixed(digits);

function fixtures(): void {
  console.log('scikit-learn (OMP_NUM_THREADS=1) on the committed 5 folds...');
  const reference = JSON.parse(sklearn([])) as { sklearn: string; scores: Record<string, Record<string, SklearnEntry>> };
  console.log(`scikit-learn ${reference.sklearn}; fit seconds are CPU seconds summed over the 5 folds\n`);
  console.log(`${pad('dataset', 14)}${pad('metric', 9)}${pad('ours', 15)}${pad('score', 8)}${pad('sklearn', 8)}${pad('fit s', 8)}${pad('sklearn', 8)}time ratio`);
  const bar: string[] = [];
  for (const name of FIXTURES) {
    const ours: Record<string, number> = {};
    for (const [sk, family] of Object.entries(COUNTERPART)) {
      const theirs = reference.scores[name][sk];
      if (!theirs) continue;
      const r = crossValidate(name, family);
      ours[family] = r.score;
      console.log(`${pad(name, 14)}${pad(theirs.metric, 9)}${pad(family, 15)}${pad(num(r.score), 8)}${pad(num(theirs.score), 8)}${pad(num(r.fitSeconds, 2), 8)}${pad(num(theirs.fit_seconds, 2), 8)}${num(r.fitSeconds / theirs.fit_seconds, 2)}x`);
    }
    const best = BAR_MODELS.map((m) => [m, reference.scores[name][m].score] as const).sort((a, b) => b[1] - a[1])[0];
    const [bestFamily, bestScore] = Object.entries(ours).sort((a, b) => b[1] - a[1])[0];
    const gap = (best[1] - bestScore) * 100;
    bar.push(`${pad(name, 14)}sklearn best ${pad(`${best[0]} ${num(best[1])}`, 16)} ours best ${pad(`${bestFamily} ${num(bestScore)}`, 22)} gap ${num(gap, 2)} points ${gap <= 1 ? 'OK (<= 1)' : 'OVER 1 POINT'}`);
  }
  console.log('\nbest of our families (defaults) against the best of scikit-learn HGB / RF(100) / Logistic-Ridge:');
  for (const line of bar) console.log(line);
}

/** The synthetic scale dataset; the same formula as sklearn_ref.py --scale (its own random draws). */
function scaleDataset(rows: number, cols: number): Dataset {
  const rng = new Rng(0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const X = Array.from({ length: cols }, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) X[f][i] = gauss();
    const logit = X[0][i] * 1.5 - X[1][i] + 0.5 * X[2][i] * X[3][i] + Math.sin(X[4][i] * 2);
    y[i] = logit + gauss() * 0.5 > 0 ? 1 : 0;
  }
  const columns: Column[] = X.map((values, f) => ({ kind: 'numeric', name: `x${f}`, values }));
  columns.push({ kind: 'numeric', name: 'y', values: y });
  return { nRows: rows, columns };
}

/** Runs in a child process so that its peak RSS is the GBDT's alone. */
function scaleChild(rows: number): void {
  const data = scaleDataset(rows, 20);
  const t0 = cpuSeconds();
  const model = fitModel('gbdt', { maxIter: 100, earlyStopping: false }, data, { type: 'classification', target: 'y' }, 0);
  const fitSeconds = cpuSeconds() - t0;
  const head = subsetRows(data, Uint32Array.from({ length: Math.min(100_000, rows) }, (_, i) => i));
  const t1 = cpuSeconds();
  const p = predict(model, head);
  const predictSeconds = cpuSeconds() - t1;
  const truth = head.columns.find((c) => c.name === 'y') as Extract<Column, { kind: 'numeric' }>;
  const trainAccuracy = p.kind === 'classification' ? accuracy(truth.values, p.classIndex) : NaN;
  console.log(JSON.stringify({ fitSeconds, predictSeconds, trainAccuracy, maxRssMB: peakRssBytes() / 1024 / 1024 }));
}

function scale(rows: number): void {
  console.log(`\nscale: GBDT (100 iterations, 31 leaves, no early stopping) on ${rows.toLocaleString('en')} rows x 20 columns`);
  const child = spawnSync(process.execPath, ['--max-old-space-size=4096', __filename, '--scale-child', String(rows)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  const ours = JSON.parse(child.stdout.trim().split('\n').pop()!) as { fitSeconds: number; predictSeconds: number; trainAccuracy: number; maxRssMB: number };
  const theirs = JSON.parse(sklearn(['--scale', String(rows)]).trim()) as { fit_seconds: number; predict_100k_seconds: number; train_accuracy: number };
  console.log(`${pad('CPU seconds', 14)}${pad('fit s', 10)}${pad('predict 100k s', 16)}${pad('accuracy (first 100k)', 23)}peak RSS`);
  console.log(`${pad('ours', 14)}${pad(num(ours.fitSeconds, 2), 10)}${pad(num(ours.predictSeconds, 3), 16)}${pad(num(ours.trainAccuracy), 23)}${ours.maxRssMB.toFixed(0)} MB (bar: 2048 MB)`);
  console.log(`${pad('scikit-learn', 14)}${pad(num(theirs.fit_seconds, 2), 10)}${pad(num(theirs.predict_100k_seconds, 3), 16)}${num(theirs.train_accuracy)}`);
  console.log(`ratios: fit ${num(ours.fitSeconds / theirs.fit_seconds, 2)}x (bar: 2x), predict ${num(ours.predictSeconds / theirs.predict_100k_seconds, 2)}x (bar: 1x)`);
}

const args = process.argv.slice(2);
if (args[0] === '--scale-child') scaleChild(Number(args[1]));
else {
  if (!args.includes('--skip-fixtures')) fixtures();
  if (!args.includes('--skip-scale')) scale(args.includes('--scale-rows') ? Number(args[args.indexOf('--scale-rows') + 1]) : 1_000_000);
}
