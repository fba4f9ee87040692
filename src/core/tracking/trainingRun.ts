import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { DatePart, MetricName, ModelFamily, Task } from '../train';
import type { RunDetails } from './queries';

/**
 * What a training run leaves in the store for the registry, the model server and reproduction to read, whoever
 * trained it: the tag that says which kind of run it is, the artifact that holds its model, and the configuration
 * that trains the same model again.
 */

/** The tag naming a run's kind. */
export const RUN_KIND_TAG = 'mlops.kind';
export const RUN_KINDS = ['automl', 'trial', 'command', 'retrain'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export function runKind(run: Pick<RunDetails, 'tags'>): RunKind | undefined {
  const kind = run.tags[RUN_KIND_TAG];
  return (RUN_KINDS as readonly string[]).includes(kind ?? '') ? (kind as RunKind) : undefined;
}

/** An AutoML search: the parent of its trials, holding the best model and the leaderboard. */
export const isAutomlRun = (run: Pick<RunDetails, 'tags'>): boolean => runKind(run) === 'automl';

/** The artifact path of the best model on an AutoML run (its bytes live in the ObjectCache under their sha256). */
export const MODEL_ARTIFACT = 'model.json';
export const LEADERBOARD_ARTIFACT = 'leaderboard.json';
/** The param holding the TrainingConfigRecord as JSON. */
export const TRAINING_CONFIG_PARAM = 'mlops.trainingConfig';

export type TrainingFormat = 'csv' | 'tsv' | 'parquet';

/** The tag naming the feature service a run trained on, for filtering runs by service. */
export const FEATURE_SERVICE_TAG = 'mlops.featureService';
/** The param holding the FeatureSetRecord as JSON, on a run trained on a feature service. */
export const FEATURE_SET_PARAM = 'mlops.featureSet';

/**
 * What a model trained on a feature service was trained on, and what a prediction must give instead of features:
 * recorded on the run, copied into the registry's lineage, read by `mlops predict` and the model server.
 */
export interface FeatureSetRecord {
  service: string;
  /** The service's version (its features and their views' versions). */
  version: string;
  views: { name: string; version: string; source: string }[];
  /** The entity rows' columns that identify an entity: a prediction gives these and the features are looked up. */
  keys: string[];
  /** The entity rows' time column of the training set (a lookup's time is the time of the request). */
  timestamp: string;
  /** Request inputs of on-demand features: given with the keys. */
  request: string[];
  /** The training set's feature columns (`<view>__<feature>`), the model's inputs. */
  columns: string[];
  /** The entity rows the set was built from; absent in records made before it was kept. */
  entities?: EntitySource;
}

/**
 * The entity rows a set was built from: a dataset version named as one (`dataset`, `version`), or a file (`file`,
 * project-relative), with `dataset` when a dataset tracks that file.
 */
export interface EntitySource {
  dataset?: string;
  version?: number;
  file?: string;
}

export function featureSetOf(run: Pick<RunDetails, 'params'>): FeatureSetRecord | null {
  const text = run.params[FEATURE_SET_PARAM];
  if (text === undefined) return null;
  let value: FeatureSetRecord | undefined;
  try {
    value = JSON.parse(text) as FeatureSetRecord;
  } catch {
    value = undefined;
  }
  if (!value || typeof value.service !== 'string' || !Array.isArray(value.keys) || !Array.isArray(value.columns)) {
    throw new MlopsError(l10n.t('The run\'s {0} param is not a feature set record.', FEATURE_SET_PARAM), l10n.t('Train again with `mlops train --features`.'), 'BAD_TRAINING_CONFIG');
  }
  return value;
}

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
  task: Task['type'];
  metric: MetricName;
  /** A family, or `ensemble` for AutoML's ensemble of trials (params: members and weights). */
  family: ModelFamily;
  params: Record<string, unknown>;
  seed: number;
  folds: number;
  /** Columns left out of the features (identifiers, free text, training.ignore, not in training.features). */
  excluded: string[];
  /** Date columns trained on as their parts; absent on runs from before date parts (their dates were categories). */
  dated?: DatedColumn[];
  /** What became of each column of the file, and why: shown by the leaderboard, `mlops run show` and the model card. */
  columns?: ColumnDecision[];
  /** Trained on the rows of this window only (`mlops retrain --since`); absent, on every row. */
  window?: TrainingWindow;
}

/** The rows whose timestamp column is at or after `since`. */
export interface TrainingWindow {
  column: string;
  since: string;
}

export interface DatedColumn {
  column: string;
  parts: DatePart[];
}

export interface ColumnDecision {
  column: string;
  use: 'target' | 'feature' | 'excluded';
  /** How a feature reaches the model. */
  encoding?: 'number' | 'categories' | 'date parts';
  /** Date parts: which; categories: how many kept. */
  parts?: DatePart[];
  categories?: number;
  /** From mlops.yaml's datasets.<name>.entity and .timestamp. */
  role?: 'entity' | 'timestamp';
  /** Why an excluded column was left out. */
  reason?: 'identifier' | 'ignored' | 'not listed' | 'not a date' | 'entity rows';
}

export function parseTrainingConfig(text: string): TrainingConfigRecord {
  let value: TrainingConfigRecord | undefined;
  try {
    value = JSON.parse(text) as TrainingConfigRecord;
  } catch {
    value = undefined;
  }
  if (!value || typeof value.family !== 'string' || typeof value.digest !== 'string' || typeof value.target !== 'string') {
    throw new MlopsError(l10n.t('The run\'s {0} param is not a training configuration.', TRAINING_CONFIG_PARAM), l10n.t('Refit only runs made by `mlops train`.'), 'BAD_TRAINING_CONFIG');
  }
  return value;
}

/** One line about a column's fate, as a person reads it: `date: feature, date parts (year, month) [timestamp]`. */
export function columnDecisionText(d: ColumnDecision): string {
  const role = d.role === 'entity' ? l10n.t('entity') : d.role === 'timestamp' ? l10n.t('timestamp') : undefined;
  let what: string;
  if (d.use === 'target') what = l10n.t('target');
  else if (d.use === 'excluded') {
    what = d.reason === 'identifier'
      ? l10n.t('excluded: an identifier (distinct on most rows)')
      : d.reason === 'ignored' ? l10n.t('excluded: listed in training.ignore')
        : d.reason === 'not a date' ? l10n.t('excluded: the timestamp is not in ISO 8601 (2024-05-31 or 2024-05-31T14:00)')
          : d.reason === 'entity rows' ? l10n.t('excluded: a column of the entity rows, not a feature') : l10n.t('excluded: not in training.features');
  } else if (d.encoding === 'date parts') what = l10n.t('feature, date parts ({0})', (d.parts ?? []).join(', '));
  else if (d.encoding === 'categories') what = l10n.t('feature, {0} categories', d.categories ?? 0);
  else what = l10n.t('feature, a number');
  return `${d.column}: ${what}${role ? ` [${role}]` : ''}`;
}

/** One line naming the feature service a model was trained on and the versions: shown by train, run show, model show. */
export function featureSetText(f: Pick<FeatureSetRecord, 'service' | 'version' | 'views' | 'keys'>): string {
  return l10n.t('Feature service {0} version {1} ({2}); entity key {3}', f.service, f.version, f.views.map((v) => `${v.name} ${v.version}`).join(', '), f.keys.join(', '));
}
