import * as path from 'node:path';
import { ensureVersion, resolveVersion, type ResolvedVersion } from '../data';
import { ObjectCache } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import { FEATURE_SERVICE_TAG, FEATURE_SET_PARAM, LEADERBOARD_ARTIFACT, MODEL_ARTIFACT, RUN_KIND_TAG, TRAINING_CONFIG_PARAM, startRun, type ColumnDecision, type FeatureSetRecord, type RunLogger, type TrainingConfigRecord } from '../tracking';
import { ENSEMBLE, FAMILIES, METRIC_DIRECTION, trainingCancelled, type Dataset, type Family, type MetricName, type ModelFamily } from '../train';
import { openProject, type Project, type TrainingConfig } from '../workspace';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS, targetColumn, targetNotFound } from './crossValidation';
import { baselineWarnings, evaluate, timeColumnOf, type Evaluation } from './evaluation';
import { columnDecisions, configuredExclusions, entityColumns, withoutRawTimestamp } from './columnRoles';
import { fitConfig, versionFile } from './refit';
import { refitSeconds, runSearch, type Convergence, type SearchResult, type Trial } from './search';
import { selectEnsemble, type EnsembleEntry, type EnsembleSelection } from './ensembleSelection';
import { readTrainingFile, trainingFormat, trainingHeader } from '../models';

/** What `mlops train` and "MLOps: Train Model (AutoML)" ask for; unset fields come from mlops.yaml `training:`. */
export interface AutomlRequest {
  /** `name`, `name@N`, `name@latest` or `name@<digest prefix>`. */
  dataset?: string;
  target?: string;
  task?: 'auto' | 'classification' | 'regression';
  metric?: MetricName;
  /** Seconds. */
  timeBudget?: number;
  /** With it, exactly this many trials and no time limit: a repeatable search. */
  maxTrials?: number;
  seed?: number;
  folds?: number;
  experiment?: string;
  /** The model families the search may try; all of them when absent. */
  families?: readonly string[];
  /**
   * Set by trainOnFeatures(): the dataset is a training set of this feature service; only its feature columns are
   * model inputs (mlops.yaml's training.features and training.ignore describe the raw data), and the run records it.
   */
  featureSet?: FeatureSetRecord;
}

export interface AutomlProgress {
  phase: 'loading' | 'searching' | 'refitting';
  runId?: string;
  /** Known once the data is read (task auto decides it). */
  metric?: MetricName;
  trials: number;
  maxTrials?: number;
  timeBudget?: number;
  elapsedSeconds: number;
  bestScore: number | null;
  bestFamily: Family | null;
  /** While refitting: trees, rounds or iterations done of the final model. */
  refit?: { done: number; total: number };
}

export interface AutomlHooks {
  /** Cancels everything: the run is marked killed and nothing is kept. */
  signal?: AbortSignal;
  /** Stops the search and keeps what it found: the best configuration so far is refitted and recorded. */
  stopSignal?: AbortSignal;
  onProgress?: (progress: AutomlProgress) => void;
}

/** A leaderboard row: a trial and the child run that records it. */
export interface LeaderboardEntry extends Trial {
  runId: string;
}

/** leaderboard.json, stored in the cache and recorded on the AutoML run. */
export interface Leaderboard {
  schema: 1;
  runId: string;
  task: 'classification' | 'regression';
  target: string;
  metric: MetricName;
  direction: 'max' | 'min';
  bestTrial: number;
  trials: LeaderboardEntry[];
  /** Absent on runs from before column decisions were recorded. */
  columns?: ColumnDecision[];
  evaluation?: Evaluation;
  /** The ensemble selected over the best trials, its own row: the model when `kept`. Absent when none could be built. */
  ensemble?: EnsembleEntry;
}

export interface AutomlResult {
  runId: string;
  task: 'classification' | 'regression';
  target: string;
  metric: MetricName;
  bestScore: number;
  /** The best trial's configuration, or the ensemble's (family `ensemble`) when it beat the best trial. */
  bestModel: { family: ModelFamily; params: Record<string, unknown> };
  model: { artifact: string; sha256: string; size: number };
  dataset: { name: string; version: number; digest: string };
  trials: number;
  seed: number;
  folds: number;
  excluded: string[];
  /** What became of each column of the file (also in trainingConfig). */
  columns: ColumnDecision[];
  /** The best model's score against a baseline, per class or residuals, and on the latest rows when there is a time. */
  evaluation: Evaluation;
  /** Present when the search stopped before its budget: it had converged. */
  converged?: Convergence;
  /** True when the user stopped the search: the model is the best found until then. */
  stopped?: boolean;
  elapsedSeconds: number;
  trainingConfig: TrainingConfigRecord;
  /** The feature service trained on, for a model trained with `--features`. */
  featureSet?: FeatureSetRecord;
}

