import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { corrupt, fromJsonValue, toJsonValue } from './artifact';
import { BayesBody, bayesParams, fitBayes, predictBayes } from './bayes';
import { Cell, Dataset, RowInput } from './dataset';
import { FitContext, FitProgress, checkCancelled } from './fitting';
import { ForestBody, fitForest, forestParams, predictForest } from './forest';
import { GbdtBody, fitGbdt, gbdtParams, predictGbdt } from './gbdt';
import { KnnBody, KnnParams, fitKnn, knnParams, predictKnn } from './knn';
import { LinearBody, fitLinear, linearParams, predictLinear } from './linear';
import { FeatureMatrix, FeatureSpec, Task, encodeInput, trainingTable } from './schema';

export const FAMILIES = ['gbdt', 'random_forest', 'extra_trees', 'linear', 'knn', 'naive_bayes'] as const;
export type Family = (typeof FAMILIES)[number];
/** A weighted mean of models of the other families, trained on the same rows (AutoML's ensemble selection). */
export const ENSEMBLE = 'ensemble';
export type ModelFamily = Family | typeof ENSEMBLE;

/**
 * An ensemble's parameters: its members' configurations and their whole-number weights (how often the greedy
 * selection picked each), so that a refit from the record gives the same bytes.
 */
export interface EnsembleParams {
  readonly members: readonly { readonly family: Family; readonly params: Readonly<Record<string, unknown>> }[];
  readonly weights: readonly number[];
}

interface EnsembleBody {
  readonly members: readonly Model[];
}

/** The artifact format; bump on any change a previous reader would misread. */
export const MODEL_FORMAT = 'mlops-model';
export const MODEL_VERSION = 2;
/** Version 2 adds features computed from a date column; a model without them is written as version 1, bytes unchanged. */
const FIRST_MODEL_VERSION = 1;

/**
 * A trained model: its preprocessing (features), its resolved parameters (defaults filled in), the seed, and the
 * family's fitted state. Everything needed to predict, and to retrain identically.
 */
