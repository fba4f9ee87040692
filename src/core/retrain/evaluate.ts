import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from '../automl';
import { MlopsError } from '../errors';
import { buildTrainingSet, columnText } from '../features';
import { l10n } from '../l10n';
import {
  appendCardEvaluation, formatReference, parseModelReference, readModelArtifact, recordEvent, resolveModelVersion,
  type GateEvaluation, type ModelVersion, type SliceScore,
} from '../registry';
import type { FeatureSetRecord } from '../tracking';
import { accuracy, cellNumber, f1Macro, inputColumns, isMissingCell, loadModel, logLoss, mae, METRIC_DIRECTION, predict, r2, rmse, rocAuc, type MetricName, type Model, type TableRows } from '../train';
import type { Project } from '../workspace';
import { checkThreshold, checkThresholdSettings, noRegression } from './gate';
import { namedHoldout, newestUnseenSlice, type Holdout } from './holdout';

export interface GateOptions {
  /** The version to judge: `weather@challenger`, `weather/4`. */
  challenger: string;
  /** The version to beat: an alias or a version number of the same model, or a full reference. Default `champion`. */
  against?: string;
  /** `DATASET[@V]` or a file; default: the newest slice of the data neither model trained on. */
  holdout?: string;
  /** Where a relative --holdout path is read from. */
  cwd?: string;
  /** Default: the metric the challenger's training optimized. */
  metric?: MetricName;
  minAbsoluteChange?: number;
  minRelativeChange?: number;
  /** The lowest acceptable score (highest, when lower is better). */
  floor?: number;
  /** A column on which no slice may regress. */
  slice?: string;
  /** Append the result to the audit log and the challenger's card (default true). */
  record?: boolean;
  signal?: AbortSignal;
}

export interface GateResult extends GateEvaluation {
  model: string;
  version: number;
  /** When it was recorded (the audit event's time), or when it ran. */
  time: string;
}

/** Per-row outcomes of one model on the holdout, so that overall and every slice are scored from one prediction. */
type Scored =
  | { kind: 'classification'; truth: Int32Array; predicted: Int32Array; probabilities: Float64Array; nLabels: number }
  | { kind: 'regression'; truth: Float64Array; predicted: Float64Array };

/**
 * Evaluates a challenger and the champion on the same holdout with the challenger's metric, judges the challenger
 * with MLflow's threshold rules (no regression when no gain is asked for) and no regression on any slice, and
 * records the result in the model's history and the challenger's card.
 */