const DEFAULT_TIME_BUDGET = 60;
const DEFAULT_FOLDS = 5;
const REFIT_REPORT_MS = 250;
/** Kept back from the time budget for writing the model and leaderboard and folding the runs into the store. */
const RECORDING_SECONDS = 1;
/** An integer target with at most this many distinct values is read as classes under task auto. */
const AUTO_MAX_CLASSES = 20;

/**
 * Built-in AutoML on a dataset version: cross-validated, cost-aware search across the model families, a leaderboard,
 * the best configuration refitted on all rows, everything recorded as a parent run with a child run per trial (see
 * docs/training.md, "AutoML" and "Model artifact contract"). Runs on the calling thread; trainInWorker() runs it
 * on a worker thread. The caller owns `store` (the project's, from src/core/metadata) and closes it.
 */
export async function runAutoml(store: MetadataStore, request: AutomlRequest, hooks: AutomlHooks = {}): Promise<AutomlResult> {
  const begun = performance.now();
  const elapsed = () => (performance.now() - begun) / 1000;
  const project = openProject(store.paths.root);
  const settings = settle(request, project.config.training ?? {});
  const progress: AutomlProgress = { phase: 'loading', trials: 0, maxTrials: settings.maxTrials, timeBudget: settings.timeBudget, elapsedSeconds: 0, bestScore: null, bestFamily: null };
  const report = () => hooks.onProgress?.({ ...progress, elapsedSeconds: elapsed() });
  report();
  const resolved = await versionToTrain(project, settings.dataset, hooks.signal);
  const cache = new ObjectCache(project.paths.cache);
  const format = trainingFormat(resolved.pointer.path);
  const file = versionFile(cache, resolved.version.digest);
  const header = trainingHeader(file, format) ?? [];
  if (!header.includes(settings.target)) throw targetNotFound(settings.target, header);
  const declaration = project.config.datasets?.[resolved.pointer.dataset];
  const configured = request.featureSet ? entityColumns(header, settings.target, request.featureSet) : configuredExclusions(header, settings.target, project.config.training ?? {});
  // a set built from a feature service keeps its entity rows' time out of the inputs; it still orders the rows
  const times = request.featureSet ? { times: request.featureSet.timestamp } : {};
  const loaded = withoutRawTimestamp(await readTrainingFile(file, format, { keep: settings.target, exclude: configured.map((c) => c.column), ...times }), declaration);
  const excluded = header.filter((c) => loaded.dropped.includes(c) || configured.some((x) => x.column === c));
  const columns = columnDecisions(loaded, settings.target, configured, declaration);
  if (hooks.signal?.aborted) throw trainingCancelled();
  const task = settings.task === 'auto' ? detectTask(loaded.dataset, settings.target) : settings.task;
  checkTarget(loaded.dataset, settings.target, task);
  const metric = settings.metric ?? (settings.configuredMetric && metricsOf(task).includes(settings.configuredMetric) ? settings.configuredMetric : task === 'classification' ? 'accuracy' : 'r2');
  checkMetric(metric, task);
  progress.metric = metric;
  checkRows(loaded.dataset.nRows, settings.folds);

  const parent = await startRun(store, { experiment: settings.experiment, name: l10n.t('AutoML {0} -> {1}', resolved.pointer.dataset, settings.target), captureEnvironment: true });
  progress.runId = parent.id;
  let child: RunLogger | undefined;
  try {
    parent.setTag(RUN_KIND_TAG, 'automl');
    parent.setTag('mlops.task', task);
    parent.setTag('mlops.target', settings.target);
    parent.setTag('mlops.metric', metric);
    parent.logInput('dataset', resolved.pointer.dataset, String(resolved.version.id), resolved.version.digest);
    parent.logSeed(settings.seed);
    parent.logParam('mlops.folds', settings.folds);
    if (settings.maxTrials !== undefined) parent.logParam('mlops.maxTrials', settings.maxTrials);
    else parent.logParam('mlops.timeBudget', settings.timeBudget);
    if (excluded.length) parent.logParam('mlops.excludedColumns', excluded);
    if (settings.families) parent.logParam('mlops.families', settings.families);
    if (request.featureSet) {
      parent.setTag(FEATURE_SERVICE_TAG, request.featureSet.service);
      parent.logParam(FEATURE_SET_PARAM, JSON.stringify(request.featureSet));
    }
    progress.phase = 'searching';
    report();

    const entries: LeaderboardEntry[] = [];
    const { trials, best, bestEvidence, library, converged, stopped } = await runSearch({
      dataset: loaded.dataset,
      task: { type: task, target: settings.target },
      metric,
      seed: settings.seed,
      folds: settings.folds,
      maxTrials: settings.maxTrials,
      families: settings.families,
      // The budget covers the whole command: loading is spent already, and recording the results needs a moment.
      timeBudget: settings.maxTrials === undefined ? Math.max(0.1, settings.timeBudget - elapsed() - RECORDING_SECONDS) : undefined,
      signal: hooks.signal,
      stopSignal: hooks.stopSignal,
      onTrialStart: async (trial, family, params, rows) => {
        child = await startRun(store, { experiment: settings.experiment, name: l10n.t('trial {0}: {1}', trial, family), parent: parent.id });
        child.setTag(RUN_KIND_TAG, 'trial');
        child.setTag('mlops.family', family);
        for (const [k, v] of Object.entries(params)) child.logParam(k, v);
        child.logParam('mlops.rows', rows);
      },
      onTrialEnd: (trial) => {
        if (!trial) {
          store.append([{ type: 'note', run: child!.id, text: hooks.stopSignal?.aborted ? l10n.t('Stopped by the user.') : l10n.t('Stopped: the time budget ran out.') }]);
          child!.end('killed');
        } else {
          recordTrial(child!, trial, metric);
          entries.push({ ...trial, runId: child!.id });
          progress.trials = entries.length;
          const leader = entries.filter((e) => e.status === 'ok').sort((a, b) => (METRIC_DIRECTION[metric] === 'max' ? 1 : -1) * (b.score! - a.score!))[0];
          progress.bestScore = leader?.score ?? null;
          progress.bestFamily = leader?.family ?? null;
          report();
        }
        child = undefined;
      },
    });

    // A stopped search refits at once; otherwise the ensemble is built if its members' refits fit what is left.
    const ensemble = stopped ? undefined : ensembleOf(library, settings.maxTrials === undefined ? settings.timeBudget - elapsed() - RECORDING_SECONDS : Infinity, loaded.dataset.nRows, hooks.signal);
    const chosen = ensemble?.entry.kept
      ? { family: ENSEMBLE as ModelFamily, params: ensemble.params as unknown as Record<string, unknown>, score: ensemble.entry.score, evidence: { setup: library!.setup, outOfFold: ensemble.outOfFold } }
      : { family: best.family as ModelFamily, params: { ...best.params }, score: best.score!, evidence: bestEvidence };
    progress.phase = 'refitting';
    report();
    const evaluation = evaluate({
      evidence: chosen.evidence, score: chosen.score, family: chosen.family, params: chosen.params, signal: hooks.signal,
      time: request.featureSet ? (loaded.times && { column: request.featureSet.timestamp, kind: 'given', keys: loaded.times }) : timeColumnOf(loaded.dataset, loaded.dated, declaration?.timestamp),
    });
    const config: TrainingConfigRecord = {
      dataset: resolved.pointer.dataset,
      version: resolved.version.id,
      digest: resolved.version.digest,
      format,
      target: settings.target,
      task,
      metric,
      family: chosen.family,
      params: chosen.params,
      seed: settings.seed,
      folds: settings.folds,
      excluded,
      dated: loaded.dated,
      columns,
    };
    let lastReport = 0;
    const model = fitConfig(loaded.dataset, config, hooks.signal, ({ done, total }) => {
      // A forest reports every tree: a few reports a second are enough for a progress bar.
      if (performance.now() - lastReport < REFIT_REPORT_MS && done < total) return;
      lastReport = performance.now();
      progress.refit = { done, total };
      report();
    });
    cache.putBytes(model.bytes);
    const leaderboard: Leaderboard = { schema: 1, runId: parent.id, task, target: settings.target, metric, direction: METRIC_DIRECTION[metric], bestTrial: best.trial, trials: entries, columns, evaluation, ...(ensemble ? { ensemble: ensemble.entry } : {}) };
    const boardBytes = Buffer.from(JSON.stringify(leaderboard));
    const boardHex = cache.putBytes(boardBytes);
    // Artifacts that live in the cache are named, not given by a file path: the store journal takes them as they are.
    store.append([
      { type: 'artifact', run: parent.id, path: MODEL_ARTIFACT, sha256: model.sha256, size: model.bytes.length },
      { type: 'artifact', run: parent.id, path: LEADERBOARD_ARTIFACT, sha256: boardHex, size: boardBytes.length },
    ]);
    parent.setTag('mlops.family', chosen.family);
    for (const [k, v] of Object.entries(chosen.params)) parent.logParam(`model.${k}`, v);
    parent.logParam(TRAINING_CONFIG_PARAM, JSON.stringify(config));
    parent.logMetric(`cv_${metric}`, chosen.score, 0);
    if (ensemble) parent.logMetric(`ensemble_cv_${metric}`, ensemble.entry.score, 0);
    parent.logMetric(`baseline_${metric}`, evaluation.baseline, 0);
    if (evaluation.holdout) {
      parent.logMetric(`holdout_${metric}`, evaluation.holdout.score, 0);
      parent.logMetric(`holdout_baseline_${metric}`, evaluation.holdout.baseline, 0);
    }
    parent.setTag('mlops.beatsBaseline', String(evaluation.beatsBaseline && evaluation.holdout?.beatsBaseline !== false));
    parent.logMetric('trials', trials.length, 0);
    const warnings = baselineWarnings(evaluation);
    const notes = [...(stopped ? [l10n.t('Stopped by the user after {0} trials; the model is the best configuration found so far, refitted on all rows.', trials.length)] : []), ...(converged ? [convergenceText(converged)] : []), ...warnings];
    // Still a finished run, so that its model can be registered: the tag says the search was cut short.
    if (stopped) parent.setTag('mlops.stopped', 'true');
    if (converged) parent.setTag('mlops.converged', converged.reason);
    if (notes.length) store.append([{ type: 'note', run: parent.id, text: notes.join('\n') }]);
    parent.end('finished');
    await store.fold();
    return {
      runId: parent.id,
      task,
      target: settings.target,
      metric,
      bestScore: chosen.score,
      bestModel: { family: chosen.family, params: chosen.params },
      model: { artifact: MODEL_ARTIFACT, sha256: model.sha256, size: model.bytes.length },
      dataset: { name: resolved.pointer.dataset, version: resolved.version.id, digest: resolved.version.digest },
      trials: trials.length,
      seed: settings.seed,
      folds: settings.folds,
      excluded,
      columns,
      evaluation,
      ...(converged ? { converged } : {}),
      ...(stopped ? { stopped } : {}),
      elapsedSeconds: elapsed(),
      trainingConfig: config,
      ...(request.featureSet ? { featureSet: request.featureSet } : {}),
    };
  } catch (err) {
    const status = hooks.signal?.aborted ? 'killed' : 'failed';
    child?.end(status);
    if (status === 'failed') store.append([{ type: 'note', run: parent.id, text: err instanceof Error ? err.message : String(err) }]);
    parent.end(status);
    await store.fold();
    throw err;
  }
}

