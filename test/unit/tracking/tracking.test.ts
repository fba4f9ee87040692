import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { installPaths } from '../../../src/core/install';
import { MetadataStore } from '../../../src/core/store';
import { storeTables } from '../../../src/core/store/migrations';
import { trackingCapability } from '../../../src/core/tracking/schema';
import {
  deleteRun, getRun, importMlflow, listExperiments, listRuns, metricSeries, newRunId, runCommand, setRunNote, startRun,
} from '../../../src/core/tracking';
import { openMetadataStore } from '../../../src/core/metadata';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-tracking-'));
const quiet = { stdout: () => undefined, stderr: () => undefined };

/** Runs a Node script as a run, the way `mlops run -- node -e ...` does. */
function runNode(store: MetadataStore, script: string, options: { experiment?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runCommand(store, [process.execPath, '-e', script], { cwd: store.paths.root, ...quiet, ...options });
}

describe('tracking runs', () => {
  it('keeps what a run logs: params, metric series, tags, seed, inputs, artifacts, notes', async () => {
    const root = tmp();
    const store = await openMetadataStore(root);
    const run = await startRun(store, { experiment: 'churn', name: 'baseline' });
    run.logParam('lr', 0.01);
    run.logParam('layers', [64, 32]);
    for (let step = 0; step < 5; step++) run.logMetric('loss', 1 / (step + 1), step * 10, 1000 + step);
    run.logMetrics('acc', [0.5, 0.6, NaN]);
    run.setTag('team', 'growth');
    run.logSeed(42);
    run.logInput('dataset', 'customers', 'v3', 'sha256:abc');
    const model = path.join(root, 'model.bin');
    fs.writeFileSync(model, 'weights');
    run.logArtifact(model);
    run.end();
    setRunNote(store, run.id, 'first try');
    await store.fold();

    const fresh = await openMetadataStore(root);
    const details = getRun(fresh, run.id);
    assert.equal(details.status, 'finished');
    assert.equal(details.name, 'baseline');
    assert.deepEqual(details.params, { layers: '[64,32]', lr: '0.01' });
    assert.deepEqual(details.metrics.loss, { value: 0.2, step: 40, timestamp: 1004, count: 5 });
    assert.equal(details.metrics.acc.value, null, 'NaN, logged as such, reads back as no value');
    assert.deepEqual(details.tags, { team: 'growth' });
    assert.deepEqual(details.seeds, { seed: '42' });
    assert.deepEqual(details.inputs, [{ kind: 'dataset', name: 'customers', version: 'v3', digest: 'sha256:abc' }]);
    assert.deepEqual(details.artifacts, [{ path: model, sha256: '9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c', size: 7 }]);
    assert.equal(details.notes, 'first try');
    const loss = metricSeries(fresh, run.id, 'loss');
    assert.deepEqual(Array.from(loss.steps), [0, 10, 20, 30, 40]);
    assert.deepEqual(Array.from(loss.values), [1, 0.5, 1 / 3, 0.25, 0.2]);
    assert.deepEqual(Array.from(metricSeries(fresh, run.id, 'acc').steps), [0, 1, 2], 'points without a step are numbered in order');
    assert.deepEqual(listExperiments(fresh), [{ name: 'churn', runs: 1, lastStart: details.start }]);
  });

  it('keeps a long series intact across many small folds', async () => {
    const root = tmp();
    const store = await openMetadataStore(root);
    const run = await startRun(store);
    for (let step = 0; step < 20_000; step++) {
      run.logMetric('loss', step * 0.5, step);
      if (step % 3000 === 0) store.refresh();
    }
    run.end();
    await store.fold();
    const series = metricSeries(await openMetadataStore(root), run.id, 'loss');
    assert.equal(series.values.length, 20_000);
    assert.ok(series.steps.every((s, i) => s === i && series.values[i] === i * 0.5));
  });

  it('lists runs newest first, filters by experiment, and links parents and children', async () => {
    const store = await openMetadataStore(tmp());
    const parent = await startRun(store, { experiment: 'a' });
    const child = await startRun(store, { experiment: 'a', parent: parent.id });
    const other = await startRun(store, { experiment: 'b' });
    store.refresh();
    assert.deepEqual(listRuns(store).map((r) => r.id), [other.id, child.id, parent.id]);
    assert.deepEqual(listRuns(store, 'a').map((r) => r.id), [child.id, parent.id]);
    assert.deepEqual(getRun(store, parent.id).children, [child.id]);
    assert.equal(getRun(store, child.id).parentId, parent.id);
  });

  it('finds a run by a unique prefix of its id and says clearly when it cannot', async () => {
    const store = await openMetadataStore(tmp());
    const run = await startRun(store);
    assert.equal(getRun(store, run.id.slice(0, 11)).id, run.id);
    assert.throws(() => getRun(store, 'nope'), (err: unknown) => err instanceof MlopsError && err.code === 'NO_RUN' && /mlops runs/.test(err.hint ?? ''));
  });

  it('makes run ids that sort by start time and do not collide, even within one millisecond', () => {
    const later = Date.now() + 3_600_000;
    const ids = Array.from({ length: 1000 }, (_, i) => newRunId(later + i * 1000));
    assert.deepEqual([...ids].sort(), ids);
    const sameMs = Array.from({ length: 1000 }, () => newRunId(later + 2_000_000));
    assert.equal(new Set(sameMs).size, 1000);
    assert.deepEqual([...sameMs].sort(), sameMs);
  });

  it('ends as killed a run whose process died without ending it, at its last write', async () => {
    const root = tmp();
    const store = await openMetadataStore(root);
    const deadPid = 2 ** 22 + 4321;
    store.append([{ type: 'run_start', run: 'orphan', experiment: 'e', start: 1000, owner: { pid: deadPid, host: os.hostname() } }]);
    const log = path.join(root, '.mlops', 'runs', 'orphan', 'log.jsonl');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, '{"type":"metric","key":"loss","value":1}\n{"type":"metric","key":"lo');
    const lastWrite = fs.statSync(log).mtimeMs;
    const live = await startRun(store);
    await store.fold();
    const orphan = getRun(await openMetadataStore(root), 'orphan');
    assert.equal(orphan.status, 'killed');
    assert.equal(orphan.end, lastWrite);
    assert.equal(orphan.metrics.loss.count, 1);
    assert.equal(getRun(store, live.id).status, 'running', 'a run whose process lives is left alone');
  });

  it('opens a store written with the first tracking schema and upgrades it, keeping its runs', async () => {
    const root = tmp();
    // The first version's capability: its schema, and none of the later code that needs the newer columns.
    const v1 = { ...trackingCapability, migrations: trackingCapability.migrations.slice(0, 1), closeAbandoned: undefined };
    const old = await MetadataStore.open(root, { capabilities: [storeTables, v1] });
    // Rows as the first version wrote them: its own code is gone, so plain SQL stands in for it.
    old.database.run("INSERT INTO runs (id, experiment, status, start_time) VALUES ('r1', 'e', 'finished', 5)");
    old.database.run("INSERT INTO params (run_id, key, value) VALUES ('r1', 'lr', '0.1')");
    await old.fold();
    old.close();
    const store = await openMetadataStore(root);
    assert.deepEqual(getRun(store, 'r1').params, { lr: '0.1' });
    await store.fold();
    const versions = (await openMetadataStore(root)).database.exec("SELECT version FROM schema_versions WHERE capability = 'tracking'")[0].values;
    assert.deepEqual(versions, [[trackingCapability.migrations.length]]);
  });

  it('deletes a run for good, even when its records arrive afterwards', async () => {
    const root = tmp();
    const store = await openMetadataStore(root);
    const run = await startRun(store);
    run.logMetric('loss', 1);
    await deleteRun(store, run.id);
    store.append([{ type: 'metric', run: run.id, key: 'loss', value: 2 }]);
    await store.fold();
    const fresh = await openMetadataStore(root);
    assert.deepEqual(listRuns(fresh), []);
    assert.equal(fresh.database.exec('SELECT count(*) FROM metric_chunks')[0].values[0][0], 0);
    assert.equal(fs.existsSync(path.join(root, '.mlops', 'runs', run.id)), false);
  });
});

