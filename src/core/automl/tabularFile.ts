import { COMMA, TAB, cellText, readDelimitedFile, type CellSink } from '../data/delimitedReader';
import { tabularFormatOf } from '../data/profile';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Column, Dataset } from '../train';
import { DEFAULT_MAX_CATEGORIES, categorize, cellNumber, isMissingCell } from '../train/dataset';

/** What a training file became: the table, and the text columns left out because they name rows rather than describe them. */
export interface LoadedTable {
  dataset: Dataset;
  /** Columns in file order. */
  header: string[];
  dropped: string[];
}

export interface TableOptions {
  /** Never capped and never dropped: the target. */
  keep?: string;
  /** Leave these columns out (a refit repeats what the search left out). */
  exclude?: readonly string[];
  /** With `exclude` given, the drop rule is not applied again: the record decides. */
  applyDropRule?: boolean;
}

export type TrainingFormat = 'csv' | 'tsv';
export const DELIMITER: Readonly<Record<TrainingFormat, number>> = { csv: COMMA, tsv: TAB };

/** The format of a training file from its name; training reads CSV and TSV only. */
export function trainingFormat(file: string): TrainingFormat {
  const format = tabularFormatOf(file);
  if (format === 'csv' || format === 'tsv') return format;
  throw new MlopsError(l10n.t('{0} is not a CSV or TSV file; training reads those two formats.', file), l10n.t('Export the data as CSV (with a header line) and snapshot it.'), 'NOT_TABULAR');
}

/**
 * A text column with this many distinct values or more, and more than half its rows distinct, is an identifier or
 * free text: as a category it would be mostly "missing" after the cap and only teach the model row identities.
 */
const ID_LIKE_MIN_DISTINCT = 50;

/**
 * Reads a CSV/TSV into typed columns in two streaming passes (types first, then values), so a million rows by twenty
 * columns costs the 160 MB of its Float64 columns and never a string per numeric cell kept alive.
 */
export function readTrainingTable(file: string, delimiter: number, options: TableOptions = {}): LoadedTable {
  const { header, numeric, rows } = scanTypes(file, delimiter);
  const exclude = new Set(options.exclude ?? []);
  const keepIndex = header.map((name) => !exclude.has(name));
  const values = header.map((_, j) => (keepIndex[j] && numeric[j] ? new Float64Array(rows) : undefined));
  const texts = header.map((_, j) => (keepIndex[j] && !numeric[j] ? new Array<string | undefined>(rows) : undefined));
  let row = -1;
  let j = 0;
  const sink: CellSink = {
    cell(buffer, start, end, escaped) {
      if (row >= 0 && keepIndex[j]) {
        const text = cellText(buffer, start, end, escaped);
        if (numeric[j]) values[j]![row] = cellNumber(text);
        else texts[j]![row] = isMissingCell(text) ? undefined : text;
      }
      j++;
    },
    endRecord() {
      row++;
      j = 0;
    },
  };
  readDelimitedFile(file, delimiter, sink);
  const columns: Column[] = [];
  const dropped: string[] = [];
  for (const [k, name] of header.entries()) {
    if (!keepIndex[k]) continue;
    if (numeric[k]) {
      columns.push({ kind: 'numeric', name, values: values[k]! });
      continue;
    }
    const cells = texts[k]!;
    if (name !== options.keep && options.applyDropRule !== false && idLike(cells)) {
      dropped.push(name);
      continue;
    }
    columns.push(categorize(name, rows, (i) => cells[i], name === options.keep ? Infinity : DEFAULT_MAX_CATEGORIES));
  }
  return { dataset: { nRows: rows, columns }, header, dropped };
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

/** The header, whether each column holds only numbers (or missing values), and the number of data rows. */
function scanTypes(file: string, delimiter: number): { header: string[]; numeric: boolean[]; rows: number } {
  const header: string[] = [];
  let numeric: boolean[] = [];
  let record = 0;
  let j = 0;
  const sink: CellSink = {
    cell(buffer, start, end, escaped) {
      if (record === 0) header.push(cellText(buffer, start, end, escaped).trim());
      else if (j < numeric.length && numeric[j]) {
        const text = cellText(buffer, start, end, escaped);
        if (Number.isNaN(cellNumber(text)) && !isMissingCell(text)) numeric[j] = false;
      }
      j++;
    },
    endRecord() {
      if (record === 0) numeric = header.map(() => true);
      else if (j !== header.length) {
        throw new MlopsError(
          l10n.t('Line {0} of {1} has {2} fields where the header has {3}.', record + 1, file, j, header.length),
          l10n.t('Quote fields that contain commas, and check for missing or extra separators.'),
          'MALFORMED_CSV',
        );
      }
      record++;
      j = 0;
    },
  };
  readDelimitedFile(file, delimiter, sink);
  if (header.length === 0) throw new MlopsError(l10n.t('{0} is empty.', file), l10n.t('The first line must name the columns.'), 'EMPTY_DATA');
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new MlopsError(l10n.t('The column "{0}" appears twice in the header.', name), l10n.t('Rename one of the columns.'));
    seen.add(name);
  }
  return { header, numeric, rows: record - 1 };
}