/**
 * Ensemble selection over the search's best trials; not kept when refitting its members would overrun `secondsLeft`
 * (each member is refitted on all rows, where the search planned for one).
 */
function ensembleOf(library: SearchResult['library'], secondsLeft: number, rows: number, signal?: AbortSignal): EnsembleSelection | undefined {
  if (!library) return undefined;
  const selection = selectEnsemble(library.setup, library.entries, signal);
  if (!selection?.entry.kept) return selection;
  const members = new Set(selection.entry.members.map((m) => m.trial));
  const refit = library.entries.filter((e) => members.has(e.trial.trial)).reduce((sum, e) => sum + refitSeconds(e.trial, library.setup.k, rows), 0);
  if (refit <= secondsLeft) return selection;
  return { ...selection, entry: { ...selection.entry, kept: false, reason: l10n.t('Refitting its {0} members would take about {1} s, more than the {2} s left of the budget.', members.size, refit.toFixed(1), Math.max(0, secondsLeft).toFixed(1)) } };
}

function recordTrial(run: RunLogger, trial: Trial, metric: MetricName): void {
  if (trial.status === 'ok') {
    run.logMetric(`cv_${metric}`, trial.score!, 0);
    run.logMetrics(`fold_${metric}`, trial.foldScores, trial.foldScores.map((_, i) => i));
  } else run.logParam('mlops.error', trial.error);
  run.logMetric('fit_seconds', trial.fitSeconds, 0);
  run.logMetric('elapsed_seconds', trial.elapsedSeconds, 0);
  run.end(trial.status === 'ok' ? 'finished' : 'failed');
}

