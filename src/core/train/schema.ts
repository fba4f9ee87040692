import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { Cell, CategoricalColumn, Column, Dataset, RowInput, TableRows, cellNumber, cellText, datasetFromRows, findColumn, isMissingCell } from './dataset';
import { datePartOfCell, type DatePartSource } from './dateParts';

/**
 * The preprocessing every model carries: which columns it reads, which are numbers and which are categories with
 * what vocabulary. Rows given at predict time are coded against this schema, so a category never seen in training
 * (or dropped by the category cap) reads as missing, and a column absent from the rows reads as all missing.
 */
export type FeatureSpec =
  | { readonly name: string; readonly kind: 'numeric'; readonly datePart?: DatePartSource; readonly seen?: SeenInTraining }
  | { readonly name: string; readonly kind: 'categorical'; readonly vocabulary: readonly string[]; readonly seen?: SeenInTraining };

/**
 * What a feature held in the training rows, for predictions to be checked against (inputWarnings): the range of a
 * number (absent when every value was missing) and whether any value was missing. Models trained before it was
 * recorded have none, and their ranges and missing values go unchecked.
 */
export interface SeenInTraining {
  readonly min?: number;
  readonly max?: number;
  readonly missing: boolean;
}

/** The columns a model's input must hold: its features, a date part's date column in place of the part. */
export function inputColumns(features: readonly FeatureSpec[]): string[] {
  return [...new Set(features.map((f) => (f.kind === 'numeric' && f.datePart ? f.datePart.column : f.name)))];
}

export interface Task {
  readonly type: 'classification' | 'regression';
  readonly target: string;
}

/**
 * Features as one Float64Array per column, categories as their code (NaN when missing): one shape for every learner.
 * Numeric columns are the dataset's own arrays, not copies, so caches keyed on them (binning) survive across fits.
 */
export interface FeatureMatrix {
  readonly n: number;
  readonly columns: readonly Float64Array[];
}

export interface TrainingTable extends FeatureMatrix {
  readonly features: readonly FeatureSpec[];
  /** Class index for classification, value for regression. */
  readonly y: Float64Array;
  /** Class labels (classification only), sorted so that the order does not depend on row order. */
  readonly classes?: readonly string[];
}

/** More classes than this is almost surely a numeric target that should be a regression. */
const MAX_CLASSES = 256;

const codesCache = new WeakMap<Int32Array, Float64Array>();

function codesAsNumbers(col: CategoricalColumn): Float64Array {
  let out = codesCache.get(col.codes);
  if (!out) {
    out = Float64Array.from(col.codes, (c) => (c < 0 ? NaN : c));
    codesCache.set(col.codes, out);
  }
  return out;
}

export function trainingTable(dataset: Dataset, task: Task): TrainingTable {
  const targetColumn = findColumn(dataset, task.target);
  if (!targetColumn) {
    throw new MlopsError(
      l10n.t('The target column "{0}" is not in the dataset.', task.target),
      l10n.t('Columns found: {0}.', dataset.columns.map((c) => c.name).join(', ')),
    );
  }
  const featureColumns = dataset.columns.filter((c) => c !== targetColumn);
  if (featureColumns.length === 0) throw new MlopsError(l10n.t('The dataset has no column besides the target.'), l10n.t('Add at least one feature column.'));
  if (dataset.nRows < 2) throw new MlopsError(l10n.t('Training needs at least 2 rows; the dataset has {0}.', dataset.nRows), l10n.t('Check that the file has a header line and data lines.'));
  const { y, classes } = task.type === 'classification' ? classTarget(targetColumn) : regressionTarget(targetColumn);
  return {
    n: dataset.nRows,
    // The datePart key only where there is one, so that models without date parts keep their bytes.
    features: featureColumns.map((c): FeatureSpec => (c.kind === 'numeric' ? (c.datePart ? { name: c.name, kind: 'numeric', datePart: c.datePart, seen: seenIn(c) } : { name: c.name, kind: 'numeric', seen: seenIn(c) }) : { name: c.name, kind: 'categorical', vocabulary: c.vocabulary, seen: seenIn(c) })),
    columns: featureColumns.map((c) => (c.kind === 'numeric' ? c.values : codesAsNumbers(c))),
    y,
    classes,
  };
}

function seenIn(col: Column): SeenInTraining {
  if (col.kind === 'categorical') return { missing: col.codes.includes(-1) };
  let min = Infinity;
  let max = -Infinity;
  let missing = false;
  for (const v of col.values) {
    if (Number.isNaN(v)) missing = true;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max, missing } : { missing };
}

function missingTargets(name: string, count: number): MlopsError {
  return new MlopsError(l10n.t('{0} rows have no value in the target column "{1}".', count, name), l10n.t('Remove these rows or fill in their target before training.'));
}

function constantTarget(name: string): MlopsError {
  return new MlopsError(l10n.t('The target column "{0}" has a single value: there is nothing to learn.', name), l10n.t('Check that you chose the right target column.'));
}

