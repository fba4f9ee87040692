import { Cell, Dataset, RowInput, cellText, findColumn, isMissingCell } from './dataset';
import type { Model } from './model';
import { FeatureSpec, encodeInput, inputColumns, tabularInput } from './schema';

/**
 * Per input column, how many rows hold what the training data never had. A model predicts such rows anyway (an
 * unseen category reads as missing, a number past the range falls in the outermost leaf), so the numbers say how
 * far to trust its answer. Rows are counted once per kind, whatever the number of date parts out of range.
 */
export interface InputWarning {
  /** The input column: a date column for its parts (year, month...). */
  readonly column: string;
  /** Values of a categorical column that are not in the model's vocabulary. */
  readonly unseenCategories: number;
  readonly belowRange: number;
  readonly aboveRange: number;
  /** Missing (or unreadable) values where the training rows had none. */
  readonly missing: number;
  /** Up to EXAMPLES distinct offending values, as the input wrote them. */
  readonly examples: readonly string[];
}

const EXAMPLES = 3;

/** False for models trained before ranges were recorded: their numbers and missing values go unchecked. */
export function rangesChecked(model: Pick<Model, 'features'>): boolean {
  return model.features.every((f) => f.seen !== undefined);
}

/** The input's rows against what the model saw in training; only the columns with something to say. */
export function inputWarnings(model: Pick<Model, 'features'>, rows: Dataset | RowInput | readonly (readonly Cell[])[]): InputWarning[] {
  const X = encodeInput(model.features, rows);
  const cellsOf = rawCells(model.features, rows);
  const out: InputWarning[] = [];
  for (const column of inputColumns(model.features)) {
    const readers = model.features.flatMap((spec, f) => (spec.name === column || (spec.kind === 'numeric' && spec.datePart?.column === column) ? [{ spec, values: X.columns[f] }] : []));
    const cellAt = cellsOf(column);
    const counts = { unseenCategories: 0, belowRange: 0, aboveRange: 0, missing: 0 };
    const examples = new Set<string>();
    const example = (i: number) => {
      const cell = cellAt?.(i);
      if (examples.size < EXAMPLES && !isMissingCell(cell)) examples.add(cellText(cell));
    };
    const missingUnseen = readers.some(({ spec }) => spec.seen && !spec.seen.missing);
    for (let i = 0; i < X.n; i++) {
      let unseen = false;
      let below = false;
      let above = false;
      let allMissing = true;
      for (const { spec, values } of readers) {
        const v = values[i];
        if (Number.isNaN(v)) {
          if (spec.kind === 'categorical' && !isMissingCell(cellAt?.(i))) unseen = true;
          continue;
        }
        allMissing = false;
        if (spec.kind !== 'numeric' || spec.seen?.min === undefined || spec.seen.max === undefined) continue;
        if (v < spec.seen.min) below = true;
        if (v > spec.seen.max) above = true;
      }
      const missing = allMissing && !unseen && missingUnseen;
      if (unseen) counts.unseenCategories++;
      if (below) counts.belowRange++;
      if (above) counts.aboveRange++;
      if (missing) counts.missing++;
      if (unseen || below || above) example(i);
    }
    if (counts.unseenCategories || counts.belowRange || counts.aboveRange || counts.missing) out.push({ column, ...counts, examples: [...examples] });
  }
  return out;
}

/** Sums the warnings of successive chunks of one input, column by column, in order of first appearance. */
export function mergeInputWarnings(into: readonly InputWarning[], more: readonly InputWarning[]): InputWarning[] {
  const merged = new Map(into.map((w) => [w.column, w]));
  for (const w of more) {
    const before = merged.get(w.column);
    merged.set(w.column, !before ? w : {
      column: w.column,
      unseenCategories: before.unseenCategories + w.unseenCategories,
      belowRange: before.belowRange + w.belowRange,
      aboveRange: before.aboveRange + w.aboveRange,
      missing: before.missing + w.missing,
      examples: [...new Set([...before.examples, ...w.examples])].slice(0, EXAMPLES),
    });
  }
  return [...merged.values()];
}

/** The raw cell of row i of an input column, whatever shape the rows came in; undefined when the column is absent. */
function rawCells(features: readonly FeatureSpec[], input: Dataset | RowInput | readonly (readonly Cell[])[]): (column: string) => ((i: number) => Cell) | undefined {
  if ('columns' in input) {
    return (name) => {
      const col = findColumn(input, name);
      if (!col) return undefined;
      return col.kind === 'numeric' ? (i) => col.values[i] : (i) => (col.codes[i] < 0 ? undefined : col.vocabulary[col.codes[i]]);
    };
  }
  const tabular = tabularInput(features, input);
  if (tabular) {
    return (name) => {
      const j = tabular.header.indexOf(name);
      return j < 0 ? undefined : (i) => tabular.rows[i][j];
    };
  }
  const objects = input as readonly Record<string, Cell>[];
  return (name) => (i) => objects[i][name];
}
