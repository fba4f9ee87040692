import { COMMA, TAB, cellText, readDelimitedFile, readFirstRecord, type CellSink } from '../data';
import { parquetColumnNames, readParquetColumns, type WholeColumn } from '../data';
import { tabularFormatOf } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { DatedColumn, TrainingFormat, TrainingWindow } from '../tracking';
import type { Column, Dataset } from '../train';
import { DEFAULT_MAX_CATEGORIES, categorize, cellNumber, datePartFeatureName, datePartValues, datePartsOfTexts, isMissingCell } from '../train';

/** What a training file became: the table, and the text columns left out because they name rows rather than describe them. */
export interface LoadedTable {
  dataset: Dataset;
  /** Columns in file order. */
  header: string[];
  dropped: string[];
  /** Date columns, each become numeric columns of its parts (`date.year`...). */
  dated: DatedColumn[];
  /** With `times`: that column's time per row, as milliseconds (or its numbers), NaN where a cell is not a time. */
  times?: Float64Array;
}



export interface TableOptions {
  /** Never capped and never dropped: the target. */
  keep?: string;
  /** Leave these columns out (a refit repeats what the search left out). */
  exclude?: readonly string[];
  /** With `exclude` given, the drop rule is not applied again: the record decides. */
  applyDropRule?: boolean;
  /** With the drop rule off, exactly these date columns become parts (a refit repeats the search's columns). */
  dated?: readonly DatedColumn[];
  /** Only the rows whose `column` is at or after `since` (a retrain's --since); the column is read even if excluded. */
  window?: TrainingWindow;
  /**
   * A column that orders the rows in time and that the model may not read (the entity rows' time of a set built from
   * a feature service): read even if excluded, and given back as `times`.
   */
  times?: string;
}

export const DELIMITER: Readonly<Record<'csv' | 'tsv', number>> = { csv: COMMA, tsv: TAB };

/** The format of a training file from its name; training reads CSV, TSV and Parquet. */
export function trainingFormat(file: string): TrainingFormat {
  const format = tabularFormatOf(file);
  if (format === 'csv' || format === 'tsv' || format === 'parquet') return format;
  throw new MlopsError(l10n.t('{0} is not a CSV, TSV or Parquet file; training reads those formats.', file), l10n.t('Export the data as CSV (with a header line) or Parquet and snapshot it.'), 'NOT_TABULAR');
}

/** The column names of a training file: its header line, or a Parquet file's schema. */
export function trainingHeader(file: string, format: TrainingFormat): string[] | undefined {
  if (format === 'parquet') return parquetColumnNames(file);
  return readFirstRecord(file, DELIMITER[format])?.cells.map((c) => c.trim());
}

/** A training file as typed columns, whatever its format. */
export async function readTrainingFile(file: string, format: TrainingFormat, options: TableOptions = {}): Promise<LoadedTable> {
  const exclude = new Set(options.exclude ?? []);
  const window = options.window;
  const read = await readFileColumns(file, format, (name) => !exclude.has(name) || name === window?.column || name === options.times);
  const { names, rows, columns } = window ? windowRows(read, window, file) : read;
  const table = assembleTable(names, rows, columns.map((c, k) => (exclude.has(names[k]) ? undefined : c)), options);
  if (options.times === undefined) return table;
  const time = columns[names.indexOf(options.times)];
  if (time) table.times = time.kind === 'numeric' ? time.values : Float64Array.from(time.values, (text) => (text === undefined ? NaN : Date.parse(text)));
  return table;
}

/**
 * The rows at or after the window's start, before any category or date part is derived, so that a model trained on
 * a window knows nothing of the rows before it (not even their category names).
 */
function windowRows(read: FileColumns, window: TrainingWindow, file: string): FileColumns {
  const at = read.names.indexOf(window.column);
  const column = read.columns[at];
  if (at < 0 || !column) {
    throw new MlopsError(l10n.t('{0} has no column {1} to take the window from.', file, window.column), l10n.t('Declare the dataset\'s timestamp column in mlops.yaml (datasets.<name>.timestamp).'), 'NO_WINDOW');
  }
  const kept: number[] = [];
  for (let i = 0; i < read.rows; i++) {
    const value = column.kind === 'numeric' ? (Number.isNaN(column.values[i]) ? undefined : String(column.values[i])) : column.values[i];
    if (value !== undefined && compareTimestamps(value, window.since) >= 0) kept.push(i);
  }
  const columns = read.columns.map((c): WholeColumn | undefined => {
    if (!c) return undefined;
    return c.kind === 'numeric' ? { kind: 'numeric', values: Float64Array.from(kept, (i) => c.values[i]) } : { kind: 'text', values: kept.map((i) => c.values[i]) };
  });
  return { names: read.names, rows: kept.length, columns };
}