interface Settings {
  dataset: string;
  target: string;
  task: 'auto' | 'classification' | 'regression';
  metric?: MetricName;
  /** mlops.yaml's metric: used when it fits the task trained, which a given --task may change. */
  configuredMetric?: MetricName;
  timeBudget: number;
  maxTrials?: number;
  seed: number;
  folds: number;
  experiment?: string;
  families?: readonly Family[];
}

/** The request over mlops.yaml's defaults, checked, so that a bad value fails before any data is read. */
function settle(request: AutomlRequest, config: TrainingConfig): Settings {
  const dataset = request.dataset ?? config.dataset;
  if (!dataset) throw new MlopsError(l10n.t('No dataset to train on.'), l10n.t('Give --dataset NAME[@VERSION], or set training.dataset in mlops.yaml.'), 'NO_DATASET');
  const target = request.target ?? config.target;
  if (!target) throw new MlopsError(l10n.t('No target column to predict.'), l10n.t('Give --target COLUMN, or set training.target in mlops.yaml.'), 'NO_TARGET');
  const timeBudget = request.timeBudget ?? config.timeBudget ?? DEFAULT_TIME_BUDGET;
  if (!(timeBudget > 0) || !Number.isFinite(timeBudget)) {
    throw new MlopsError(l10n.t('The time budget must be a positive number of seconds; got {0}.', String(timeBudget)), l10n.t('Give --time-budget 60, for example, or --max-trials N for a fixed number of trials.'), 'BAD_BUDGET');
  }
  const maxTrials = request.maxTrials ?? (request.timeBudget === undefined ? config.maxTrials : undefined);
  if (maxTrials !== undefined && !(Number.isInteger(maxTrials) && maxTrials >= 1)) {
    throw new MlopsError(l10n.t('The number of trials must be a whole number of at least 1; got {0}.', String(maxTrials)), l10n.t('Give --max-trials 20, for example.'), 'BAD_BUDGET');
  }
  const seed = request.seed ?? config.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new MlopsError(l10n.t('The seed must be an integer from 0 to 4294967295; got {0}.', String(seed)));
  const folds = request.folds ?? DEFAULT_FOLDS;
  if (!Number.isInteger(folds) || folds < 2) throw new MlopsError(l10n.t('Cross-validation needs at least 2 folds; got {0}.', folds), l10n.t('Use 5 folds unless the data is very small.'));
  const families = request.families ?? config.families;
  const unknown = families?.filter((f) => !(FAMILIES as readonly string[]).includes(f)) ?? [];
  if (families?.length === 0 || unknown.length) {
    throw new MlopsError(
      families?.length ? l10n.t('Unknown model families: {0}.', unknown.join(', ')) : l10n.t('The list of model families is empty.'),
      l10n.t('Choose among {0}.', FAMILIES.join(', ')),
      'BAD_FAMILIES',
    );
  }
  // mlops.yaml's task and metric describe mlops.yaml's target: another column's task is inferred from its values.
  const configuredTarget = target === config.target;
  return {
    dataset, target, task: request.task ?? (configuredTarget ? config.task : undefined) ?? 'auto', metric: request.metric, configuredMetric: configuredTarget ? config.metric : undefined, timeBudget, maxTrials, seed, folds,
    experiment: request.experiment, families: families as readonly Family[] | undefined,
  };
}

