import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotDataset } from '../../../src/core/data';
import { ObjectCache } from '../../../src/core/storage/objectCache';
import { refitFromConfig } from '../../../src/core/automl';
import { type TrainingConfigRecord } from '../../../src/core/tracking';
import { installPaths } from '../../../src/core/install';
import { MetadataStore } from '../../../src/core/store';
import { startRun } from '../../../src/core/tracking';
import type { Family } from '../../../src/core/train';
import { initProject, openProject, projectPaths, type Project } from '../../../src/core/workspace';
import { openMetadataStore } from '../../../src/core/metadata';
import { automlRun } from '../fixtures/automlRun';

const IRIS = path.join(__dirname, '../../../../test/fixtures/datasets/iris.csv');

export interface RegistryFixture {
  dir: string;
  project: () => Project;
  git: (...args: string[]) => string;
  store: () => Promise<MetadataStore>;
  /** A real AutoML run on the iris version: one trial of `family` (naive_bayes by default). */
  automlRun: (options?: { family?: Family; seed?: number }) => Promise<string>;
  /**
   * A run recorded by hand the way the AutoML records one (the contract in docs/registry.md), for the tests that pin
   * its metric and parameter values or need what the AutoML never records: a failed run, a run without a model.
   */
  trainRun: (options?: { family?: Family; seed?: number; status?: 'finished' | 'failed'; withModel?: boolean }) => Promise<string>;
}

/** A project in a real git repository with the iris data snapshotted as dataset `iris` version 1, committed. */
export async function registryProject(): Promise<RegistryFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ada Lovelace');
  git('config', 'user.email', 'ada@example.com');
  initProject(dir, { sampleDir: installPaths().sample });
  fs.mkdirSync(path.join(dir, 'data'));
  fs.copyFileSync(IRIS, path.join(dir, 'data', 'iris.csv'));
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const project = () => openProject(dir);
  const snapshot = await snapshotDataset(project(), 'data/iris.csv', { name: 'iris', git: 'commit' });
  const store = () => openMetadataStore(dir);

  const trainRun: RegistryFixture['trainRun'] = async (options = {}) => {
    const family = options.family ?? 'naive_bayes';
    const seed = options.seed ?? 7;
    const config: TrainingConfigRecord = {
      dataset: 'iris', version: snapshot.version.id, digest: snapshot.version.digest, format: 'csv', target: 'target', task: 'classification',
      metric: 'accuracy', family, params: {}, seed, folds: 3, excluded: [],
    };
    // the AutoML's own path from a configuration to the bytes of its model.json
    const bytes = (await refitFromConfig(dir, config)).bytes;
    const hex = new ObjectCache(projectPaths(dir).cache).putBytes(bytes);
    const s = await store();
    const run = await startRun(s, { experiment: 'automl', name: family, captureEnvironment: true });
    for (const [k, v] of Object.entries({ 'mlops.kind': 'automl', 'mlops.task': 'classification', 'mlops.target': 'target', 'mlops.metric': 'accuracy', 'mlops.family': family })) run.setTag(k, v);
    run.logParam('model.var_smoothing', 1e-9);
    run.logParam('mlops.trainingConfig', JSON.stringify(config));
    run.logMetric('cv_accuracy', 0.95);
    run.logSeed(seed);
    run.logInput('dataset', 'iris', String(snapshot.version.id), snapshot.version.digest);
    if (options.withModel !== false) {
      const artifact = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-artifact-')), 'model.json');
      fs.writeFileSync(artifact, bytes);
      run.logArtifact(artifact);
      if (createHash('sha256').update(fs.readFileSync(artifact)).digest('hex') !== hex) throw new Error('artifact hash');
    }
    run.end(options.status ?? 'finished');
    // as `mlops run` and `mlops train` do when a run ends
    await s.fold();
    return run.id;
  };
  const automl: RegistryFixture['automlRun'] = async (options = {}) => {
    const s = await store();
    try {
      return (await automlRun(s, { dataset: 'iris', target: 'target', family: options.family ?? 'naive_bayes', seed: options.seed ?? 7 })).runId;
    } finally {
      s.close();
    }
  };
  return { dir, project, git, store, trainRun, automlRun: automl };
}
