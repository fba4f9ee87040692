import * as fs from 'node:fs';
import { resolveRegisteredModel } from '../models';
import { aliasFile, modelDir, parseModelReference, resolveModelVersion, type ModelSignature } from '../registry';
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
  const { version: record, bytes } = resolveRegisteredModel(project, reference);
  const model = loadModel(Buffer.from(bytes).toString('utf8'));
  // the columns come in signature order, one per input column: a date input feeds several features (its parts)
  const names = record.signature.inputs.map((i) => i.name);
  return {
    name: record.model,
    version: record.version,
    family: record.artifact.family,
    signature: record.signature,
    predictColumns(columns, rows) {
      const objects: Record<string, Cell>[] = new Array(rows);
      for (let i = 0; i < rows; i++) {
        const row: Record<string, Cell> = {};
        for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
        objects[i] = row;
      }
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
