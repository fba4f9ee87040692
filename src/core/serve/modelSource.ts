import * as fs from 'node:fs';
import { MlopsError } from '../errors';
import { EntityFeatures } from '../features';
import { l10n } from '../l10n';
import { RequestError } from './requestInputs';
import { resolveRegisteredModel } from '../models';
import { aliasFile, modelDir, parseModelReference, resolveModelVersion, type ModelSignature, type ModelVersion } from '../registry';
import { resolveVersion, versionProfiles } from '../data';
import { loadModel, predict, type Cell } from '../train';
import type { Project } from '../workspace';

/*
 * The only place the server turns a model reference into something that predicts, through src/core/models like
 * every other face.
 */

/** The answers for a batch of rows: labels (classifiers) or numbers (regressors), and class probabilities row by row. */
export interface ServedPrediction {
  predictions: (string | number)[];
  /** Row-major, `classes.length` per row; only for classifiers. */
  probabilities?: Float64Array;
  classes?: readonly string[];
}

export interface ServedModel {
  name: string;
  version: number;
  family: string;
  signature: ModelSignature;
  /** Predicts `rows` rows given one array of cells per signature input, in signature order. */
  predictColumns(columns: readonly (readonly Cell[])[], rows: number): ServedPrediction;
}

export function loadServedModel(project: Project, reference: string): ServedModel {
  const { version: record, bytes, featureSet } = resolveRegisteredModel(project, reference);
  const model = loadModel(Buffer.from(bytes).toString('utf8'));
  // A model trained on a feature service is called with its entity keys (and request inputs); each row's features are
  // looked up in process, through the lookup `mlops predict` and the training set share.
  const features = featureSet ? new EntityFeatures(project, featureSet) : undefined;
  const signature: ModelSignature = features ? { inputs: entityInputTypes(project, record, features.inputs), output: record.signature.output } : record.signature;
  // Looked-up features fill the model's own features; plain rows come in signature order, one cell per input column
  // (a date input feeds several features: its parts).
  const featureNames = model.features.map((f) => f.name);
  const slots = featureSet ? featureNames.map((n) => featureSet.columns.indexOf(n)) : [];
  const names = record.signature.inputs.map((i) => i.name);
  const rowOf = features
    ? (columns: readonly (readonly Cell[])[], i: number, now: number) => {
      const cells: Record<string, string | number | boolean | null> = {};
      features.inputs.forEach((name, c) => (cells[name] = columns[c][i] ?? null));
      let values;
      try {
        values = features.lookup(cells, now).values;
      } catch (err) {
        // An empty key is the caller's mistake: a 400 naming the row, not a server failure.
        if (err instanceof MlopsError && err.code === 'MISSING_KEY') throw new RequestError(l10n.t('Row {0}: {1}', i, err.message));
        throw err;
      }
      const row: Record<string, Cell> = {};
      for (let c = 0; c < featureNames.length; c++) row[featureNames[c]] = values[slots[c]];
      return row;
    }
    : (columns: readonly (readonly Cell[])[], i: number) => {
      const row: Record<string, Cell> = {};
      for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
      return row;
    };
  return {
    name: record.model,
    version: record.version,
    family: record.artifact.family,
    signature,
    predictColumns(columns, rows) {
      const objects: Record<string, Cell>[] = new Array(rows);
      const now = Date.now();
      for (let i = 0; i < rows; i++) objects[i] = rowOf(columns, i, now);
      const out = predict(model, objects);
      if (out.kind === 'regression') return { predictions: Array.from(out.values) };
      return { predictions: out.labels, probabilities: out.probabilities, classes: out.classes };
    },
  };
}

/** The version a reference names right now (an alias is read from its file each time). */
export function currentVersion(project: Project, reference: string): number {
  return resolveModelVersion(project.paths, reference).version;
}

/**
 * Files whose change can move what a reference names: an alias file (`mlops alias set`, a git pull), or the model's
 * folder for `@latest` (a new version). A fixed version never moves.
 */
export function filesThatMove(project: Project, reference: string): string[] {
  const ref = parseModelReference(reference);
  if ('version' in ref) return [];
  if (ref.alias === 'latest') return [modelDir(project.paths, ref.model)];
  return [aliasFile(project.paths, ref.model, ref.alias)];
}

/** A fingerprint of a file's state that changes when it is rewritten or replaced by a rename; '' when absent. */
export function fileStamp(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

/**
 * What a caller gives a model trained on a feature service, typed as its training set's columns hold them: a request
 * input of numbers is numeric (FP64 in Open Inference metadata), keys and text are categories.
 */
function entityInputTypes(project: Project, record: ModelVersion, inputs: readonly string[]): ModelSignature['inputs'] {
  const data = record.lineage.dataset;
  const profile = data ? versionProfiles(project, resolveVersion(project, `${data.name}@${data.version}`).version)?.values().next().value : undefined;
  const numeric = new Set(profile?.columns.filter((c) => c.type === 'integer' || c.type === 'float').map((c) => c.name));
  const keys = new Set(record.lineage.featureSet?.keys);
  return inputs.map((name) => ({ name, type: numeric.has(name) && !keys.has(name) ? 'numeric' : 'categorical' }));
}