/** Orders timestamps as numbers when both are, as dates when both parse, else as text (ISO dates sort as text). */
export function compareTimestamps(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  const dx = Date.parse(a);
  const dy = Date.parse(b);
  if (Number.isFinite(dx) && Number.isFinite(dy)) return dx - dy;
  return a < b ? -1 : a > b ? 1 : 0;
}


/** The columns of a CSV, TSV or Parquet file that `keep` names, as numbers or text (undefined for the others). */
export interface FileColumns {
  names: string[];
  rows: number;
  columns: (WholeColumn | undefined)[];
}

/** What training and drift both read a table file into: typed columns, no object per row. */
export async function readFileColumns(file: string, format: TrainingFormat, keep: (name: string) => boolean): Promise<FileColumns> {
  if (format === 'parquet') return readParquetColumns(file, new Set(parquetColumnNames(file).filter((name) => !keep(name))));
  return readDelimitedColumns(file, DELIMITER[format], keep);
}

/**
 * A text column with this many distinct values or more, and more than half its rows distinct, is an identifier or
 * free text: as a category it would be mostly "missing" after the cap and only teach the model row identities.
 */
const ID_LIKE_MIN_DISTINCT = 50;

/**
 * Reads a CSV/TSV into typed columns: one streaming pass reads every column as numbers, straight from the bytes; a
 * second pass, only when some column turned out to hold text, collects those columns' texts. A million rows by
 * twenty numeric columns cost the 160 MB of their Float64 columns and no string per cell.
 */
function readDelimitedColumns(file: string, delimiter: number, keep: (name: string) => boolean): FileColumns {
  const { header, numeric, values, rows } = readNumbers(file, delimiter, keep);
  const kept = header.map(keep);
  const texts = header.map((_, j) => (kept[j] && !numeric[j] ? new Array<string | undefined>(rows) : undefined));
  if (texts.some((t) => t)) {
    let row = -1;
    let j = 0;
    readDelimitedFile(file, delimiter, {
      cell(buffer, start, end, escaped) {
        const column = texts[j++];
        if (row < 0 || !column) return;
        const text = cellText(buffer, start, end, escaped);
        column[row] = isMissingCell(text) ? undefined : text;
      },
      endRecord() {
        row++;
        j = 0;
      },
    });
  }
  const whole = header.map((_, k): WholeColumn | undefined => {
    if (!kept[k]) return undefined;
    return numeric[k] ? { kind: 'numeric', values: values[k].length === rows ? values[k] : values[k].slice(0, rows) } : { kind: 'text', values: texts[k]! };
  });
  return { names: header, rows, columns: whole };
}

/**
 * The dataset of a file's columns (undefined: excluded): numbers as they are; text columns as categories, capped,
 * except identifier-like ones, which are dropped (and named) unless they are the target.
 */
function assembleTable(header: string[], rows: number, whole: readonly (WholeColumn | undefined)[], options: TableOptions): LoadedTable {
  const columns: Column[] = [];
  const dropped: string[] = [];
  const dated: DatedColumn[] = [];
  const detect = options.applyDropRule !== false;
  for (const [k, name] of header.entries()) {
    const column = whole[k];
    if (!column) continue;
    if (column.kind === 'numeric') {
      columns.push({ kind: 'numeric', name, values: column.values });
      continue;
    }
    const cells = column.values;
    // Before the identifier rule: four years of days are as many distinct values as an id, and worth far more.
    const parts = name === options.keep ? undefined : detect ? datePartsOfTexts(cells) : options.dated?.find((d) => d.column === name)?.parts;
    if (parts) {
      dated.push({ column: name, parts });
      for (const part of parts) {
        const source = { column: name, part };
        columns.push({ kind: 'numeric', name: datePartFeatureName(source), values: datePartValues(cells, part), datePart: source });
      }
      continue;
    }
    if (name !== options.keep && detect && idLike(cells)) {
      dropped.push(name);
      continue;
    }
    columns.push(categorize(name, rows, (i) => cells[i], name === options.keep ? Infinity : DEFAULT_MAX_CATEGORIES));
  }
  return { dataset: { nRows: rows, columns }, header, dropped, dated };
}