export async function runGate(project: Project, options: GateOptions): Promise<GateResult> {
  const challenger = resolveModelVersion(project.paths, options.challenger);
  const champion = resolveModelVersion(project.paths, againstReference(challenger.model, options.against ?? 'champion'));
  if (champion.version === challenger.version) {
    throw new MlopsError(l10n.t('{0}/{1} would be compared with itself.', challenger.model, challenger.version), l10n.t('Gate a challenger against the champion: --model {0}@challenger --against champion.', challenger.model), 'BAD_GATE');
  }
  const models = [challenger, champion].map((v) => loadModel(readModelArtifact(project, v).toString('utf8')));
  checkCompatible(challenger, champion, models[0], models[1]);
  const metric = options.metric ?? challengerMetric(challenger, models[0]);
  checkMetricFits(metric, models[0]);
  const greaterIsBetter = METRIC_DIRECTION[metric] === 'max';
  const threshold = checkThresholdSettings({
    greaterIsBetter,
    ...(options.floor !== undefined ? { threshold: options.floor } : {}),
    ...(options.minAbsoluteChange !== undefined ? { minAbsoluteChange: options.minAbsoluteChange } : {}),
    ...(options.minRelativeChange !== undefined ? { minRelativeChange: options.minRelativeChange } : {}),
  });

  const trainedOn = [challenger, champion].map((v) => v.lineage.trainingConfig?.digest ?? v.lineage.dataset?.digest ?? '').filter(Boolean);
  const holdout = options.holdout ? await namedHoldout(project, options.holdout, options.cwd ?? project.paths.root, trainedOn) : await newestUnseenSlice(project, challenger, champion);
  const versions = [challenger, champion];
  const kept = labelledRows(holdout, versions, models, options.slice);
  const inputs = await predictionInputs(project, holdout, versions, options.signal);
  const [mine, theirs] = models.map((m, k) => scoreRows(m, inputs[k], holdout, kept, options.signal));
  const all = Array.from(kept, (_, i) => i);
  const overall = { challenger: score(mine, all, metric), champion: score(theirs, all, metric) };
  const check = checkThreshold(metric, threshold, overall.challenger, overall.champion);
  const reasons = [...check.reasons];
  if (threshold.minAbsoluteChange === undefined && threshold.minRelativeChange === undefined && overall.challenger !== null) {
    const regression = noRegression(metric, greaterIsBetter, overall.challenger, overall.champion);
    if (regression) reasons.push(regression);
  }
  let slices: GateEvaluation['slices'];
  if (options.slice) {
    const column = holdout.header.indexOf(options.slice);
    const groups = new Map<string, number[]>();
    kept.forEach((row, i) => {
      const cell = holdout.rows[row][column];
      const value = isMissingCell(cell) ? l10n.t('(missing)') : cell.trim();
      groups.set(value, [...(groups.get(value) ?? []), i]);
    });
    const values: SliceScore[] = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([value, rows]) => {
      const challengerScore = score(mine, rows, metric);
      const championScore = score(theirs, rows, metric);
      const regression = challengerScore === null ? l10n.t('The challenger has no value for {0} on {1} = {2}.', metric, options.slice!, value) : noRegression(metric, greaterIsBetter, challengerScore, championScore, `${options.slice} = ${value}`);
      if (regression) reasons.push(regression);
      return { value, rows: rows.length, challenger: challengerScore, champion: championScore, passed: regression === null };
    });
    slices = { column: options.slice, values };
  }
  const evaluation: GateEvaluation = {
    against: champion.version,
    metric,
    greaterIsBetter,
    holdout: { source: holdout.source, rows: kept.length },
    challenger: overall.challenger,
    champion: overall.champion,
    ...(threshold.threshold !== undefined ? { floor: threshold.threshold } : {}),
    ...(threshold.minAbsoluteChange !== undefined ? { minAbsoluteChange: threshold.minAbsoluteChange } : {}),
    ...(threshold.minRelativeChange !== undefined ? { minRelativeChange: threshold.minRelativeChange } : {}),
    ...(slices ? { slices } : {}),
    passed: reasons.length === 0,
    reasons,
  };
  let time = new Date().toISOString();
  if (options.record !== false) {
    time = (await recordEvent(project.paths, { event: 'gate', model: challenger.model, version: challenger.version, evaluation })).time;
    appendCardEvaluation(project, challenger, evaluation, time);
  }
  return { model: challenger.model, version: challenger.version, time, ...evaluation };
}

/** `champion`, `3`, `weather@champion` or `weather/3`, as the version of `model` to compare with. */
function againstReference(model: string, against: string): string {
  if (/^[1-9]\d{0,8}$/.test(against)) return `${model}/${against}`;
  if (against.includes('@') || against.includes('/')) {
    const ref = parseModelReference(against);
    if (ref.model !== model) {
      throw new MlopsError(l10n.t('{0} is a version of {1}, not of {2}.', against, ref.model, model), l10n.t('Compare two versions of the same model.'), 'BAD_GATE');
    }
    return formatReference(ref);
  }
  return `${model}@${against}`;
}

/** The same task, target and input columns: otherwise the two models answer different questions. */
function checkCompatible(challenger: ModelVersion, champion: ModelVersion, a: Model, b: Model): void {
  const names = (m: Model) => new Set(inputColumns(m.features));
  const [mine, theirs] = [names(a), names(b)];
  const onlyMine = [...mine].filter((n) => !theirs.has(n));
  const onlyTheirs = [...theirs].filter((n) => !mine.has(n));
  const problems = [
    ...(a.task.type !== b.task.type ? [l10n.t('task {0} against {1}', a.task.type, b.task.type)] : []),
    ...(a.task.target !== b.task.target ? [l10n.t('target {0} against {1}', a.task.target, b.task.target)] : []),
    ...(onlyMine.length ? [l10n.t('columns only the challenger reads: {0}', onlyMine.join(', '))] : []),
    ...(onlyTheirs.length ? [l10n.t('columns only the champion reads: {0}', onlyTheirs.join(', '))] : []),
  ];
  if (problems.length) {
    throw new MlopsError(
      l10n.t('{0}/{1} and {0}/{2} do not predict the same thing from the same columns ({3}).', challenger.model, challenger.version, champion.version, problems.join('; ')),
      l10n.t('Gate a challenger trained on the champion\'s columns and target: `mlops retrain {0}` rebuilds one from the champion\'s lineage.', challenger.model),
      'INCOMPATIBLE_MODELS',
    );
  }
}

