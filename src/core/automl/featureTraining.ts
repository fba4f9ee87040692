import * as path from 'node:path';
import { buildTrainingSet, snapshotTrainingSet, type TrainingSet } from '../features';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import type { FeatureSetRecord } from '../tracking';
import { openProject, type TrainingConfig } from '../workspace';
import { runAutoml, type AutomlHooks, type AutomlRequest, type AutomlResult } from './automl';

/** Where the training rows of `mlops train --features` come from. */
export interface FeatureTrainingSource {
  service: string;
  /** The entity rows with the target: a CSV, TSV or Parquet file, or a dataset version (`name` or `name@version`). */
  entities: string;
  /** The entity rows' time column (default `event_timestamp`). */
  timestamp?: string;
  /** The dataset the built set is versioned as; `<service>-training` by default. */
  dataset?: string;
}

/** mlops.yaml's `training.service` (with its `entities` and `timestamp`): what `mlops train` and `mlops repro` train on by default. */
export function configuredFeatureSource(training: TrainingConfig): FeatureTrainingSource | undefined {
  if (training.service === undefined || training.entities === undefined) return undefined;
  return { service: training.service, entities: training.entities, ...(training.timestamp !== undefined ? { timestamp: training.timestamp } : {}) };
}

/** The dataset a service's training sets are versioned as, unless told otherwise. */
export const trainingDatasetOf = (service: string): string => `${service}-training`;

/**
 * AutoML on a feature service: builds the point-in-time training set of the entity rows, writes it to
 * `data/<dataset>.csv` and snapshots it (so the run has a data version that `mlops reproduce` reads again), then runs
 * the AutoML on that version with the feature columns only as inputs; the target is a column of the entity rows.
 * The run records the service, its version and each view's version.
 */
export async function trainOnFeatures(store: MetadataStore, request: AutomlRequest, source: FeatureTrainingSource, hooks: AutomlHooks = {}): Promise<AutomlResult> {
  const project = openProject(store.paths.root);
  const target = request.target ?? project.config.training?.target;
  if (!target) throw new MlopsError(l10n.t('No target column to predict.'), l10n.t('Give --target COLUMN, a column of the entity rows.'), 'NO_TARGET');
  const dataset = source.dataset ?? trainingDatasetOf(source.service);
  hooks.onProgress?.({ phase: 'loading', trials: 0, elapsedSeconds: 0, bestScore: null, bestFamily: null });
  // CSV rather than Parquet: the entity rows' cells are text as given, and a CSV lets the reader find a numeric target.
  const set = await buildTrainingSet(project, source.service, source.entities, { timestamp: source.timestamp, output: path.join('data', `${dataset}.csv`), signal: hooks.signal });
  const own = set.columns.filter((c) => !c.view).map((c) => c.name);
  if (!own.includes(target)) {
    throw new MlopsError(
      l10n.t('The target "{0}" is not a column of the entity rows {1}; their columns are: {2}.', target, source.entities, own.join(', ')),
      l10n.t('The target comes with the entity rows: add it to them, or name one of their columns with --target.'),
      'NO_TARGET',
    );
  }
  const snapshot = await snapshotTrainingSet(project, set, dataset, hooks.signal);
  return runAutoml(store, { ...request, target, dataset: `${snapshot.dataset}@${snapshot.version.id}`, featureSet: featureSetRecord(set) }, hooks);
}

/** What a run trained on a built set records of it: the lookup's inputs, the feature columns, where the rows came from. */
export function featureSetRecord(set: TrainingSet): FeatureSetRecord {
  return {
    service: set.service,
    version: set.serviceVersion,
    views: set.views,
    keys: set.entity.keys,
    timestamp: set.entity.timestamp,
    request: set.entity.request,
    columns: set.columns.filter((c) => c.view).map((c) => c.name),
    entities: set.entitySource,
  };
}