describe('running a command as a run', () => {
  it('gives the command its run id and log file, keeps its output, and marks it finished', async () => {
    const store = await openMetadataStore(tmp());
    const script = `
      const fs = require('fs');
      fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify({ type: 'metric', key: 'loss', value: 0.3, step: 1 }) + '\\n');
      fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify({ type: 'param', key: 'lr', value: 0.01 }) + '\\n');
      fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify({ type: 'tag', key: 'k', value: 'v' }) + '\\n');
      fs.writeFileSync('model.txt', 'weights');
      fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify({ type: 'artifact', path: 'model.txt' }) + '\\n');
      console.log('run id is ' + process.env.MLOPS_RUN_ID);`;
    const result = await runNode(store, script, { experiment: 'cli' });
    assert.equal(result.status, 'finished');
    assert.equal(result.exitCode, 0);
    const details = getRun(store, result.runId);
    assert.deepEqual(details.metrics.loss, { value: 0.3, step: 1, timestamp: null, count: 1 });
    assert.deepEqual(details.params, { lr: '0.01' });
    assert.deepEqual(details.tags, { k: 'v' });
    assert.deepEqual(details.artifacts, [{ path: 'model.txt', sha256: '9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c', size: 7 }], 'hashed when the run ended');
    assert.equal(details.experiment, 'cli');
    assert.equal(fs.readFileSync(path.join(store.paths.state, 'runs', result.runId, 'output.log'), 'utf8'), `run id is ${result.runId}\n`);
    assert.equal(details.environment?.node, process.version);
    assert.deepEqual(JSON.parse(details.command ?? '[]')[0], process.execPath);
  });

  it('reports malformed lines with their line numbers, skips them, and still ends the run', async () => {
    const store = await openMetadataStore(tmp());
    const script = `
      const fs = require('fs'), f = process.env.MLOPS_LOG_FILE;
      fs.appendFileSync(f, '{"type":"metric","key":"loss","value":1}\\nnot json\\n{"type":"metric","key":"loss","value":"high"}\\n{"type":"metric","key":"loss","value":2}\\n{"type":"metric","ke');`;
    const result = await runNode(store, script);
    assert.equal(result.status, 'finished');
    assert.deepEqual(result.problems.map((p) => p.line), [2, 3, 5]);
    assert.match(result.problems[0].message, /not a JSON line/);
    assert.deepEqual(Array.from(metricSeries(store, result.runId, 'loss').values), [1, 2]);
  });

  it('marks a failing command failed with its exit code, and one killed by a signal killed', async () => {
    const store = await openMetadataStore(tmp());
    const failed = await runNode(store, 'process.exit(3)');
    assert.deepEqual([failed.status, failed.exitCode], ['failed', 3]);
    const killed = await runNode(store, "process.kill(process.pid, 'SIGTERM')");
    assert.deepEqual([killed.status, killed.signal], ['killed', 'SIGTERM']);
    assert.equal(getRun(store, killed.runId).signal, 'SIGTERM');
  });

  it('makes a run started inside another run its child', async () => {
    const store = await openMetadataStore(tmp());
    const outer = await startRun(store);
    const inner = await runNode(store, '', { env: { ...process.env, MLOPS_RUN_ID: outer.id } });
    assert.equal(getRun(store, inner.runId).parentId, outer.id);
  });

  it('says clearly when the command cannot be started, and records the run as failed', async () => {
    const store = await openMetadataStore(tmp());
    await assert.rejects(runCommand(store, ['no-such-command-mlops-test'], { cwd: store.paths.root, ...quiet }), (err: unknown) => err instanceof MlopsError && err.code === 'COMMAND_NOT_STARTED');
    assert.deepEqual(listRuns(store).map((r) => r.status), ['failed']);
  });

  it('logs from Python with python/mlops_log.py', async (t) => {
    const store = await openMetadataStore(tmp());
    const script = [
      'import sys, mlops_log',
      'mlops_log.log_param("lr", 0.01)',
      'for s in range(3): mlops_log.log_metric("loss", 1.0 / (s + 1), step=s)',
      'mlops_log.log_metric("odd", float("nan"))',
      'mlops_log.set_tag("framework", "none")',
      'open("out.txt", "w").write("x")',
      'mlops_log.log_artifact("out.txt")',
    ].join('\n');
    const env = { ...process.env, PYTHONPATH: installPaths().python };
    const result = await runCommand(store, ['python3', '-c', script], { cwd: store.paths.root, env, ...quiet }).catch((err: unknown) => err);
    if (result instanceof MlopsError) return t.skip('python3 is not installed');
    const details = getRun(store, (result as { runId: string }).runId);
    assert.equal(details.status, 'finished');
    assert.deepEqual(details.params, { lr: '0.01' });
    assert.deepEqual(Array.from(metricSeries(store, details.id, 'loss').values), [1, 0.5, 1 / 3]);
    assert.equal(details.metrics.odd.value, null);
    assert.deepEqual(details.tags, { framework: 'none' });
    assert.equal(details.artifacts[0].sha256, '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });
});

describe('importing MLflow runs', () => {
  function mlruns(): string {
    const dir = path.join(tmp(), 'mlruns');
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('1/meta.yaml', 'artifact_location: file:///x\nexperiment_id: "1"\nlifecycle_stage: active\nname: fraud\n');
    const run = '1/0123456789abcdef0123456789abcdef';
    write(`${run}/meta.yaml`, 'run_id: 0123456789abcdef0123456789abcdef\nrun_name: bold-owl\nexperiment_id: "1"\nstatus: 3\nstart_time: 1700000000000\nend_time: 1700000060000\nlifecycle_stage: active\n');
    write(`${run}/params/max_depth`, '6');
    write(`${run}/params/opt/lr`, '0.1');
    write(`${run}/tags/mlflow.source.git.commit`, 'deadbeef');
    write(`${run}/metrics/auc`, '1700000001000 0.81 0\n1700000002000 0.85 1\n1700000003000 nan 2\n');
    write('1/ffffffffffffffffffffffffffffffff/meta.yaml', 'run_id: ffffffffffffffffffffffffffffffff\nstatus: 4\nstart_time: 1700000000000\nlifecycle_stage: deleted\n');
    return dir;
  }

  it('brings in experiments, runs, params, tags and metric histories, and importing twice changes nothing', async () => {
    const root = tmp();
    const dir = mlruns();
    const first = await importMlflow(await openMetadataStore(root), dir);
    assert.deepEqual(first, { imported: ['0123456789abcdef0123456789abcdef'], skipped: [], experiments: ['fraud'] });
    const second = await importMlflow(await openMetadataStore(root), dir);
    assert.deepEqual(second.imported, []);
    assert.deepEqual(second.skipped, ['0123456789abcdef0123456789abcdef']);
    const store = await openMetadataStore(root);
    const run = getRun(store, '0123456789abcdef0123456789abcdef');
    assert.deepEqual([run.experiment, run.name, run.status, run.start, run.end], ['fraud', 'bold-owl', 'finished', 1700000000000, 1700000060000]);
    assert.deepEqual(run.params, { max_depth: '6', 'opt/lr': '0.1' });
    assert.equal(run.git?.commit, 'deadbeef');
    const auc = metricSeries(store, run.id, 'auc');
    assert.deepEqual(Array.from(auc.steps), [0, 1, 2]);
    assert.deepEqual(Array.from(auc.values.slice(0, 2)), [0.81, 0.85]);
    assert.ok(Number.isNaN(auc.values[2]));
    assert.equal(listRuns(store).length, 1, 'deleted MLflow runs stay out, and nothing is duplicated');
  });

  it('says what to give it when the folder is not an mlruns folder', async () => {
    await assert.rejects(importMlflow(await openMetadataStore(tmp()), tmp()), (err: unknown) => err instanceof MlopsError && err.code === 'NOT_MLRUNS');
  });
});