/**
 * The columns a target can be chosen from: the header of the dataset's version (`name@...`, else its latest), or of
 * its declared file when it has no version yet.
 */
export function datasetColumns(start: string, reference: string): string[] {
  const project = openProject(start);
  let file: string;
  let shown: string;
  try {
    const { pointer, version } = resolveVersion(project, reference);
    file = versionFile(new ObjectCache(project.paths.cache), version.digest);
    shown = pointer.path;
  } catch (err) {
    const declared = project.config.datasets?.[reference];
    if (!declared || !(err instanceof MlopsError) || err.code !== 'NO_DATASET') throw err;
    file = path.resolve(project.paths.root, declared.path);
    shown = declared.path;
  }
  const header = trainingHeader(file, trainingFormat(shown));
  if (!header) throw new MlopsError(l10n.t('{0} has no header line.', shown), l10n.t('The first line must name the columns.'), 'EMPTY_DATA');
  return header;
}

/** The version to train on: one CSV, TSV or Parquet file. */
async function versionToTrain(project: Project, reference: string, signal?: AbortSignal): Promise<ResolvedVersion> {
  const resolved = await ensureVersion(project, reference, signal);
  if (resolved.version.kind !== 'file') {
    throw new MlopsError(l10n.t('{0} is a folder; AutoML trains on one CSV, TSV or Parquet file.', resolved.pointer.path), l10n.t('Declare and snapshot the training file itself as a dataset.'), 'NOT_TABULAR');
  }
  return resolved;
}

