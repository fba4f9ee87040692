/**
 * The columnar input of a drift check. Any source can make one (a dataset version, a window of the prediction log):
 * numbers stay in one Float64Array per column, texts become codes into a list of categories; no object per row.
 */

/** Numbers; NaN (and ±Infinity, as Evidently drops them) is missing. */
export interface NumericDriftColumn {
  name: string;
  kind: 'numeric';
  values: Float64Array;
}

/** Category codes into `categories`; -1 is missing. Unused categories are allowed. */
export interface CategoricalDriftColumn {
  name: string;
  kind: 'categorical';
  codes: Int32Array;
  categories: readonly string[];
}

export type DriftColumn = NumericDriftColumn | CategoricalDriftColumn;

export interface DriftTable {
  rows: number;
  columns: readonly DriftColumn[];
}

export function numericColumn(name: string, values: Float64Array | readonly number[]): NumericDriftColumn {
  return { name, kind: 'numeric', values: values instanceof Float64Array ? values : Float64Array.from(values) };
}

/** Codes for texts; undefined and null are missing. */
export function categoricalColumn(name: string, values: readonly (string | undefined | null)[]): CategoricalDriftColumn {
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || v === null) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = categories.length;
      categories.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { name, kind: 'categorical', codes, categories };
}

/** A table from its columns, which must all have the same length; `rows` for a table read without any of its columns. */
export function driftTable(columns: readonly DriftColumn[], rows = columns.length ? columnLength(columns[0]) : 0): DriftTable {
  for (const c of columns) {
    if (columnLength(c) !== rows) throw new Error(`column ${c.name} has ${columnLength(c)} values where the table has ${rows} rows`);
  }
  return { rows, columns };
}

export function columnLength(column: DriftColumn): number {
  return column.kind === 'numeric' ? column.values.length : column.codes.length;
}

/** The texts of a column, numbers as JavaScript prints them: how a column that is numeric on one side only is compared. */
export function asCategorical(column: DriftColumn): CategoricalDriftColumn {
  if (column.kind === 'categorical') return column;
  return categoricalColumn(column.name, Array.from(column.values, (v) => (Number.isFinite(v) ? String(v) : undefined)));
}
