import { randomUUID } from 'node:crypto';
import { cancelled, MlopsError } from '../errors';
import { l10n } from '../l10n';
import { parseModelReference, readModelArtifact, resolveModelVersion, type ModelVersion } from '../registry';
import { readFeedbackLabels } from '../serve';
import type { MetadataStore } from '../store';
import { loadModel, predict, type Cell } from '../train';
import type { Project } from '../workspace';
import { recordCheck } from './checkStore';
import { measureDecay, referenceConfidence, type Decay } from './decay';
import { predictionDrift, type ColumnDrift, type DriftOptions, type DriftReport, type StatTest } from './driftReport';
import { driftTable, numericColumn, categoricalColumn, type DriftColumn, type DriftTable } from './driftTable';
import { driftReportInWorkers } from './driftWorkers';
import { readLogWindow, type LogWindow } from './logWindow';
import { DEFAULT_WINDOW, windowBounds, type MonitorWindow } from './monitorWindow';
import { readVersionTable } from './versionTable';

/** A model's state as a status bar shows it. */
export type ModelHealth = 'ok' | 'warning' | 'drift' | 'no-data';

/** One check of a served model: a window of its predictions against its training data. */
export interface MonitorCheck {
  id: string;
  /** ISO 8601: when the check ran. */
  at: string;
  model: string;
  /** The alias the check was asked for (`champion` of iris@champion); null for a version named by number. */
  alias: string | null;
  version: number;
  /** The first and last prediction of the window (ISO 8601; null when it is empty) and its rows. */
  window: { from: string | null; to: string | null; rows: number };
  /** The training data version (the version's lineage). */
  reference: { dataset: string; version: number; rows: number } | null;
  /** Per input column; null when the window has no data. */
  report: DriftReport | null;
  /** The model's output on the window against its output on the reference, by the same tests. */
  predictionDrift: ColumnDrift | null;
  decay: Decay | null;
  health: ModelHealth;
  /** One sentence, for a tooltip. */
  reason: string;
}

export interface CheckModelOptions {
  /** `name@alias` or `name/version`. */
  model: string;
  /** Default: mlops.yaml's `monitoring.window`, else the last day. */
  window?: MonitorWindow;
  /** Record the check in the metadata store, for history. */
  record?: boolean;
  /** One test (and threshold) for every column, instead of mlops.yaml's per-column choices and the defaults. */
  stattest?: StatTest;
  threshold?: number;
  signal?: AbortSignal;
}

const DEFAULT_DECAY_THRESHOLD = 0.05;

/**
 * Compares a window of the prediction log with the model version's training data: drift of each column the model
 * reads and of its output, decay of its metric, and a health verdict with its reason. The log is read into typed
 * columns as it streams; the tests run on worker threads.
 */
export async function checkModel(project: Project, store: MetadataStore, options: CheckModelOptions): Promise<MonitorCheck> {
  try {
    return await runCheck(project, store, options);
  } catch (err) {
    // the log reader and the workers stop each in their own way; the caller hears one cancellation
    if (options.signal?.aborted) throw cancelled();
    throw err;
  }
}

async function runCheck(project: Project, store: MetadataStore, options: CheckModelOptions): Promise<MonitorCheck> {
  const at = new Date();
  const ref = parseModelReference(options.model);
  const version = resolveModelVersion(project.paths, options.model);
  const config = project.config.monitoring ?? {};
  const window = options.window ?? (config.window ? { duration: config.window } : DEFAULT_WINDOW);
  const bounds = windowBounds(window, at);
  const dataset = trainingData(version);
  const compared = comparedColumns(version);
  const inputs = version.signature.inputs.map((i) => i.name);
  const read = [...new Set([...compared, ...inputs])];
  const reference = await readVersionTable(project, `${dataset.name}@${dataset.version}`, read);
  for (const name of read) {
    if (!reference.table.columns.some((c) => c.name === name)) {
      throw new MlopsError(
        l10n.t('The training data {0}@{1} of {2}/{3} has no column "{4}", which the model reads.', dataset.name, dataset.version, version.model, version.version, name),
        l10n.t('The lineage names the wrong data version: register the model again from the run that trained it.'),
        'MISSING_COLUMN',
      );
    }
  }
  const classifier = version.signature.output.task === 'classification';
  const labels = await readFeedbackLabels(project, options.signal);
  const current = await readLogWindow(project, {
    model: version.model, version: 'version' in ref ? ref.version : undefined, ...bounds,
    columns: compared.map((name) => ({ name, kind: reference.table.columns.find((c) => c.name === name)!.kind })),
    predictionKind: classifier ? 'categorical' : 'numeric', labels, signal: options.signal,
  });
  const base = {
    id: randomUUID(), at: at.toISOString(), model: version.model, alias: 'alias' in ref ? ref.alias : null, version: version.version,
    window: { from: isoOrNull(current.from), to: isoOrNull(current.to), rows: current.inputs.rows },
    reference: { dataset: reference.dataset, version: reference.version, rows: reference.table.rows },
  };
  let check: MonitorCheck;
  if (current.inputs.rows === 0) {
    check = {
      ...base, report: null, predictionDrift: null, decay: null, health: 'no-data',
      reason: l10n.t('No predictions of {0} in the window: send it traffic, or widen the window.', options.model),
    };
  } else {
    checkColumnsPresent(current, options.model);
    // a test named for this check replaces mlops.yaml's choices: they may not suit it (ks on a text column)
    const choice: DriftOptions = options.stattest ? { stattest: options.stattest, threshold: options.threshold } : { perColumn: config.columns };
    const drift: DriftOptions = { ...choice, columns: compared, driftShare: config.drift_share, signal: options.signal };
    const report = await driftReportInWorkers(driftTable(reference.table.columns.filter((c) => compared.includes(c.name)), reference.table.rows), current.inputs, drift);
    options.signal?.throwIfAborted();
    const answers = referencePredictions(project, version, reference.table);
    const referenceOutput: DriftColumn = answers.kind === 'classification' ? categoricalColumn('prediction', answers.labels) : numericColumn('prediction', answers.values);
    // a classifier's output is a label: a test of numbers named for the inputs leaves it to the default test
    const numbersOnly = options.stattest === 'ks' || options.stattest === 'wasserstein';
    const outputChoice = classifier && numbersOnly ? { perColumn: config.columns } : choice;
    const output = predictionDrift(driftTable([referenceOutput]), driftTable([current.prediction]), 'prediction', { ...outputChoice, signal: options.signal });
    const decay = measureDecay(version, current, {
      threshold: config.decay?.threshold ?? DEFAULT_DECAY_THRESHOLD,
      referenceConfidence: answers.kind === 'classification' ? referenceConfidence(answers.probabilities, answers.classes.length) : null,
    });
    check = { ...base, report, predictionDrift: output, decay, ...verdict(report, output, decay) };
  }
  if (options.record) recordCheck(store, check);
  return check;
}

