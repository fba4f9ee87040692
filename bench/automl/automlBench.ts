// AutoML against the best of scikit-learn's HistGradientBoosting, RandomForest(100) and Logistic/Ridge regression on
// the committed fixture folds, then the AutoML CLI on a 1,000,000 x 20 synthetic dataset: wall time against the
// budget, peak RSS against 2 GB, and the progress it printed meanwhile.
// Run: npm run build && npx tsc -p . && node out/bench/automl/automlBench.js [--budget 30] [--skip-fixtures]
//      [--skip-scale] [--scale-rows 1000000] [--scale-budget 120]
// scikit-learn's scores are the committed test/fixtures/datasets/sklearn_reference.json (bench/train/sklearn_ref.py
// made them on the same folds) and bench/automl/sets/reference.json for the two generated sets (make_sets.py: a
// small one, 240 rows, and a dated one scored on a time split); nothing here needs Python. AutoML's score is that of
// the model it would deliver: the ensemble when ensemble selection kept it (its nested-CV score), else the best trial.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cvSetup, scoreFold } from '../../src/core/automl/crossValidation';
import { selectEnsemble } from '../../src/core/automl/ensembleSelection';
import { runSearch, type SearchOptions } from '../../src/core/automl/search';
import { installPaths } from '../../src/core/install';
import { readTrainingFile } from '../../src/core/models';
import { ENSEMBLE, Rng, fitModel, predict, subsetRows, type ModelFamily, type Task } from '../../src/core/train';
import { FIXTURES, fixtureFolds, fixtureTask, loadFixture, sklearnReference } from '../../test/unit/train/fixtures';

const BAR_MODELS = ['hgb', 'rf', 'linear'];
const CLI = path.join(installPaths().root, 'dist', 'cli.js');
const pad = (s: string | number, n: number) => String(s).padEnd(n);

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const SETS = path.join(installPaths().root, 'bench', 'automl', 'sets');

interface SetReference {
  metric: 'accuracy' | 'r2';
  split: 'folds' | 'time';
  folds?: number[];
  timestamp?: string;
  testRows?: number;
  scores: Record<string, number>;
}

/** The search, then ensemble selection as runAutoml does it: the family, params and score of the model it delivers. */
async function automl(options: SearchOptions): Promise<{ family: ModelFamily; params: Record<string, unknown>; score: number; trials: number }> {
  const { best, trials, library } = await runSearch(options);
  const ensemble = library && selectEnsemble(library.setup, library.entries);
  if (ensemble?.entry.kept) return { family: ENSEMBLE, params: ensemble.params as unknown as Record<string, unknown>, score: ensemble.entry.score, trials: trials.length };
  return { family: best.family, params: { ...best.params }, score: best.score!, trials: trials.length };
}

interface Row {
  name: string;
  metric: string;
  ours: Awaited<ReturnType<typeof automl>>;
  seconds: number;
  theirs: number;
  model: string;
}

async function fixtures(budget: number): Promise<boolean> {
  const reference = sklearnReference();
  console.log(`AutoML (${budget} s budget per dataset, seed 0) against the best of scikit-learn HGB / RF(100) / Logistic-Ridge, mean score over the same 5 folds (timed: the newest 20% of rows)\n`);
  console.log(`${pad('dataset', 14)}${pad('metric', 9)}${pad('AutoML', 9)}${pad('family', 15)}${pad('trials', 8)}${pad('seconds', 9)}${pad('sklearn', 9)}${pad('model', 8)}${pad('diff (points)', 15)}ratio`);
  const rows: Row[] = [];
  const show = (r: Row) => {
    const diff = (r.ours.score - r.theirs) * 100;
    console.log(`${pad(r.name, 14)}${pad(r.metric, 9)}${pad(r.ours.score.toFixed(4), 9)}${pad(r.ours.family, 15)}${pad(r.ours.trials, 8)}${pad(r.seconds.toFixed(1), 9)}${pad(r.theirs.toFixed(4), 9)}${pad(r.model, 8)}${pad(`${diff >= 0 ? '+' : ''}${diff.toFixed(2)} ${diff >= -1 ? 'OK' : 'UNDER'}`, 15)}${(r.ours.score / r.theirs).toFixed(4)}x`);
    rows.push(r);
  };
  const bestOf = (scores: Record<string, number>) => BAR_MODELS.map((m) => [m, scores[m]] as const).sort((a, b) => b[1] - a[1])[0];
  for (const name of FIXTURES) {
    const task = fixtureTask(name);
    const metric = task.type === 'classification' ? 'accuracy' : 'r2';
    const started = performance.now();
    const ours = await automl({ dataset: loadFixture(name), task, metric, seed: 0, folds: 5, foldAssignment: Int32Array.from(fixtureFolds(name)), timeBudget: budget });
    const [model, theirs] = bestOf(Object.fromEntries(BAR_MODELS.map((m) => [m, reference[name][m].score])));
    show({ name, metric, ours, seconds: (performance.now() - started) / 1000, theirs, model });
  }
  const sets = JSON.parse(fs.readFileSync(path.join(SETS, 'reference.json'), 'utf8')) as Record<string, SetReference>;
  for (const [name, ref] of Object.entries(sets)) {
    const target = ref.metric === 'accuracy' ? 'label' : 'sales';
    const task: Task = { type: ref.metric === 'accuracy' ? 'classification' : 'regression', target };
    const { dataset } = await readTrainingFile(path.join(SETS, `${name}.csv`), 'csv', { keep: target });
    const started = performance.now();
    const [model, theirs] = bestOf(ref.scores);
    if (ref.split === 'folds') {
      const ours = await automl({ dataset, task, metric: ref.metric, seed: 0, folds: 5, foldAssignment: Int32Array.from(ref.folds!), timeBudget: budget });
      show({ name, metric: ref.metric, ours, seconds: (performance.now() - started) / 1000, theirs, model });
      continue;
    }
    // The file is in time order; the search and its ensemble see only the older rows, the delivered model is scored on the newer.
    const cut = dataset.nRows - ref.testRows!;
    const train = Uint32Array.from({ length: cut }, (_, i) => i);
    const test = Uint32Array.from({ length: ref.testRows! }, (_, i) => cut + i);
    const chosen = await automl({ dataset: subsetRows(dataset, train), task, metric: ref.metric, seed: 0, folds: 5, timeBudget: budget });
    const fitted = fitModel(chosen.family, chosen.params, subsetRows(dataset, train), task, 0);
    const score = scoreFold(cvSetup(dataset, task, ref.metric, 5, 0), test, predict(fitted, subsetRows(dataset, test)));
    show({ name: `${name} (time)`, metric: ref.metric, ours: { ...chosen, score }, seconds: (performance.now() - started) / 1000, theirs, model });
  }
  const diffs = rows.map((r) => (r.ours.score - r.theirs) * 100);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const ok = mean >= 0.5 && diffs.every((d) => d >= -1);
  console.log(`\nmean difference ${mean >= 0 ? '+' : ''}${mean.toFixed(2)} points over ${rows.length} sets; worst ${Math.min(...diffs).toFixed(2)}`);
  console.log(`bar: at least +0.5 points on average and at least -1.0 on each set: ${ok ? 'met' : 'NOT met'}`);
  return ok;
}