function classTarget(col: Column): { y: Float64Array; classes: string[] } {
  const n = col.kind === 'numeric' ? col.values.length : col.codes.length;
  const texts: string[] = new Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    if (col.kind === 'numeric') {
      const v = col.values[i];
      if (Number.isNaN(v)) missing++;
      else texts[i] = String(v);
    } else {
      const c = col.codes[i];
      if (c < 0) missing++;
      else texts[i] = col.vocabulary[c];
    }
  }
  if (missing > 0) throw missingTargets(col.name, missing);
  const distinct = [...new Set(texts)];
  // Numeric labels sort as numbers (2 before 10); text labels as text.
  if (col.kind === 'numeric') distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort();
  if (distinct.length < 2) throw constantTarget(col.name);
  if (distinct.length > MAX_CLASSES) {
    throw new MlopsError(
      l10n.t('The target column "{0}" has {1} distinct values, too many classes for classification.', col.name, distinct.length),
      l10n.t('If the target is a quantity, train a regression instead.'),
    );
  }
  const index = new Map(distinct.map((c, k) => [c, k]));
  return { y: Float64Array.from(texts, (t) => index.get(t)!), classes: distinct };
}

function regressionTarget(col: Column): { y: Float64Array; classes?: undefined } {
  if (col.kind !== 'numeric') {
    throw new MlopsError(l10n.t('The target column "{0}" is not numeric, so it cannot be a regression target.', col.name), l10n.t('Train a classification instead, or fix the non-numeric values.'));
  }
  let missing = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of col.values) {
    if (Number.isNaN(v)) missing++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (missing > 0) throw missingTargets(col.name, missing);
  if (!(max > min)) throw constantTarget(col.name);
  return { y: col.values };
}

/**
 * Codes rows against a model's features: a dataset, {column: value} objects, a header with rows, or bare rows
 * (arrays of cells in the order of the model's features).
 */
export function encodeInput(features: readonly FeatureSpec[], input: Dataset | RowInput | readonly (readonly Cell[])[]): FeatureMatrix {
  if ('columns' in input) return encodeDataset(features, input);
  const tabular = tabularInput(features, input);
  if (tabular) return encodeDataset(features, datasetFromRows(tabular, { categorical: textNames(features), maxCategories: Infinity }));
  return encodeObjects(features, input as readonly Record<string, Cell>[]);
}

/** A header with rows as it is, bare rows under the features' names; null for {column: value} objects. */
export function tabularInput(features: readonly FeatureSpec[], input: RowInput | readonly (readonly Cell[])[]): TableRows | null {
  if (!Array.isArray(input)) return input as TableRows;
  return Array.isArray(input[0]) ? { header: features.map((f) => f.name), rows: input as readonly (readonly Cell[])[] } : null;
}

/** The input columns read as text: categories, and the dates parts come from. */
function textNames(features: readonly FeatureSpec[]): string[] {
  return features.map((f) => (f.kind === 'categorical' ? f.name : f.datePart?.column)).filter((name): name is string => name !== undefined);
}

function encodeObjects(features: readonly FeatureSpec[], rows: readonly Record<string, Cell>[]): FeatureMatrix {
  const n = rows.length;
  const columns = features.map((spec) => {
    const out = new Float64Array(n);
    if (spec.kind === 'numeric' && spec.datePart) {
      const { column, part } = spec.datePart;
      for (let i = 0; i < n; i++) out[i] = datePartOfCell(rows[i][column], part);
    } else if (spec.kind === 'numeric') {
      for (let i = 0; i < n; i++) out[i] = cellNumber(rows[i][spec.name]);
    } else {
      const index = vocabularyIndex(spec.vocabulary);
      for (let i = 0; i < n; i++) {
        const cell = rows[i][spec.name];
        out[i] = isMissingCell(cell) ? NaN : (index.get(cellText(cell)) ?? NaN);
      }
    }
    return out;
  });
  return { n, columns };
}

const indexCache = new WeakMap<readonly string[], Map<string, number>>();

function vocabularyIndex(vocabulary: readonly string[]): Map<string, number> {
  let index = indexCache.get(vocabulary);
  if (!index) {
    index = new Map(vocabulary.map((v, k) => [v, k]));
    indexCache.set(vocabulary, index);
  }
  return index;
}

function encodeDataset(features: readonly FeatureSpec[], dataset: Dataset): FeatureMatrix {
  const n = dataset.nRows;
  const columns = features.map((spec) => {
    const col = findColumn(dataset, spec.name);
    if (!col && spec.kind === 'numeric' && spec.datePart) return datePartsOfColumn(findColumn(dataset, spec.datePart.column), spec.datePart, n);
    if (!col) return new Float64Array(n).fill(NaN);
    if (spec.kind === 'numeric') return col.kind === 'numeric' ? col.values : Float64Array.from(col.codes, (c) => (c < 0 ? NaN : cellNumber(col.vocabulary[c])));
    // Same vocabulary object (a fold of the training data): codes already agree.
    if (col.kind === 'categorical' && col.vocabulary === spec.vocabulary) return codesAsNumbers(col);
    const index = vocabularyIndex(spec.vocabulary);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const text = col.kind === 'numeric' ? (Number.isNaN(col.values[i]) ? undefined : String(col.values[i])) : col.codes[i] < 0 ? undefined : col.vocabulary[col.codes[i]];
      out[i] = text === undefined ? NaN : (index.get(text) ?? NaN);
    }
    return out;
  });
  return { n, columns };
}

/** A date part of rows whose date column came in as text: each distinct date is read once. */
function datePartsOfColumn(col: Column | undefined, source: DatePartSource, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  if (!col || col.kind !== 'categorical') return out;
  const byCode = col.vocabulary.map((text) => datePartOfCell(text, source.part));
  for (let i = 0; i < n; i++) if (col.codes[i] >= 0) out[i] = byCode[col.codes[i]];
  return out;
}