function challengerMetric(version: ModelVersion, model: Model): MetricName {
  const recorded = version.lineage.trainingConfig?.metric ?? version.keyMetric?.replace(/^cv_/, '');
  if (recorded && recorded in METRIC_DIRECTION) return recorded as MetricName;
  return model.task.type === 'classification' ? 'accuracy' : 'r2';
}

function checkMetricFits(metric: MetricName, model: Model): void {
  const allowed = model.task.type === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  if (!allowed.includes(metric)) {
    throw new MlopsError(l10n.t('The metric {0} does not apply to a {1}.', metric, model.task.type), l10n.t('Use one of: {0}.', allowed.join(', ')), 'BAD_METRIC');
  }
}

/** The holdout rows with a target value, after checking the file has every column the models and the slice need. */
function labelledRows(holdout: Holdout, versions: readonly ModelVersion[], models: readonly Model[], slice: string | undefined): number[] {
  const model = models[0];
  for (const version of versions) {
    const featureSet = version.lineage.featureSet;
    const absent = featureSet ? lookupColumns(featureSet).filter((name) => !holdout.header.includes(name)) : [];
    if (absent.length) {
      throw new MlopsError(
        l10n.t('The holdout {0} has no column {1}, which {2}/{3} needs to build its features from the service {4}.', holdout.source, absent.join(', '), version.model, version.version, featureSet!.service),
        l10n.t('A holdout for a model trained on features is entity rows: the keys {0}, the time {1}{2}, and the target.', featureSet!.keys.join(', '), featureSet!.timestamp, featureSet!.request.length ? l10n.t(', the request inputs {0}', featureSet!.request.join(', ')) : ''),
        'BAD_COLUMNS',
      );
    }
  }
  // Date parts are derived from their date column at predict time: the holdout needs the column, not the parts. A
  // model trained on features reads the set built from the holdout, not the holdout's own columns.
  const plain = models.filter((_, k) => !versions[k].lineage.featureSet).flatMap((m) => inputColumns(m.features));
  const needed = [...new Set([...plain, model.task.target, ...(slice ? [slice] : [])])];
  const missing = needed.filter((name) => !holdout.header.includes(name));
  if (missing.length) {
    throw new MlopsError(
      l10n.t('The holdout {0} has no column {1}.', holdout.source, missing.join(', ')),
      l10n.t('A holdout needs the models\' input columns, the target {0}{1}.', model.task.target, slice ? l10n.t(' and the slice column {0}', slice) : ''),
      'BAD_COLUMNS',
    );
  }
  const target = holdout.header.indexOf(model.task.target);
  const kept: number[] = [];
  holdout.rows.forEach((row, i) => {
    if (!isMissingCell(row[target])) kept.push(i);
  });
  if (kept.length === 0) throw new MlopsError(l10n.t('No row of the holdout {0} has a value of {1}.', holdout.source, model.task.target), l10n.t('Score on rows whose outcome is known.'), 'NO_HOLDOUT');
  return kept;
}

/** The entity rows' columns a feature set is built from: its keys, its time column and its request inputs. */
function lookupColumns(featureSet: FeatureSetRecord): string[] {
  return [...new Set([...featureSet.keys, featureSet.timestamp, ...featureSet.request])];
}

/**
 * What each model predicts from, row for row with the holdout: its own rows, or for a model trained on a feature
 * service, the point-in-time set the service builds from them as its training did (built once per service version).
 */
async function predictionInputs(project: Project, holdout: Holdout, versions: readonly ModelVersion[], signal?: AbortSignal): Promise<TableRows[]> {
  const built = new Map<string, TableRows>();
  const inputs: TableRows[] = [];
  for (const version of versions) {
    const featureSet = version.lineage.featureSet;
    if (!featureSet) {
      inputs.push(holdout);
      continue;
    }
    const key = JSON.stringify([featureSet.service, featureSet.version, featureSet.timestamp]);
    if (!built.has(key)) built.set(key, await featureRows(project, version, featureSet, holdout, signal));
    inputs.push(built.get(key)!);
  }
  return inputs;
}