/** Text or boolean targets, and whole numbers with few distinct values, are classes; other numbers a quantity. */
function detectTask(dataset: Dataset, target: string): 'classification' | 'regression' {
  const column = targetColumn(dataset, target);
  if (column.kind === 'categorical') return 'classification';
  const distinct = new Set<number>();
  for (const v of column.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    distinct.add(v);
    if (distinct.size > AUTO_MAX_CLASSES) return 'regression';
  }
  return 'classification';
}

/**
 * At most one class per this many rows: 5-fold stratified CV then sees a class at least twice per fold on average;
 * beyond it the "classes" are values of a quantity, or identifiers.
 */
const MIN_ROWS_PER_CLASS = 10;

/** Refuses a task the target cannot carry: a regression on text, or a classification with nearly a class per row. */
function checkTarget(dataset: Dataset, target: string, task: 'classification' | 'regression'): void {
  const column = targetColumn(dataset, target);
  if (task === 'regression') {
    if (column.kind === 'categorical') {
      throw new MlopsError(
        l10n.t('The target "{0}" holds text, so it cannot be a regression.', target),
        l10n.t('Train a classification (--task classification or --task auto), or choose a numeric target.'),
        'BAD_TASK',
      );
    }
    return;
  }
  const classes = column.kind === 'categorical' ? column.vocabulary.length : new Set(Array.from(column.values).filter((v) => !Number.isNaN(v))).size;
  const maxClasses = Math.max(2, Math.floor(dataset.nRows / MIN_ROWS_PER_CLASS));
  if (classes > maxClasses) {
    throw new MlopsError(
      l10n.t('The target "{0}" has {1} distinct values in {2} rows: too many classes for a classification (at most {3}, one per {4} rows).', target, classes, dataset.nRows, maxClasses, MIN_ROWS_PER_CLASS),
      column.kind === 'numeric'
        ? l10n.t('Train a regression (--task regression or --task auto).')
        : l10n.t('Choose a target with fewer distinct values, or group its values into fewer classes.'),
      'BAD_TASK',
    );
  }
}

const metricsOf = (task: 'classification' | 'regression') => (task === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS);

function checkMetric(metric: MetricName, task: 'classification' | 'regression'): void {
  const allowed = metricsOf(task);
  if (!allowed.includes(metric)) {
    throw new MlopsError(l10n.t('The metric {0} does not apply to a {1}.', metric, task), l10n.t('Use one of: {0}.', allowed.join(', ')), 'BAD_METRIC');
  }
}

function checkRows(rows: number, folds: number): void {
  if (rows < 2 * folds) {
    throw new MlopsError(
      l10n.t('AutoML needs at least {0} rows for {1}-fold cross-validation; the dataset has {2}.', 2 * folds, folds, rows),
      l10n.t('Add rows, or train with fewer folds.'),
      'TOO_FEW_ROWS',
    );
  }
}

/** Why the search stopped before its budget, as the run's note and `mlops train` say it. */
export function convergenceText(c: Convergence): string {
  return c.reason === 'repeats'
    ? l10n.t('The search converged: every new configuration it proposed had been scored already ({0} trials since the best).', c.sinceBest)
    : l10n.t('The search converged: {0} trials without a better score; it stopped before its budget.', c.sinceBest);
}
