import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { checkConfigText, type ConfigCheck, type ProjectConfig } from './config';

export const CONFIG_FILE = 'mlops.yaml';
export const STATE_DIR = '.mlops';

/** Where a project keeps each kind of state. Everything under .mlops except the text manifests stays local. */
export interface ProjectPaths {
  root: string;
  config: string;
  state: string;
  database: string;
  cache: string;
  datasets: string;
  models: string;
  logs: string;
  tmp: string;
}

export function projectPaths(root: string): ProjectPaths {
  const state = path.join(root, STATE_DIR);
  return {
    root,
    config: path.join(root, CONFIG_FILE),
    state,
    database: path.join(state, 'metadata.db'),
    cache: path.join(state, 'cache'),
    datasets: path.join(state, 'datasets'),
    models: path.join(state, 'models'),
    logs: path.join(state, 'logs'),
    tmp: path.join(state, 'tmp'),
  };
}

/** The nearest folder at or above `start` that holds an mlops.yaml, or undefined. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface Project {
  paths: ProjectPaths;
  config: ProjectConfig;
}

/** Opens the project that holds `start`; fails with the first problem of mlops.yaml, or when there is none. */
export function openProject(start: string): Project {
  const root = findProjectRoot(start);
  if (!root) {
    throw new MlopsError(
      l10n.t('No MLOps project here: no {0} in {1} or any folder above it.', CONFIG_FILE, path.resolve(start)),
      l10n.t('Run `mlops init` (or `mlops init --sample`) to create one.'),
      'NO_PROJECT',
    );
  }
  const paths = projectPaths(root);
  const check = checkConfigFile(paths.config);
  if (!check.config) {
    const first = check.problems[0];
    throw new MlopsError(
      l10n.t('{0}:{1}:{2}: {3}', paths.config, first.line, first.column, first.message),
      l10n.t('Fix mlops.yaml, then run `mlops validate` to check it.'),
      'INVALID_CONFIG',
    );
  }
  return { paths, config: check.config };
}

/**
 * Opens the project that holds `start` for commands that only read what is on disk (`mlops models`, `mlops runs`):
 * a broken mlops.yaml does not stop them; its first problem comes back for them to warn about, and the project is
 * read as if mlops.yaml declared nothing.
 */
export function openProjectForReading(start: string): { project: Project; configProblem?: string } {
  try {
    return { project: openProject(start) };
  } catch (err) {
    if (!(err instanceof MlopsError) || err.code !== 'INVALID_CONFIG') throw err;
    const root = findProjectRoot(start) as string;
    return { project: { paths: projectPaths(root), config: { version: 1, project: path.basename(root) } }, configProblem: err.message };
  }
}

export function checkConfigFile(file: string): ConfigCheck {
  return checkConfigText(fs.readFileSync(file, 'utf8'));
}

const GITIGNORE_BLOCK = [
  '# MLOps Workbench: the text manifests under .mlops travel with the code; objects, database and logs stay local',
  '/.mlops/*',
  '!/.mlops/datasets/',
  '!/.mlops/models/',
];

export interface InitOptions {
  /** Create the sample project: the weather data and a configuration that trains on it. */
  sample?: boolean;
  /** Folder holding the bundled sample files (weather.csv). */
  sampleDir: string;
  /** Project name; defaults to the folder name made safe. */
  name?: string;
}

export interface InitResult {
  created: boolean;
  root: string;
  /** Paths created or changed, relative to the root. */
  written: string[];
  message: string;
}

/**
 * Creates mlops.yaml, .mlops/ and the .gitignore entries. A folder that already has a project is left exactly
 * as it is: initializing twice must never clobber someone's configuration.
 */
