import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { DatePartSource } from './dateParts';

/**
 * The in-memory table every learner trains on: one typed array per column, so a million rows by twenty columns is
 * 160 MB of Float64 instead of millions of JS objects. Numbers are Float64 with NaN for missing; everything else
 * is a category, stored as Int32 codes into a vocabulary with -1 for missing.
 */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
  /** Set on a part of a date column: the model computes it from that column of its input. */
  readonly datePart?: DatePartSource;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly codes: Int32Array;
  /** Most frequent first (ties by text), so capping keeps the categories that carry the most rows. */
  readonly vocabulary: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Dataset {
  readonly nRows: number;
  readonly columns: readonly Column[];
}

export type Cell = string | number | boolean | null | undefined;
/** Rows as a header and arrays of cells in header order. */
export interface TableRows {
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}
export type RowInput = readonly Record<string, Cell>[] | TableRows;

export interface LoadOptions {
  /** Columns to treat as categories even if every value looks like a number (codes, zip codes...). */
  readonly categorical?: readonly string[];
  /** Columns whose categories are never capped: the classification target. */
  readonly uncapped?: readonly string[];
  /** At most this many categories per column (default 255, what fits in a histogram's bins); the rarer ones become missing. */
  readonly maxCategories?: number;
}

export const DEFAULT_MAX_CATEGORIES = 255;

/** Spellings of "no value" that CSV exports commonly use. */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);

export function isMissingCell(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  if (typeof cell === 'boolean') return false;
  return MISSING_TOKENS.has(cell.trim().toLowerCase());
}

/** The number in a cell, NaN when missing or not a number. */
export function cellNumber(cell: Cell): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean' || isMissingCell(cell)) return NaN;
  const n = Number((cell as string).trim());
  return Number.isFinite(n) ? n : NaN;
}

/** The category text of a cell; numbers print as JavaScript prints them. */
export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell.trim() : String(cell);
}

export function datasetFromRows(input: RowInput, options: LoadOptions = {}): Dataset {
  const { header, rows } = tabular(input);
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new MlopsError(l10n.t('The column "{0}" appears twice in the header.', name), l10n.t('Rename one of the columns.'));
    seen.add(name);
  }
  const columns = header.map((name, j) => buildColumn(name, rows, j, options));
  return { nRows: rows.length, columns };
}

function tabular(input: RowInput): TableRows {
  if (!Array.isArray(input)) return input as TableRows;
  const objects = input as readonly Record<string, Cell>[];
  const header: string[] = [];
  const index = new Set<string>();
  for (const row of objects) {
    for (const key of Object.keys(row)) {
      if (!index.has(key)) {
        index.add(key);
        header.push(key);
      }
    }
  }
  return { header, rows: objects.map((row) => header.map((name) => row[name])) };
}

function buildColumn(name: string, rows: readonly (readonly Cell[])[], j: number, options: LoadOptions): Column {
  const n = rows.length;
  if (!options.categorical?.includes(name)) {
    const values = new Float64Array(n);
    let numeric = true;
    for (let i = 0; i < n && numeric; i++) {
      const cell = rows[i][j];
      values[i] = cellNumber(cell);
      if (Number.isNaN(values[i]) && !isMissingCell(cell)) numeric = false;
    }
    if (numeric) return { kind: 'numeric', name, values };
  }
  const cap = options.uncapped?.includes(name) ? Infinity : (options.maxCategories ?? DEFAULT_MAX_CATEGORIES);
  return categorize(name, n, (i) => rows[i][j], cap);
}

/** Codes a column by frequency, keeping the `cap` most frequent categories; the rest read as missing. */
export function categorize(name: string, n: number, cellAt: (i: number) => Cell, cap: number): CategoricalColumn {
  const counts = new Map<string, number>();
  const texts: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const cell = cellAt(i);
    if (isMissingCell(cell)) continue;
    const text = cellText(cell);
    texts[i] = text;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const vocabulary = [...counts.keys()].sort((x, y) => counts.get(y)! - counts.get(x)! || (x < y ? -1 : x > y ? 1 : 0)).slice(0, cap);
  const index = new Map(vocabulary.map((v, k) => [v, k]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = texts[i] === undefined ? -1 : (index.get(texts[i]!) ?? -1);
  return { kind: 'categorical', name, codes, vocabulary };
}

/**
 * A small RFC 4180 reader: quoted fields, doubled quotes, CRLF, a header line. Enough for training files until the
 * streaming reader of core/data is available.
 */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      // Plain runs are copied in one slice: character-by-character concatenation is the slow part of a naive reader.
      let end = i + 1;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === 44 || c === 10 || c === 13 || c === 34) break;
        end++;
      }
      field += text.slice(i, end);
      i = end;
    }
  }
  if (quoted) throw new MlopsError(l10n.t('The CSV text ends inside a quoted field.'), l10n.t('Check for an unbalanced double quote.'));
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  if (records.length === 0) throw new MlopsError(l10n.t('The CSV text is empty.'), l10n.t('The first line must name the columns.'));
  const header = records[0].map((h) => h.trim());
  const rows = records.slice(1);
  for (const [r, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new MlopsError(
        l10n.t('Line {0} of the CSV has {1} fields where the header has {2}.', r + 2, row.length, header.length),
        l10n.t('Quote fields that contain commas, and check for missing or extra separators.'),
      );
    }
  }
  return { header, rows };
}

export function datasetFromCsv(text: string, options: LoadOptions = {}): Dataset {
  return datasetFromRows(parseCsv(text), options);
}

/** The given rows of every column; vocabularies are shared, so codes stay comparable across folds. */
export function subsetRows(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const m = indices.length;
  const columns = dataset.columns.map((col): Column => {
    if (col.kind === 'numeric') {
      const values = new Float64Array(m);
      for (let i = 0; i < m; i++) values[i] = col.values[indices[i]];
      return col.datePart ? { kind: 'numeric', name: col.name, values, datePart: col.datePart } : { kind: 'numeric', name: col.name, values };
    }
    const codes = new Int32Array(m);
    for (let i = 0; i < m; i++) codes[i] = col.codes[indices[i]];
    return { kind: 'categorical', name: col.name, codes, vocabulary: col.vocabulary };
  });
  return { nRows: m, columns };
}

export function findColumn(dataset: Dataset, name: string): Column | undefined {
  return dataset.columns.find((c) => c.name === name);
}