/** The scale data as a CSV file: 20 Gaussian features, a binary target from a non-linear function of five of them. */
function writeScaleCsv(file: string, rows: number): void {
  const rng = new Rng(0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, [...Array.from({ length: 20 }, (_, f) => `x${f}`), 'y'].join(',') + '\n');
  let buffer: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 20 }, gauss);
    const logit = x[0] * 1.5 - x[1] + 0.5 * x[2] * x[3] + Math.sin(x[4] * 2);
    buffer.push(x.map((v) => v.toFixed(5)).join(',') + (logit + gauss() * 0.5 > 0 ? ',1' : ',0'));
    if (buffer.length === 10_000) {
      fs.writeSync(fd, buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length) fs.writeSync(fd, buffer.join('\n') + '\n');
  fs.closeSync(fd);
}

async function scale(rows: number, budget: number): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-automl-bench-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  cli('init');
  console.log(`\nscale: ${rows.toLocaleString('en')} rows x 20 columns, mlops train --time-budget ${budget} (in ${dir})`);
  writeScaleCsv(path.join(dir, 'big.csv'), rows);
  const snap = cli('snapshot', 'big.csv', '--name', 'big');
  if (snap.status !== 0) throw new Error(snap.stderr);
  // /usr/bin/time reports the CLI's peak RSS, worker thread included (same process).
  const child = spawn('/usr/bin/time', ['-f', 'peak_rss_kb=%M', process.execPath, CLI, 'train', '--dataset', 'big', '--target', 'y', '--time-budget', String(budget), '--json'], { cwd: dir });
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  const progressTimes: number[] = [];
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    progressTimes.push((performance.now() - started) / 1000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wall = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(stderr);
  const result = JSON.parse(stdout) as { bestScore: number; bestModel: { family: string }; trials: number };
  const rss = Number(/peak_rss_kb=(\d+)/.exec(stderr)![1]) / 1024;
  const progressLines = stderr.split('\n').filter((l) => l && !l.startsWith('peak_rss_kb'));
  console.log(progressLines.map((l) => `  | ${l}`).join('\n'));
  const longestSilence = progressTimes.reduce((m, t, i) => Math.max(m, t - (i ? progressTimes[i - 1] : 0)), 0);
  const inBudget = wall <= budget;
  const inMemory = rss < 2048;
  console.log(`${pad('wall s', 10)}${pad('budget s', 10)}${pad('ratio', 8)}${pad('peak RSS', 12)}${pad('trials', 8)}${pad('best', 24)}longest silence on stderr`);
  console.log(`${pad(wall.toFixed(1), 10)}${pad(budget, 10)}${pad(`${(wall / budget).toFixed(2)}x`, 8)}${pad(`${rss.toFixed(0)} MB`, 12)}${pad(result.trials, 8)}${pad(`${result.bestModel.family} ${result.bestScore.toFixed(4)}`, 24)}${longestSilence.toFixed(1)} s`);
  console.log(`bars: within the budget ${inBudget ? 'met' : 'NOT met'}; under 2 GB ${inMemory ? 'met' : 'NOT met'} (${(rss / 2048).toFixed(2)}x of 2 GB)`);
  fs.rmSync(dir, { recursive: true, force: true });
  return inBudget && inMemory;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let ok = true;
  if (!args.includes('--skip-fixtures')) ok = (await fixtures(option('--budget', 30))) && ok;
  if (!args.includes('--skip-scale')) ok = (await scale(option('--scale-rows', 1_000_000), option('--scale-budget', 120))) && ok;
  process.exitCode = ok ? 0 : 1;
}

void main();
