import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAutoml } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { openMetadataStore } from '../../../src/core/metadata';
import { registerModel } from '../../../src/core/registry';
import type { Family } from '../../../src/core/train';
import { initProject, openProject, type Project } from '../../../src/core/workspace';

const VEGA = path.join(__dirname, '../../../../node_modules/vega-datasets/data');

export interface WeatherFixture {
  dir: string;
  project: () => Project;
  /** Writes the sample's rows dated before `until` (of every `every`-th day, both cities) and snapshots them: a new version. */
  snapshotUntil: (until: string, every?: number) => Promise<number>;
  /** AutoML with one family and one trial on a version, registered as the next version of `weather`. */
  trainVersion: (datasetVersion: number, family: Family, alias?: string) => Promise<number>;
  writeFile: (name: string, until: string, since: string) => string;
}

/** The sample weather project (two cities, 2012-2015, timestamp `date`) in a real git repository. */
export function weatherProject(): WeatherFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-retrain-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Grace Hopper');
  git('config', 'user.email', 'grace@example.com');
  initProject(dir, { sample: true, sampleDir: VEGA });
  // The gates here score 2014-2015 with models of 2012-2013: date parts (a year never seen) would make the comparison
  // about extrapolation, not about the data each model had, so these models read the weather columns only.
  const config = path.join(dir, 'mlops.yaml');
  // Each test declares the retraining policy it is about: the sample's own (its last section) goes.
  const sample = fs.readFileSync(config, 'utf8').split('\nretraining:\n')[0];
  fs.writeFileSync(config, sample.replace('training:\n  dataset: weather\n', 'training:\n  dataset: weather\n  ignore: [date]\n'));
  const [header, ...rows] = fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8').trim().split('\n');
  const dateOf = (line: string) => line.split(',')[1];
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const project = () => openProject(dir);
  const select = (until: string, since = '', every = 1) => [header, ...rows.filter((r) => dateOf(r) < until && dateOf(r) >= since && (Date.parse(dateOf(r)) / 86_400_000) % every === 0)].join('\n') + '\n';
  return {
    dir,
    project,
    async snapshotUntil(until, every = 1) {
      fs.writeFileSync(path.join(dir, 'data', 'weather.csv'), select(until, '', every));
      return (await snapshotDataset(project(), 'data/weather.csv', { name: 'weather', git: 'commit' })).version.id;
    },
    async trainVersion(datasetVersion, family, alias) {
      const store = await openMetadataStore(dir);
      try {
        const result = await runAutoml(store, { dataset: `weather@${datasetVersion}`, families: [family], maxTrials: 1, folds: 3 });
        return (await registerModel(project(), store, result.runId, { model: 'weather', ...(alias ? { alias } : {}) })).record.version;
      } finally {
        store.close();
      }
    },
    writeFile(name, until, since) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, select(until, since));
      return file;
    },
  };
}
