import { configDataset, crossValidate, cvSetup, featureSetRecord, fitConfig } from '../automl';
import { resolveVersion } from '../data';
import { buildTrainingSet, checkServiceColumns, snapshotTrainingSet } from '../features';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { trainingFormat } from '../models';
import { getModel, recordEvent, registerModel, resolveModelVersion, type ModelVersion, type RetrainTrigger } from '../registry';
import { hexOf, missingObject, ObjectCache } from '../storage';
import type { MetadataStore } from '../store';
import { FEATURE_SERVICE_TAG, FEATURE_SET_PARAM, MODEL_ARTIFACT, RUN_KIND_TAG, TRAINING_CONFIG_PARAM, startRun, type FeatureSetRecord, type TrainingConfigRecord, type TrainingWindow } from '../tracking';
import { trainingCancelled } from '../train';
import type { Project } from '../workspace';

export interface RetrainOptions {
  model: string;
  /** `name@N` or `name`: the data to train on; default the newest version of the champion's training dataset. */
  dataset?: string;
  trigger?: RetrainTrigger;
  reason?: string;
  /** Train on the rows whose timestamp (the dataset's declared `timestamp`) is at or after this; recorded in the configuration. */
  since?: string;
  signal?: AbortSignal;
}

export interface RetrainResult {
  model: string;
  /** The new version, aliased `challenger`. */
  version: number;
  /** The champion it was rebuilt from. */
  from: number;
  trigger: RetrainTrigger;
  runId: string;
  dataset: { name: string; version: number; digest: string };
  /** Cross-validated score of the retrained configuration on the new data, as the AutoML reports its best. */
  cv: { metric: string; score: number };
  trainingConfig: TrainingConfigRecord;
  /** The rows trained on: all of the version's, or those of the --since window. */
  rows: number;
}

/** The model's champion, with an error that says how to name one when there is none. */
export function championOf(project: Project, model: string): ModelVersion {
  const summary = getModel(project.paths, model);
  if (summary.aliases.champion === undefined) {
    throw new MlopsError(
      l10n.t('{0} has no champion yet: there is nothing to retrain or to compare with.', model),
      l10n.t('Choose one: `mlops alias set {0} champion <version>`.', model),
      'NO_CHAMPION',
    );
  }
  return resolveModelVersion(project.paths, `${model}@champion`);
}

/**
 * Rebuilds the champion from its lineage on newer data: its recorded training configuration (family, parameters,
 * excluded columns, folds) and seed, refitted on the new dataset version, recorded as a run of kind `retrain`,
 * registered as the next version with alias `challenger` and a lineage naming the trigger. The search is not run
 * again: the configuration the search chose is what the champion is, and refitting it is cheap and repeatable.
 */