function idLike(cells: readonly (string | undefined)[]): boolean {
  const distinct = new Set<string>();
  let present = 0;
  for (const c of cells) {
    if (c === undefined) continue;
    present++;
    distinct.add(c);
  }
  return distinct.size >= ID_LIKE_MIN_DISTINCT && distinct.size > present / 2;
}

/** Exact powers of ten: with a mantissa below 2^53, one multiplication or division by them is correctly rounded. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);
const ZERO = 0x30;

/**
 * The number in a cell, NaN when missing or not a number: what cellNumber() gives for its text. Plain decimals (at
 * most 15 significant digits, exponent within 22: nearly every CSV number) are read from the bytes without making a
 * string, exactly (Clinger's fast path gives the same double as Number()); anything else goes through the text.
 */
function numberAt(buffer: Buffer, start: number, end: number, escaped: boolean): number {
  let i = start;
  let sign = 1;
  if (i < end && (buffer[i] === 0x2d || buffer[i] === 0x2b)) sign = buffer[i++] === 0x2d ? -1 : 1;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    const c = buffer[i];
    if (c >= ZERO && c <= ZERO + 9) {
      if (mantissa !== 0 || c !== ZERO) digits++;
      mantissa = mantissa * 10 + (c - ZERO);
      if (seenPoint) scale--;
    } else if (c === 0x2e && !seenPoint) seenPoint = true;
    else break;
  }
  const plain = i === end && digits <= 15 && i > start + (sign === -1 || buffer[start] === 0x2b ? 1 : 0) + (seenPoint ? 1 : 0) && !escaped;
  if (!plain || -scale >= EXACT_POWERS.length) return cellNumber(cellText(buffer, start, end, escaped));
  return sign * (scale === 0 ? mantissa : mantissa / EXACT_POWERS[-scale]);
}

/**
 * The header, the data rows' count, and for each kept column whether it holds only numbers (or missing values)
 * with those numbers (arrays may be longer than the row count: they grow by doubling).
 */
function readNumbers(file: string, delimiter: number, keep: (name: string) => boolean): { header: string[]; numeric: boolean[]; values: Float64Array[]; rows: number } {
  const header: string[] = [];
  let numeric: boolean[] = [];
  let values: Float64Array[] = [];
  let rows = 0;
  let record = 0;
  let j = 0;
  const sink: CellSink = {
    cell(buffer, start, end, escaped) {
      if (record === 0) header.push(cellText(buffer, start, end, escaped).trim());
      else if (numeric[j]) {
        const v = numberAt(buffer, start, end, escaped);
        if (Number.isNaN(v) && !isMissingCell(cellText(buffer, start, end, escaped))) numeric[j] = false;
        else values[j][rows] = v;
      }
      j++;
    },
    endRecord() {
      if (record === 0) {
        checkHeader(file, header);
        numeric = header.map(keep);
        values = header.map((_, k) => new Float64Array(numeric[k] ? 1024 : 0));
      } else {
        if (j !== header.length) {
          throw new MlopsError(
            l10n.t('Line {0} of {1} has {2} fields where the header has {3}.', record + 1, file, j, header.length),
            l10n.t('Quote fields that contain commas, and check for missing or extra separators.'),
            'MALFORMED_CSV',
          );
        }
        rows++;
        for (const [k, column] of values.entries()) {
          if (!numeric[k] || column.length > rows) continue;
          const bigger = new Float64Array(column.length * 2);
          bigger.set(column);
          values[k] = bigger;
        }
      }
      record++;
      j = 0;
    },
  };
  readDelimitedFile(file, delimiter, sink);
  if (header.length === 0) throw new MlopsError(l10n.t('{0} is empty.', file), l10n.t('The first line must name the columns.'), 'EMPTY_DATA');
  return { header, numeric, values, rows };
}

function checkHeader(file: string, header: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new MlopsError(l10n.t('The column "{0}" appears twice in the header of {1}.', name, file), l10n.t('Rename one of the columns.'));
    seen.add(name);
  }
}
