import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { installedVersion, installPaths } from '../../../src/core/install';
import { weatherProject, type WeatherFixture } from '../retrain/fixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

interface GithubStep { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface GithubWorkflow { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; steps: GithubStep[] }> }
interface GitlabWorkflow { stages: string[]; mlops: { stage: string; image: string; script: string[]; after_script: string[]; artifacts: { when: string; paths: string[] } } }

/** `mlops` on PATH as CI has it after the install step, here the CLI under test. */
function shimDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-shim-'));
  fs.writeFileSync(path.join(dir, 'mlops'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
  return dir;
}

/** Runs a step's shell commands as a CI runner does (bash, stop at the first failure) in a fresh clone of the project. */
function runSteps(commands: readonly string[], cwd: string, env: NodeJS.ProcessEnv): { command: string; status: number | null; output: string }[] {
  const results = [];
  for (const command of commands) {
    const r = spawnSync('bash', ['-e', '-c', command], { cwd, encoding: 'utf8', env });
    results.push({ command, status: r.status, output: r.stdout + r.stderr });
    if (r.status !== 0) break;
  }
  return results;
}

describe('mlops ci init: a workflow whose steps run', () => {
  let fx: WeatherFixture;
  let env: NodeJS.ProcessEnv;
  const clone = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-ci-clone-'));
    execFileSync('git', ['clone', '-q', fx.dir, dir]);
    return dir;
  };

  before(async () => {
    fx = weatherProject();
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-ci-remote-'));
    const file = path.join(fx.dir, 'mlops.yaml');
    const config = fs.readFileSync(file, 'utf8').replace('data:\n', `data:\n  remote: ${remote}\n`).replace('  timeBudget: 60\n', '  maxTrials: 1\n  families: [gbdt]\n');
    fs.writeFileSync(file, config + '\nretraining:\n  weather:\n    gate: { holdout: holdout.csv, slice: location }\n');
    // The champion: the weakest family on 5% of the days; the loop's challenger trains on all of them.
    await fx.trainVersion(await fx.snapshotUntil('2014-01-01', 20), 'naive_bayes', 'champion');
    await fx.snapshotUntil('2015-01-01');
    fx.writeFile('holdout.csv', '2016-01-01', '2015-01-01');
    assert.equal(mlops(fx.dir, 'push').status, 0);
    execFileSync('git', ['add', '-A'], { cwd: fx.dir });
    execFileSync('git', ['commit', '-q', '-m', 'champion, data pointers, policy'], { cwd: fx.dir });
    env = { ...process.env, LANG: 'C', PATH: `${shimDir()}${path.delimiter}${process.env.PATH ?? ''}` };
  });

  it('github: checkout, Node 20, the pinned CLI, then validate, pull, repro and gate in order; the report goes to the job summary and an artifact; the steps run', () => {
    const r = mlops(fx.dir, 'ci', 'init', 'github', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { file: string }).file, '.github/workflows/mlops.yml');
    const text = fs.readFileSync(path.join(fx.dir, '.github/workflows/mlops.yml'), 'utf8');
    const workflow = parse(text) as GithubWorkflow;
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
    const steps = workflow.jobs.mlops.steps;
    assert.equal(workflow.jobs.mlops['runs-on'], 'ubuntu-latest');
    assert.match(steps[0].uses!, /^actions\/checkout@/);
    assert.match(steps[1].uses!, /^actions\/setup-node@/);
    assert.equal(steps[1].with!['node-version'], 20);
    const runs = steps.filter((s) => s.run).map((s) => s.run!.trim());
    assert.equal(runs[0], `npm install -g mlops-workbench@${installedVersion()}`);
    assert.deepEqual(runs.slice(1, 5), ['mlops validate', 'mlops pull', 'mlops repro', 'mlops gate --model weather@challenger --report gate.md']);
    const publish = steps.find((s) => s.run?.includes('GITHUB_STEP_SUMMARY'))!;
    assert.equal(publish.if, 'always()');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    assert.equal(upload.if, 'always()');
    assert.equal(upload.with!.path, 'gate.md');

    const work = clone();
    const summary = path.join(work, 'summary.md');
    const results = runSteps(runs.slice(1), work, { ...env, GITHUB_STEP_SUMMARY: summary });
    for (const step of results) assert.equal(step.status, 0, `${step.command}\n${step.output}`);
    assert.equal(results.length, runs.length - 1);
    assert.match(results[1].output, /Pulled \d+ objects/);
    assert.match(results[2].output, /register: weather\/2, alias challenger/);
    assert.match(fs.readFileSync(summary, 'utf8'), /Gate passed: weather\/2 against weather\/1/);
  });

  it('refuses to overwrite a workflow without --force', () => {
    const file = path.join(fx.dir, '.github/workflows/mlops.yml');
    fs.writeFileSync(file, '# ours\n');
    const r = mlops(fx.dir, 'ci', 'init', 'github');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\.github\/workflows\/mlops\.yml exists already/);
    assert.equal(fs.readFileSync(file, 'utf8'), '# ours\n');
    assert.equal(mlops(fx.dir, 'ci', 'init', 'github', '--force').status, 0);
    assert.notEqual(fs.readFileSync(file, 'utf8'), '# ours\n');
    assert.equal(mlops(fx.dir, 'ci', 'init', 'jenkins').status, 2);
  });

  it('gitlab: one job on node:20, the same commands, the report kept as an artifact; script and after_script run', () => {
    const r = mlops(fx.dir, 'ci', 'init', 'gitlab');
    assert.equal(r.status, 0, r.stderr);
    const workflow = parse(fs.readFileSync(path.join(fx.dir, '.gitlab-ci.yml'), 'utf8')) as GitlabWorkflow;
    assert.deepEqual(workflow.stages, ['mlops']);
    const job = workflow.mlops;
    assert.equal(job.image, 'node:20');
    assert.equal(job.script[0], `npm install -g mlops-workbench@${installedVersion()}`);
    assert.deepEqual(job.script.slice(1), ['mlops validate', 'mlops pull', 'mlops repro', 'mlops gate --model weather@challenger --report gate.md']);
    assert.equal(job.artifacts.when, 'always');
    assert.deepEqual(job.artifacts.paths, ['gate.md']);
    assert.match(job.after_script.join('\n'), /merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);

    const work = clone();
    const results = runSteps([...job.script.slice(1), ...job.after_script], work, env);
    for (const step of results) assert.equal(step.status, 0, `${step.command}\n${step.output}`);
    assert.equal(results.length, job.script.length - 1 + job.after_script.length);
    assert.match(fs.readFileSync(path.join(work, 'gate.md'), 'utf8'), /Gate passed/);
  });
});