export function initProject(dir: string, options: InitOptions): InitResult {
  const root = path.resolve(dir);
  const paths = projectPaths(root);
  if (fs.existsSync(paths.config)) {
    return { created: false, root, written: [], message: l10n.t('{0} already has an MLOps project ({1}); nothing was changed.', root, CONFIG_FILE) };
  }
  const name = options.name ?? safeProjectName(path.basename(root));
  const written: string[] = [];

  if (options.sample) {
    const source = path.join(options.sampleDir, 'weather.csv');
    if (!fs.existsSync(source)) {
      throw new MlopsError(l10n.t('The sample data is missing from this installation: {0}.', source), l10n.t('Rebuild or reinstall MLOps Workbench.'));
    }
    const target = path.join(root, 'data', 'weather.csv');
    if (fs.existsSync(target)) {
      throw new MlopsError(l10n.t('{0} already exists; the sample would overwrite it.', target), l10n.t('Move it away, or initialize the sample in an empty folder.'));
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
    written.push(path.join('data', 'weather.csv'));
  }

  for (const d of [paths.state, paths.datasets, paths.models]) fs.mkdirSync(d, { recursive: true });
  written.push(STATE_DIR + path.sep);

  if (ensureGitignore(root)) written.push('.gitignore');

  const text = options.sample ? sampleConfig(name) : emptyConfig(name);
  // Written last and exclusively: its presence is what marks the folder as a project.
  fs.writeFileSync(paths.config, text, { flag: 'wx' });
  written.unshift(CONFIG_FILE);

  return {
    created: true,
    root,
    written,
    message: options.sample
      ? l10n.t('Created the sample MLOps project in {0}.', root)
      : l10n.t('Created an MLOps project in {0}.', root),
  };
}

function safeProjectName(folder: string): string {
  const cleaned = folder.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned || 'project';
}

/** Adds the block once; returns whether the file changed. */
function ensureGitignore(root: string): boolean {
  const file = path.join(root, '.gitignore');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = new Set(existing.split(/\r?\n/));
  if (GITIGNORE_BLOCK.slice(1).every((l) => lines.has(l))) return false;
  const prefix = existing && !existing.endsWith('\n') ? '\n' : '';
  fs.writeFileSync(file, existing + prefix + (existing ? '\n' : '') + GITIGNORE_BLOCK.join('\n') + '\n');
  return true;
}

function emptyConfig(name: string): string {
  return `# MLOps Workbench project. Reference: the JSON Schema that ships with the extension
# (completion and hover in VS Code with the YAML extension); check it with \`mlops validate\`.
version: 1
project: ${name}

# Datasets to version. Each key is a name; path is a file or folder relative to this file.
datasets: {}
#  customers:
#    path: data/customers.csv
#    entity: customer_id      # column that identifies what a row is about
#    timestamp: event_time    # column with the time of the observation

# What to do with a new dataset version's pointer file: commit, stage or off.
# data:
#   git: commit
#   remote: /mnt/team-share/mlops-cache

# Training: built-in AutoML on a dataset, or your own command.
# training:
#   dataset: customers
#   target: churned
#   metric: roc_auc
#   timeBudget: 60
#   seed: 42
#   families: [gbdt, linear]  # only these models (gbdt, random_forest, extra_trees, linear export to ONNX)
#   command: python train.py   # instead of AutoML
`;
}

function sampleConfig(name: string): string {
  return `# MLOps Workbench sample project: the daily weather of Seattle and New York, 2012-2015
# (from the vega-datasets package). The task: predict the \`weather\` column (sun, rain, fog, drizzle, snow).
# Check this file with \`mlops validate\`.
version: 1
project: ${name}
description: Predict the day's weather from precipitation, temperatures and wind.

datasets:
  weather:
    path: data/weather.csv
    description: Daily weather of Seattle and New York 2012-2015, one row per location and day.
    entity: location      # two entities, so features and monitoring can work per location
    timestamp: date       # four years of seasons: realistic drift for monitoring and retraining

data:
  git: commit             # commit each new version's pointer file

# The features of a day at a location, defined once for training and serving. What the day measured comes with
# each request (request.x): a training row gives it from its own columns, a caller sends it. The location's recent
# past is looked up: joined to each training row as of its date (never from the future), and read from the online
# store (\`mlops features materialize\`) when serving.
features:
  entities:
    location: { key: location }
  views:
    daily_weather:
      entity: location
      source: weather
      timestamp: date
      features:
        precipitation_today: request.precipitation
        temp_max_today: request.temp_max
        temp_min_today: request.temp_min
        wind_today: request.wind
        temp_range: request.temp_max - request.temp_min
        precipitation_7d_sum: { aggregate: sum, of: precipitation, window: 7d }
        temp_max_7d_mean: { aggregate: mean, of: temp_max, window: 7d }
        wind_30d_mean: { aggregate: mean, of: wind, window: 30d }
  services:
    # What the champion is trained on and served with, the weather rows being the entity rows:
    # \`mlops train --features weather_features --entities weather --timestamp date --target weather\`
    weather_features: [daily_weather:precipitation_today, daily_weather:temp_max_today, daily_weather:temp_min_today, daily_weather:wind_today, daily_weather:temp_range]
    # The location's past too, for training sets and exploration. It is not served here: the sample replays days of
    # 2015 against a store materialized today, whose windows would not hold the days before each request.
    weather_history: [daily_weather]

training:
  dataset: weather
  target: weather
  task: classification
  metric: accuracy
  timeBudget: 60
  seed: 42

# \`mlops serve\` answers for the champion on 127.0.0.1:5005 and follows its promotions live, with no failed request.
serving:
  port: 5005
  endpoints:
    weather:
      routes: [{ model: weather@champion }]

# \`mlops monitor --model weather@champion\` compares the predictions served in a window with the champion's training
# data, column by column, and records a check; the editor's status bar shows the latest.
monitoring:
  drift_share: 0.5        # the inputs drift when half the model's columns do
  window: 1d
  # Wasserstein distances in standard deviations of the training data: a warm year (Seattle's 2015) moves the
  # temperatures by about 0.2, another city's climate (New York's) by 0.5 to 0.9.
  columns:
    precipitation: { stattest: wasserstein, threshold: 0.2 }
    temp_max: { stattest: wasserstein, threshold: 0.3 }
    temp_min: { stattest: wasserstein, threshold: 0.3 }
  decay:
    threshold: 0.05       # alert when accuracy on labelled predictions falls 0.05 below validation

# When the champion is trained again (\`mlops retrain weather\`, or \`mlops retrain --due\` for these triggers), the gate
# its challenger must pass, and who promotes it: here a person, with \`mlops approve weather/<version> --reason ...\`.
retraining:
  weather:
    on: [drift, new_data]
    gate: { metric: accuracy, slice: location }   # as good overall, and worse in no city
    promotion: auto
    governance: { approval: required }
`;
}