export async function retrainModel(project: Project, store: MetadataStore, options: RetrainOptions): Promise<RetrainResult> {
  const trigger = options.trigger ?? 'manual';
  const champion = championOf(project, options.model);
  const recorded = champion.lineage.trainingConfig;
  if (!recorded) {
    throw new MlopsError(
      l10n.t('{0}/{1} was not trained by the built-in AutoML: there is no training configuration to retrain it from.', champion.model, champion.version),
      l10n.t('Train it again with your own command on the new data, then `mlops register <run-id> --model {0} --alias challenger`.', champion.model),
      'NOT_RETRAINABLE',
    );
  }
  const featureSet = champion.lineage.featureSet ? await rebuildTrainingSet(project, champion, champion.lineage.featureSet, recorded.dataset, options) : undefined;
  const { pointer, version } = featureSet?.resolved ?? resolveVersion(project, options.dataset ?? recorded.dataset);
  if (version.kind !== 'file') {
    throw new MlopsError(l10n.t('{0} is a folder; AutoML trains on one CSV, TSV or Parquet file.', pointer.path), l10n.t('Declare and snapshot the training file itself as a dataset.'), 'NOT_TABULAR');
  }
  const timestamp = featureSet ? featureSet.record.timestamp : project.config.datasets?.[pointer.dataset]?.timestamp;
  const window = options.since === undefined ? undefined : windowOf(timestamp, pointer.dataset, options.since);
  if (version.digest === recorded.digest && window?.since === recorded.window?.since) {
    throw new MlopsError(
      l10n.t('{0}@{1} is the data {2}/{3} was trained on: retraining would build the same model.', pointer.dataset, version.id, champion.model, champion.version),
      l10n.t('Snapshot the new data first (`mlops snapshot {0}`), or name another version with --dataset.', featureSet?.entityPath ?? pointer.path),
      'NO_NEW_DATA',
    );
  }
  const cache = new ObjectCache(project.paths.cache);
  if (!cache.has(hexOf(version.digest))) throw missingObject(hexOf(version.digest), cache.dir);
  // The champion's own window, if it had one, is not inherited: without --since a retrain reads the whole version.
  const config: TrainingConfigRecord = { ...recorded, dataset: pointer.dataset, version: version.id, digest: version.digest, format: trainingFormat(pointer.path) };
  delete config.window;
  if (window) config.window = window;

  const dataset = await configDataset(cache, config);
  if (options.signal?.aborted) throw trainingCancelled();
  if (window && dataset.nRows < config.folds) {
    throw new MlopsError(
      l10n.t('{0}@{1} has {2} rows with {3} at or after {4}: too few to train on ({5} folds).', pointer.dataset, version.id, dataset.nRows, window.column, window.since, config.folds),
      l10n.t('Give an earlier --since, or snapshot newer data.'),
      'NO_WINDOW',
    );
  }
  const task = { type: config.task, target: config.target };
  const cv = crossValidate(cvSetup(dataset, task, config.metric, config.folds, config.seed), config.family, config.params, options.signal);
  const model = fitConfig(dataset, config, options.signal);
  cache.putBytes(model.bytes);

  const run = await startRun(store, { experiment: 'retrain', name: l10n.t('retrain {0} ({1})', champion.model, trigger), captureEnvironment: true });
  try {
    run.setTag(RUN_KIND_TAG, 'retrain');
    run.setTag('mlops.task', config.task);
    run.setTag('mlops.target', config.target);
    run.setTag('mlops.metric', config.metric);
    run.setTag('mlops.family', config.family);
    run.setTag('mlops.retrain.trigger', trigger);
    run.setTag('mlops.retrain.from', `${champion.model}/${champion.version}`);
    run.logInput('dataset', pointer.dataset, String(version.id), version.digest);
    if (featureSet) {
      run.setTag(FEATURE_SERVICE_TAG, featureSet.record.service);
      run.logParam(FEATURE_SET_PARAM, JSON.stringify(featureSet.record));
    }
    run.logSeed(config.seed);
    run.logParam('mlops.folds', config.folds);
    if (window) run.logParam('mlops.since', `${window.column} >= ${window.since}`);
    for (const [k, v] of Object.entries(config.params)) run.logParam(`model.${k}`, v);
    run.logParam(TRAINING_CONFIG_PARAM, JSON.stringify(config));
    run.logMetric(`cv_${config.metric}`, cv.score, 0);
    store.append([{ type: 'artifact', run: run.id, path: MODEL_ARTIFACT, sha256: model.sha256, size: model.bytes.length }]);
    run.end('finished');
  } catch (err) {
    run.end('failed');
    await store.fold();
    throw err;
  }
  await store.fold();
  const reason = options.reason ?? l10n.t('retrained from {0}/{1} on {2}@{3} ({4})', champion.model, champion.version, pointer.dataset, version.id, trigger);
  const registered = await registerModel(project, store, run.id, { model: champion.model, alias: 'challenger', reason, retrain: { trigger, from: champion.version } });
  await recordEvent(project.paths, { event: 'retrain', model: champion.model, version: registered.record.version, trigger }, { reason });
  return {
    model: champion.model,
    version: registered.record.version,
    from: champion.version,
    trigger,
    runId: run.id,
    dataset: { name: pointer.dataset, version: version.id, digest: version.digest },
    cv: { metric: config.metric, score: cv.score },
    trainingConfig: config,
    rows: dataset.nRows,
  };
}

/**
 * A champion trained on a feature service is retrained on its service's training set built again: from the entity
 * rows it was built from (the newest version of their dataset) or those --dataset names, joined with the views'
 * sources as they are now, written where the set was and snapshotted as the next version of its dataset. The
 * service must still give the columns the champion was trained on.
 */
async function rebuildTrainingSet(project: Project, champion: ModelVersion, recorded: FeatureSetRecord, trainingDataset: string, options: RetrainOptions) {
  const entities = options.dataset ?? recorded.entities?.dataset ?? recorded.entities?.file;
  if (!entities) {
    throw new MlopsError(
      l10n.t('{0}/{1} was trained on the feature service {2} before the entity rows of its training set were recorded.', champion.model, champion.version, recorded.service),
      l10n.t('Name the entity rows to build the set from with --dataset NAME[@VERSION] (or a file).'),
      'NOT_RETRAINABLE',
    );
  }
  // before the build: a set refused afterwards would already have replaced the working copy of the last one
  checkServiceColumns(project, recorded);
  const output = resolveVersion(project, trainingDataset).pointer.path;
  const set = await buildTrainingSet(project, recorded.service, entities, { timestamp: recorded.timestamp, output, signal: options.signal });
  const record = featureSetRecord(set);
  const snapshot = await snapshotTrainingSet(project, set, trainingDataset, options.signal);
  const entityPath = record.entities?.file ?? (record.entities?.dataset ? resolveVersion(project, record.entities.dataset).pointer.path : entities);
  return { record, entityPath, resolved: resolveVersion(project, `${snapshot.dataset}@${snapshot.version.id}`) };
}

/** The window of --since on the rows' timestamp column, checked: a time that is not one fails here. */
function windowOf(column: string | undefined, dataset: string, since: string): TrainingWindow {
  if (!column) {
    throw new MlopsError(
      l10n.t('--since needs the timestamp column of {0}, and mlops.yaml declares none.', dataset),
      l10n.t('Add datasets.{0}.timestamp (the column of each row\'s time) to mlops.yaml.', dataset),
      'NO_WINDOW',
    );
  }
  if (since.trim() === '' || (!Number.isFinite(Number(since)) && !Number.isFinite(Date.parse(since)))) {
    throw new MlopsError(l10n.t('--since {0} is not a time.', since), l10n.t('Give a date or a date-time (2015-01-01, 2015-01-01T00:00:00Z), or a number for a numeric timestamp.'), 'NO_WINDOW');
  }
  return { column, since };
}