/** The health rule: drift when the dataset drifts or the metric decays; warning when any column (or the output) drifts. */
function verdict(report: DriftReport, output: ColumnDrift, decay: Decay | null): { health: ModelHealth; reason: string } {
  const drifted = report.columns.filter((c) => c.drift).map((c) => c.name);
  const columns = l10n.t('{0} of {1} columns drift', report.driftedColumns, report.numberOfColumns) + (drifted.length ? `: ${drifted.join(', ')}` : '');
  const decayText = decay?.alert
    ? l10n.t('{0} fell from {1} to {2}', decay.metric, show(decay.validation), show(decay.measured ?? decay.estimated))
    : undefined;
  if (report.datasetDrift || decay?.alert) {
    const parts = [report.datasetDrift ? l10n.t('Dataset drift ({0})', columns) : undefined, decayText].filter(Boolean);
    return { health: 'drift', reason: `${parts.join('; ')}.` };
  }
  if (drifted.length || output.drift) {
    const parts = [drifted.length ? columns : undefined, output.drift ? l10n.t('the predictions drift') : undefined].filter(Boolean);
    return { health: 'warning', reason: l10n.t('{0}; not enough for dataset drift.', parts.join('; ')) };
  }
  return { health: 'ok', reason: l10n.t('No drift: 0 of {0} columns drift, and the predictions do not.', report.numberOfColumns) };
}

function show(v: number | null): string {
  return v === null ? '-' : String(Number(v.toPrecision(3)));
}

function trainingData(version: ModelVersion): { name: string; version: number } {
  const dataset = version.lineage.dataset;
  const number = dataset ? Number(dataset.version) : NaN;
  if (!dataset || !Number.isInteger(number)) {
    throw new MlopsError(
      l10n.t('{0}/{1} has no training data version in its lineage, so there is nothing to compare its predictions with.', version.model, version.version),
      l10n.t('Train it from a dataset version (`mlops snapshot`, then `mlops train`) and register that run; or compare two versions with `mlops drift --reference --current`.'),
      'NO_LINEAGE',
    );
  }
  return { name: dataset.name, version: number };
}

/**
 * The columns a check compares: those callers send and the log holds. A model trained on a feature service is called
 * with its entity keys and request inputs (its features are looked up), which are columns of its training set too;
 * any other model with the columns it reads, but a date (its parts are what the model uses).
 */
function comparedColumns(version: ModelVersion): string[] {
  const featureSet = version.lineage.featureSet;
  if (featureSet) return [...featureSet.keys, ...featureSet.request];
  return version.signature.inputs.filter((i) => i.type !== 'date').map((i) => i.name);
}

/**
 * The model's own answers on its training data, the reference its logged answers are compared with: the raw model on
 * the columns it was trained on (a feature service's columns as the training set holds them, not looked up online,
 * which would answer as of now for every row alike).
 */
function referencePredictions(project: Project, version: ModelVersion, table: DriftTable): ReturnType<typeof predict> {
  const model = loadModel(readModelArtifact(project, version).toString('utf8'));
  const columns = version.signature.inputs.map((i) => cellsOf(table.columns.find((c) => c.name === i.name)!));
  const header = version.signature.inputs.map((i) => i.name);
  const rows: Cell[][] = Array.from({ length: table.rows }, (_, r) => columns.map((column) => column[r]));
  return predict(model, { header, rows });
}

/** A column the model reads that no prediction of the window carries: callers stopped sending it, or send it renamed. */
function checkColumnsPresent(current: LogWindow, model: string): void {
  for (const c of current.inputs.columns) {
    const present = c.kind === 'numeric' ? c.values.some((v) => !Number.isNaN(v)) : c.codes.some((k) => k >= 0);
    if (!present) {
      throw new MlopsError(
        l10n.t('The column "{0}" that {1} reads is missing from every prediction in the window.', c.name, model),
        l10n.t('Check that callers send "{0}" (the request inputs are logged as sent), or choose a window with such requests.', c.name),
        'MISSING_COLUMN',
      );
    }
  }
}

/** A reference column as the cells a model predicts from: numbers, texts, null for missing. */
function cellsOf(column: DriftColumn): Cell[] {
  if (column.kind === 'numeric') return Array.from(column.values, (v) => (Number.isNaN(v) ? null : v));
  return Array.from(column.codes, (k) => (k < 0 ? null : column.categories[k]));
}

function isoOrNull(ms: number): string | null {
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
