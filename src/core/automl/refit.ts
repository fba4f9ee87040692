import * as fs from 'node:fs';
import { runArtifactBytes, readTrainingFile, type ModelBytes } from '../models';
import { ObjectCache, hexOf, missingObject, sha256 } from '../storage';
import type { MetadataStore } from '../store';
import { LEADERBOARD_ARTIFACT, type TrainingConfigRecord } from '../tracking';
import { fitModel, serializeModel, type Dataset, type FitProgress } from '../train';
import { projectPaths } from '../workspace';
import type { Leaderboard } from './automl';

/** The data a config was trained on, read from the cache, columns as the search saw them. */
export async function configDataset(cache: ObjectCache, config: TrainingConfigRecord): Promise<Dataset> {
  return (await readTrainingFile(versionFile(cache, config.digest), config.format, { keep: config.target, exclude: config.excluded, applyDropRule: false, dated: config.dated, ...(config.window ? { window: config.window } : {}) })).dataset;
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

/** The leaderboard of an AutoML run. */
export function readLeaderboard(store: MetadataStore, runIdOrPrefix: string): Leaderboard {
  return JSON.parse(runArtifactBytes(store, runIdOrPrefix, LEADERBOARD_ARTIFACT).bytes.toString('utf8')) as Leaderboard;
}