export interface Model {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly family: ModelFamily;
  readonly task: Task;
  readonly classes: readonly string[] | null;
  readonly features: readonly FeatureSpec[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly body: unknown;
}

export type Predictions =
  | { readonly kind: 'classification'; readonly classes: readonly string[]; readonly labels: string[]; readonly classIndex: Int32Array; readonly probabilities: Float64Array }
  | { readonly kind: 'regression'; readonly values: Float64Array };

interface Learner {
  params(raw: Record<string, unknown>, classification: boolean): object;
  fit(table: ReturnType<typeof trainingTable>, params: object, ctx: FitContext): object;
  /** Probabilities (n x K) for classification, values for regression. */
  predict(body: object, params: object, features: readonly FeatureSpec[], X: FeatureMatrix, nClasses: number, signal?: AbortSignal): Float64Array;
  classificationOnly?: boolean;
}

const LEARNERS: Record<Family, Learner> = {
  gbdt: {
    params: (raw) => gbdtParams(raw),
    fit: (table, p, ctx) => fitGbdt(table, p as ReturnType<typeof gbdtParams>, ctx),
    predict: (body, _p, _f, X, nClasses) => predictGbdt(body as GbdtBody, X, nClasses),
  },
  random_forest: {
    params: (raw, classification) => forestParams('random_forest', raw, classification),
    fit: (table, p, ctx) => fitForest('random_forest', table, p as ReturnType<typeof forestParams>, ctx),
    predict: (body, _p, _f, X) => predictForest(body as ForestBody, X),
  },
  extra_trees: {
    params: (raw, classification) => forestParams('extra_trees', raw, classification),
    fit: (table, p, ctx) => fitForest('extra_trees', table, p as ReturnType<typeof forestParams>, ctx),
    predict: (body, _p, _f, X) => predictForest(body as ForestBody, X),
  },
  linear: {
    params: (raw) => linearParams(raw),
    fit: (table, p, ctx) => fitLinear(table, p as ReturnType<typeof linearParams>, ctx),
    predict: (body, _p, features, X, nClasses) => predictLinear(body as LinearBody, features, X, nClasses),
  },
  knn: {
    params: (raw) => knnParams(raw),
    fit: (table, p, ctx) => fitKnn(table, p as KnnParams, ctx),
    predict: (body, p, features, X, nClasses, signal) => predictKnn(body as KnnBody, p as KnnParams, features, X, nClasses, signal),
  },
  naive_bayes: {
    params: (raw) => bayesParams(raw),
    fit: (table, p, ctx) => fitBayes(table, p as ReturnType<typeof bayesParams>, ctx),
    predict: (body, _p, features, X) => predictBayes(body as BayesBody, features, X),
    classificationOnly: true,
  },
};

function learnerOf(family: string): Learner {
  if (!(FAMILIES as readonly string[]).includes(family)) {
    throw new MlopsError(l10n.t('Unknown model family "{0}".', family), l10n.t('Use one of: {0}.', FAMILIES.join(', ')));
  }
  return LEARNERS[family as Family];
}

/**
 * Trains one model. Cancellable through `signal` (checked between trees and iterations); `onProgress` hears
 * about each step. Same dataset, task, params and seed give the same model, byte for byte once serialized.
 */
export function fitModel(
  family: ModelFamily,
  params: Readonly<Record<string, unknown>>,
  dataset: Dataset,
  task: Task,
  seed: number,
  signal?: AbortSignal,
  onProgress?: (progress: FitProgress) => void,
): Model {
  if (family === ENSEMBLE) return fitEnsemble(ensembleParams(params), dataset, task, seed, signal, onProgress);
  const learner = learnerOf(family);
  if (learner.classificationOnly && task.type !== 'classification') {
    throw new MlopsError(l10n.t('The {0} family only does classification.', family), l10n.t('Choose another family for a regression.'));
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new MlopsError(l10n.t('The seed must be an integer from 0 to 4294967295; got {0}.', String(seed)), l10n.t('Use a whole number such as 42.'));
  }
  checkCancelled(signal);
  const table = trainingTable(dataset, task);
  const resolved = learner.params({ ...params }, task.type === 'classification');
  const body = learner.fit(table, resolved, { seed, signal, onProgress });
  return {
    format: MODEL_FORMAT,
    // A version-1 reader would look for a column named after the part and silently read it as missing.
    version: table.features.some((f) => f.kind === 'numeric' && f.datePart) ? MODEL_VERSION : FIRST_MODEL_VERSION,
    family,
    task: { type: task.type, target: task.target },
    classes: table.classes ?? null,
    features: table.features,
    params: resolved as Record<string, unknown>,
    seed,
    body,
  };
}

function ensembleParams(raw: Readonly<Record<string, unknown>>): EnsembleParams {
  const { members, weights } = raw as Partial<EnsembleParams>;
  const valid = Array.isArray(members) && Array.isArray(weights) && members.length > 0 && members.length === weights.length
    && members.every((m) => m && m.family !== ENSEMBLE && (FAMILIES as readonly string[]).includes(m.family) && typeof m.params === 'object')
    && weights.every((w) => Number.isInteger(w) && w > 0);
  if (!valid) throw new MlopsError(l10n.t('An ensemble needs members (each a family and its parameters) and as many whole, positive weights.'), l10n.t('Check the ensemble\'s params in the training configuration.'), 'BAD_TRAINING_CONFIG');
  return { members, weights };
}

/** Each member fitted on all the rows with the same seed: the models the search scored, refitted. */
function fitEnsemble(params: EnsembleParams, dataset: Dataset, task: Task, seed: number, signal?: AbortSignal, onProgress?: (progress: FitProgress) => void): Model {
  const members = params.members.map((m, i) => fitModel(m.family, m.params, dataset, task, seed, signal, onProgress && ((p) => onProgress({ family: p.family, done: i * p.total + p.done, total: params.members.length * p.total }))));
  const first = members[0];
  const body: EnsembleBody = { members };
  return {
    format: MODEL_FORMAT,
    version: Math.max(...members.map((m) => m.version)),
    family: ENSEMBLE,
    task: first.task,
    classes: first.classes,
    features: first.features,
    params: { members: members.map((m) => ({ family: m.family, params: m.params })), weights: [...params.weights] },
    seed,
    body,
  };
}

/** Probabilities (n x K) for classification, values for regression; an ensemble's are the weighted mean of its members'. */
function rawOutput(model: Model, X: FeatureMatrix, signal?: AbortSignal): Float64Array {
  const nClasses = model.classes?.length ?? 0;
  if (model.family !== ENSEMBLE) return learnerOf(model.family).predict(model.body as object, model.params, model.features, X, nClasses, signal);
  const { members } = model.body as EnsembleBody;
  const { weights } = model.params as unknown as EnsembleParams;
  const total = weights.reduce((a, b) => a + b, 0);
  let out: Float64Array | undefined;
  for (const [i, member] of members.entries()) {
    const part = rawOutput(member, X, signal);
    out ??= new Float64Array(part.length);
    const w = weights[i] / total;
    for (let j = 0; j < part.length; j++) out[j] += w * part[j];
  }
  return out!;
}

/** Predicts rows: {column: value} objects, a header with rows, bare rows in `model.features` order, or a Dataset. */
export function predict(model: Model, rows: Dataset | RowInput | readonly (readonly Cell[])[], signal?: AbortSignal): Predictions {
  const X = encodeInput(model.features, rows);
  const nClasses = model.classes?.length ?? 0;
  const out = rawOutput(model, X, signal);
  if (!model.classes) return { kind: 'regression', values: out };
  const classIndex = new Int32Array(X.n);
  for (let i = 0; i < X.n; i++) {
    let best = 0;
    for (let k = 1; k < nClasses; k++) if (out[i * nClasses + k] > out[i * nClasses + best]) best = k;
    classIndex[i] = best;
  }
  return { kind: 'classification', classes: model.classes, labels: Array.from(classIndex, (k) => model.classes![k]), classIndex, probabilities: out };
}

export function serializeModel(model: Model): string {
  return JSON.stringify(toJsonValue(model));
}

export function loadModel(json: string): Model {
  let value: unknown;
  try {
    value = fromJsonValue(JSON.parse(json));
  } catch (err) {
    if (err instanceof MlopsError) throw err;
    throw corrupt();
  }
  const model = value as Model;
  if (!model || model.format !== MODEL_FORMAT || !Array.isArray(model.features) || !model.body) throw corrupt();
  if (model.version > MODEL_VERSION) {
    throw new MlopsError(l10n.t('The model artifact has format version {0}, newer than this version of MLOps Workbench reads ({1}).', model.version, MODEL_VERSION), l10n.t('Update the extension or the mlops CLI.'));
  }
  return withDefaults(model);
}

/** Parameters that JSON wrote as null (unlimited) come back through the family's defaults, members' too. */
function withDefaults(model: Model): Model {
  if (model.family === ENSEMBLE) {
    const body = model.body as EnsembleBody;
    if (!Array.isArray(body.members) || body.members.length === 0) throw corrupt();
    const members = body.members.map((m) => {
      if (!m || m.family === ENSEMBLE || !Array.isArray(m.features) || !m.body) throw corrupt();
      return withDefaults(m);
    });
    const params = ensembleParams({ members: members.map((m) => ({ family: m.family, params: m.params })), weights: (model.params as Partial<EnsembleParams>).weights });
    return { ...model, params: params as unknown as Record<string, unknown>, body: { members } };
  }
  const params = learnerOf(model.family).params(model.params as Record<string, unknown>, model.task.type === 'classification') as Record<string, unknown>;
  return { ...model, params };
}
