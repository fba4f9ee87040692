import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { refitFromConfig } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { installPaths } from '../../../src/core/install';
import { openMetadataStore } from '../../../src/core/metadata';
import { registerModel } from '../../../src/core/registry';
import { loadServedModel } from '../../../src/core/serve';
import { AppendLog } from '../../../src/core/serve/appendLog';
import { logDir, predictionLine, PREDICTION_LOG } from '../../../src/core/serve/predictionLog';
import { ObjectCache } from '../../../src/core/storage';
import type { MetadataStore } from '../../../src/core/store';
import { startRun, type TrainingConfigRecord } from '../../../src/core/tracking';
import { initProject, openProject, projectPaths, type Project } from '../../../src/core/workspace';

export const INPUTS = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
export type WeatherRow = Record<(typeof INPUTS)[number], number> & { weather: string };

const WEATHER = path.join(installPaths().root, 'node_modules', 'vega-datasets', 'data', 'weather.csv');

/** The sample's weather.csv, split by city. */
export function weatherRows(): { seattle: WeatherRow[]; newYork: WeatherRow[] } {
  const [header, ...lines] = fs.readFileSync(WEATHER, 'utf8').trim().split('\n');
  const names = header.split(',');
  const seattle: WeatherRow[] = [];
  const newYork: WeatherRow[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    const at = (name: string) => cells[names.indexOf(name)];
    const row = { weather: at('weather'), ...Object.fromEntries(INPUTS.map((c) => [c, Number(at(c))])) } as WeatherRow;
    (at('location') === 'Seattle' ? seattle : newYork).push(row);
  }
  return { seattle, newYork };
}

export interface MonitorFixture {
  dir: string;
  project: () => Project;
  store: () => Promise<MetadataStore>;
  /** Digest of the training data's cache object. */
  dataDigest: string;
  /** Writes single- or multi-row requests to the prediction log as the server does, with the model's real answers. */
  log: (requests: { id: string; time: Date; rows: WeatherRow[]; version?: number }[], options?: { maxBytes?: number }) => Promise<void>;
}

/**
 * A project in a real git repository whose registry holds `weather` version 1 (@champion): naive Bayes trained by the
 * AutoML's refit path on Seattle's days only (dataset `seattle` version 1), with a validation accuracy of 0.8.
 */
export async function monitoredProject(options: { lineage?: boolean } = {}): Promise<MonitorFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-monitor-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ada Lovelace');
  git('config', 'user.email', 'ada@example.com');
  initProject(dir, { sampleDir: installPaths().sample });
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const { seattle } = weatherRows();
  const csv = [[...INPUTS, 'weather'].join(','), ...seattle.map((r) => [...INPUTS.map((c) => r[c]), r.weather].join(','))].join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'data', 'seattle.csv'), csv);
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const project = () => openProject(dir);
  const snapshot = await snapshotDataset(project(), 'data/seattle.csv', { name: 'seattle', git: 'commit' });
  const store = () => openMetadataStore(dir);

  const config: TrainingConfigRecord = {
    dataset: 'seattle', version: snapshot.version.id, digest: snapshot.version.digest, format: 'csv', target: 'weather', task: 'classification',
    metric: 'accuracy', family: 'naive_bayes', params: {}, seed: 7, folds: 3, excluded: [],
  };
  const bytes = (await refitFromConfig(dir, config)).bytes;
  new ObjectCache(projectPaths(dir).cache).putBytes(bytes);
  const s = await store();
  const run = await startRun(s, { experiment: 'automl', name: 'naive_bayes', captureEnvironment: false });
  for (const [k, v] of Object.entries({ 'mlops.kind': 'automl', 'mlops.task': 'classification', 'mlops.target': 'weather', 'mlops.metric': 'accuracy', 'mlops.family': 'naive_bayes' })) run.setTag(k, v);
  run.logParam('mlops.trainingConfig', JSON.stringify(config));
  run.logMetric('cv_accuracy', 0.8);
  if (options.lineage !== false) run.logInput('dataset', 'seattle', String(snapshot.version.id), snapshot.version.digest);
  const artifact = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-artifact-')), 'model.json');
  fs.writeFileSync(artifact, bytes);
  run.logArtifact(artifact);
  run.end('finished');
  await s.fold();
  await registerModel(project(), s, run.id, { model: 'weather', alias: 'champion' });
  s.close();

  const log: MonitorFixture['log'] = async (requests, logOptions = {}) => {
    const model = loadServedModel(project(), 'weather/1');
    const writer = new AppendLog(logDir(project().paths), PREDICTION_LOG, { maxBytes: logOptions.maxBytes ?? 64 << 20, maxFiles: 100, fsync: false });
    for (const r of requests) {
      const columns = INPUTS.map((c) => r.rows.map((row) => row[c]));
      const answer = model.predictColumns(columns, r.rows.length);
      const k = answer.classes!.length;
      const probabilities = r.rows.map((_, i) => Array.from(answer.probabilities!.subarray(i * k, i * k + k)));
      await writer.append(predictionLine({
        time: r.time.toISOString(), rows: r.rows.length, id: r.id, endpoint: 'weather', model: 'weather', version: r.version ?? 1, role: 'route', latencyMs: 1,
        inputs: Object.fromEntries(INPUTS.map((c, j) => [c, columns[j]])), outputs: { prediction: answer.predictions, probabilities },
      }));
    }
    await writer.close();
  };
  return { dir, project, store, dataDigest: snapshot.version.digest, log };
}

/** A deterministic shuffle (a 32-bit xorshift), so a sample is the same at every run. */
export function sample<T>(rows: readonly T[], n: number, seed: number): T[] {
  const copy = [...rows];
  let x = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}
