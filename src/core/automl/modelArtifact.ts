import * as fs from 'node:fs';
import { ObjectCache, hexOf, missingObject } from '../data/objectCache';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import { getRun, type RunDetails } from '../tracking';
import { sha256 } from '../tracking/environment';
import { fitModel, serializeModel, type Dataset, type Family, type FitProgress, type MetricName } from '../train';
import { projectPaths } from '../workspace';
import type { Leaderboard } from './automl';
import { readTrainingFile, type TrainingFormat } from './tabularFile';

/** The artifact path of the best model on an AutoML run (its bytes live in the ObjectCache under their sha256). */
export const MODEL_ARTIFACT = 'model.json';
export const LEADERBOARD_ARTIFACT = 'leaderboard.json';
/** The param holding the TrainingConfigRecord as JSON. */
export const TRAINING_CONFIG_PARAM = 'mlops.trainingConfig';

/** Everything needed to train the same model again, byte for byte: recorded on the AutoML run. */
export interface TrainingConfigRecord {
  dataset: string;
  /** The dataset version's number (name@N). */
  version: number;
  /** `sha256:` of the data file: what is actually read, from the cache. */
  digest: string;
  /** csv, tsv or parquet. */
  format: TrainingFormat;
  target: string;
  task: 'classification' | 'regression';
  metric: MetricName;
  family: Family;
  params: Record<string, unknown>;
  seed: number;
  folds: number;
  /** Columns left out of the features (identifiers, free text). */
  excluded: string[];
}

export interface ModelBytes {
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
}

/** The data a config was trained on, read from the cache, columns as the search saw them. */
export async function configDataset(cache: ObjectCache, config: TrainingConfigRecord): Promise<Dataset> {
  return (await readTrainingFile(versionFile(cache, config.digest), config.format, { keep: config.target, exclude: config.excluded, applyDropRule: false })).dataset;
}

/** The cached bytes of a file version; a fresh clone may not have them yet. */
export function versionFile(cache: ObjectCache, digest: string): string {
  const hex = hexOf(digest);
  const file = cache.pathOf(hex);
  if (!fs.existsSync(file)) throw missingObject(hex, cache.dir);
  return file;
}

/** The model of a config, trained on all the rows: the one path both AutoML's final model and refits take. */
export function fitConfig(dataset: Dataset, config: TrainingConfigRecord, signal?: AbortSignal, onProgress?: (progress: FitProgress) => void): ModelBytes {
  const model = fitModel(config.family, config.params, dataset, { type: config.task, target: config.target }, config.seed, signal, onProgress);
  const bytes = Buffer.from(serializeModel(model));
  return { bytes, sha256: sha256(bytes) };
}

/**
 * Trains the recorded configuration again on the recorded data version, read from the project's cache (nothing is
 * restored to the working tree). Same config, same bytes: the sha256 matches the AutoML run's model.json.
 */
export async function refitFromConfig(root: string, config: TrainingConfigRecord, signal?: AbortSignal): Promise<ModelBytes> {
  const cache = new ObjectCache(projectPaths(root).cache);
  return fitConfig(await configDataset(cache, config), config, signal);
}

export function parseTrainingConfig(text: string): TrainingConfigRecord {
  let value: TrainingConfigRecord;
  try {
    value = JSON.parse(text) as TrainingConfigRecord;
  } catch {
    value = undefined as unknown as TrainingConfigRecord;
  }
  if (!value || typeof value.family !== 'string' || typeof value.digest !== 'string' || typeof value.target !== 'string') {
    throw new MlopsError(l10n.t('The run\'s {0} param is not a training configuration.', TRAINING_CONFIG_PARAM), l10n.t('Refit only runs made by `mlops train`.'), 'BAD_TRAINING_CONFIG');
  }
  return value;
}

/** The model bytes an AutoML run recorded, checked against their hash. Run ids may be abbreviated. */
export function modelOfRun(store: MetadataStore, runIdOrPrefix: string): ModelBytes & { runId: string } {
  const { run, bytes, sha256: hex } = cachedArtifact(store, runIdOrPrefix, MODEL_ARTIFACT);
  return { runId: run.id, bytes, sha256: hex };
}

/** The leaderboard of an AutoML run. */
export function readLeaderboard(store: MetadataStore, runIdOrPrefix: string): Leaderboard {
  return JSON.parse(cachedArtifact(store, runIdOrPrefix, LEADERBOARD_ARTIFACT).bytes.toString('utf8')) as Leaderboard;
}

function cachedArtifact(store: MetadataStore, runIdOrPrefix: string, name: string): { run: RunDetails; bytes: Buffer; sha256: string } {
  const run = getRun(store, runIdOrPrefix);
  const artifact = run.artifacts.find((a) => a.path === name);
  if (!artifact?.sha256) {
    throw new MlopsError(
      l10n.t('Run {0} has no {1} artifact.', run.id, name),
      l10n.t('Give the id of a finished `mlops train` (AutoML) run; `mlops runs` lists them.'),
      'NO_MODEL_ARTIFACT',
    );
  }
  return { run, bytes: new ObjectCache(store.paths.cache).readVerified(artifact.sha256), sha256: artifact.sha256 };
}