async function featureRows(project: Project, version: ModelVersion, featureSet: FeatureSetRecord, holdout: Holdout, signal?: AbortSignal): Promise<TableRows> {
  // The features come from the service: a holdout that holds them already (a version of a built set) has them dropped.
  const own = holdout.header.flatMap((name, j) => (featureSet.columns.includes(name) ? [] : [j]));
  const entities = { source: holdout.source, header: own.map((j) => holdout.header[j]), rows: holdout.rows.map((row) => own.map((j) => row[j])) };
  const set = await buildTrainingSet(project, featureSet.service, entities, { timestamp: featureSet.timestamp, signal });
  const header = set.columns.map((c) => c.name);
  const absent = featureSet.columns.filter((name) => !header.includes(name));
  if (absent.length) {
    throw new MlopsError(
      l10n.t('The feature service {0} no longer gives {1}, which {2}/{3} was trained on.', featureSet.service, absent.join(', '), version.model, version.version),
      l10n.t('Train the model again on the service, or restore the service\'s definition in mlops.yaml.'),
      'MISSING_FEATURES',
    );
  }
  const texts = set.data.map(columnText);
  return { header, rows: Array.from({ length: set.rows }, (_, r) => texts.map((text) => text(r))) };
}

/** One model's outcomes on the kept rows: predicted from `input` (row for row with the holdout), the truth from the holdout. */
function scoreRows(model: Model, input: TableRows, holdout: Holdout, kept: readonly number[], signal?: AbortSignal): Scored {
  const rows = kept.map((i) => holdout.rows[i]);
  const target = holdout.header.indexOf(model.task.target);
  const p = predict(model, { header: input.header, rows: kept.map((i) => input.rows[i]) }, signal);
  if (p.kind === 'regression') return { kind: 'regression', truth: Float64Array.from(rows, (r) => cellNumber(r[target])), predicted: p.values };
  // Labels the model never saw in training still count: as classes it cannot predict.
  const labels = [...new Set([...p.classes, ...rows.map((r) => r[target].trim())])].sort();
  const index = new Map(labels.map((l, k) => [l, k]));
  const K = labels.length;
  const local = p.classes.map((c) => index.get(c)!);
  const probabilities = new Float64Array(rows.length * K);
  for (let i = 0; i < rows.length; i++) for (let c = 0; c < local.length; c++) probabilities[i * K + local[c]] = p.probabilities[i * local.length + c];
  return { kind: 'classification', truth: Int32Array.from(rows, (r) => index.get(r[target].trim())!), predicted: Int32Array.from(p.classIndex, (c) => local[c]), probabilities, nLabels: K };
}

/** The metric on some rows of the holdout; null where it is undefined (a regression target that is not a number, ROC AUC of one class). */
function score(scored: Scored, rows: readonly number[], metric: MetricName): number | null {
  if (rows.length === 0) return null;
  if (scored.kind === 'regression') {
    const usable = rows.filter((i) => !Number.isNaN(scored.truth[i]));
    if (usable.length === 0) return null;
    const truth = Float64Array.from(usable, (i) => scored.truth[i]);
    const predicted = Float64Array.from(usable, (i) => scored.predicted[i]);
    return metric === 'rmse' ? rmse(truth, predicted) : metric === 'mae' ? mae(truth, predicted) : r2(truth, predicted);
  }
  const truth = Int32Array.from(rows, (i) => scored.truth[i]);
  if (metric === 'accuracy' || metric === 'f1') {
    const predicted = Int32Array.from(rows, (i) => scored.predicted[i]);
    return metric === 'accuracy' ? accuracy(truth, predicted) : f1Macro(truth, predicted);
  }
  const K = scored.nLabels;
  if (metric === 'log_loss') {
    const probabilities = new Float64Array(rows.length * K);
    rows.forEach((row, i) => probabilities.set(scored.probabilities.subarray(row * K, row * K + K), i * K));
    return logLoss(truth, probabilities, K);
  }
  // ROC AUC one-vs-rest is defined only for the classes present in these rows.
  const present = [...new Set(truth)].sort((a, b) => a - b);
  if (present.length < 2) return null;
  const position = new Map(present.map((k, j) => [k, j]));
  const probabilities = new Float64Array(rows.length * present.length);
  rows.forEach((row, i) => present.forEach((k, j) => (probabilities[i * present.length + j] = scored.probabilities[row * K + k])));
  return rocAuc(Int32Array.from(truth, (t) => position.get(t)!), probabilities, present.length);
}
