// AutoML against the best of scikit-learn's HistGradientBoosting, RandomForest(100) and Logistic/Ridge regression on
// the committed fixture folds, then the AutoML CLI on a 1,000,000 x 20 synthetic dataset: wall time against the
// budget, peak RSS against 2 GB, and the progress it printed meanwhile.
// Run: npm run build && npx tsc -p . && node out/bench/automl/automlBench.js [--budget 30] [--skip-fixtures]
//      [--skip-scale] [--scale-rows 1000000] [--scale-budget 120]
// scikit-learn's scores are the committed test/fixtures/datasets/sklearn_reference.json (bench/train/sklearn_ref.py
// made them on the same folds); nothing here needs Python.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSearch } from '../../src/core/automl/search';
import { installPaths } from '../../src/core/install';
import { Rng } from '../../src/core/train';
import { FIXTURES, fixtureFolds, fixtureTask, loadFixture, sklearnReference } from '../../test/unit/train/fixtures';

const BAR_MODELS = ['hgb', 'rf', 'linear'];
const CLI = path.join(installPaths().root, 'dist', 'cli.js');
const pad = (s: string | number, n: number) => String(s).padEnd(n);

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function fixtures(budget: number): Promise<boolean> {
  const reference = sklearnReference();
  console.log(`AutoML (${budget} s budget per dataset, seed 0) against the best of scikit-learn HGB / RF(100) / Logistic-Ridge, mean score over the committed 5 folds\n`);
  console.log(`${pad('dataset', 14)}${pad('metric', 9)}${pad('AutoML', 9)}${pad('family', 15)}${pad('trials', 8)}${pad('seconds', 9)}${pad('sklearn', 9)}${pad('model', 8)}${pad('gap (points)', 14)}ratio`);
  let allOk = true;
  for (const name of FIXTURES) {
    const task = fixtureTask(name);
    const metric = task.type === 'classification' ? 'accuracy' : 'r2';
    const started = performance.now();
    const { best, trials } = await runSearch({
      dataset: loadFixture(name), task, metric, seed: 0, folds: 5, foldAssignment: Int32Array.from(fixtureFolds(name)), timeBudget: budget,
    });
    const seconds = (performance.now() - started) / 1000;
    const [model, theirs] = BAR_MODELS.map((m) => [m, reference[name][m].score] as const).sort((a, b) => b[1] - a[1])[0];
    const gap = (theirs - best.score!) * 100;
    const ok = gap <= 1;
    allOk &&= ok;
    console.log(`${pad(name, 14)}${pad(metric, 9)}${pad(best.score!.toFixed(4), 9)}${pad(best.family, 15)}${pad(trials.length, 8)}${pad(seconds.toFixed(1), 9)}${pad(theirs.toFixed(4), 9)}${pad(model, 8)}${pad(`${gap.toFixed(2)} ${ok ? 'OK' : 'OVER'}`, 14)}${(best.score! / theirs).toFixed(4)}x`);
  }
  console.log(`\nbar: AutoML within 1 point of scikit-learn's best on every dataset: ${allOk ? 'met' : 'NOT met'}`);
  return allOk;
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
