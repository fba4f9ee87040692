import { COMMA, TAB, cellText, daysInMonth, daysSince1970, readDelimitedFile, readFirstRecord, readParquetColumns, parquetCellText, tabularFormatOf } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Value, ValueType } from './typing';

/**
 * A column held as one typed array: numbers, booleans (0 and 1) and datetimes (ms) in a Float64Array with NaN for
 * a missing value, text in an array of strings with null. No object per row: a million-row table is a few arrays.
 */
export interface StoredColumn {
  type: ValueType;
  numbers?: Float64Array;
  texts?: (string | null)[];
}

export function makeColumn(type: ValueType, rows: number): StoredColumn {
  return type === 'string' ? { type, texts: new Array<string | null>(rows).fill(null) } : { type, numbers: new Float64Array(rows).fill(NaN) };
}

export function valueAt(column: StoredColumn, row: number): Value {
  if (column.texts) return column.texts[row];
  const v = column.numbers![row];
  if (Number.isNaN(v)) return null;
  return column.type === 'boolean' ? v === 1 : v;
}

export function setValue(column: StoredColumn, row: number, value: Value): void {
  if (column.texts) column.texts[row] = value === null ? null : String(value);
  else column.numbers![row] = value === null ? NaN : value === true ? 1 : value === false ? 0 : (value as number);
}

/** How a cell is read: as text (keys, passed-through columns), or parsed to the type a column holds. */
export type CellReading = 'text' | 'number' | 'boolean' | 'datetime';

export interface ReadTable {
  header: string[];
  rows: number;
  columns: Map<string, StoredColumn>;
}

const DAY = 86_400_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** The digits of text[from..from+count) as a number, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * ISO 8601 date or date-time as milliseconds since 1970, UTC when no zone is given (as the profile reads them, so a
 * table means the same on every machine); undefined when the text is not one. The common shapes (YYYY-MM-DD and
 * YYYY-MM-DDTHH:MM:SS) are read digit by digit: a million event times are parsed on every build.
 */
export function parseTimestamp(text: string): number | undefined {
  const n = text.length;
  if (n >= 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    const separator = n === 19 ? text.charCodeAt(10) : 0;
    if ((n === 10 || ((separator === 84 || separator === 32) && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58)) && year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      const date = daysSince1970(year, month, day) * DAY;
      if (n === 10) return date;
      const hour = digitsAt(text, 11, 2);
      const minute = digitsAt(text, 14, 2);
      const second = digitsAt(text, 17, 2);
      if (hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59) return date + ((hour * 60 + minute) * 60 + second) * 1000;
      return undefined;
    }
  }
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let offset = 0;
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return daysSince1970(year, month, day) * DAY + ((hour * 60 + minute - offset) * 60 + second) * 1000 + millis;
}

export function formatTimestamp(ms: number): string {
  return ms % DAY === 0 ? new Date(ms).toISOString().slice(0, 10) : new Date(ms).toISOString();
}

/** "", NA, NaN and null are missing, as the profile and pandas read them. */
export function isMissing(text: string): boolean {
  return text === '' || text === 'NA' || text === 'NaN' || text === 'null';
}

function badCell(file: string, row: number, column: string, text: string, wanted: CellReading): MlopsError {
  return new MlopsError(
    wanted === 'datetime'
      ? l10n.t('{0}, row {1} (line {2}): "{3}" in column {4} is not an ISO 8601 date or date-time.', file, row + 1, row + 2, text, column)
      : l10n.t('{0}, row {1} (line {2}): "{3}" in column {4} is not a {5}.', file, row + 1, row + 2, text, column, wanted),
    l10n.t('Fix or remove that row; nothing was written.'),
    'BAD_CELL',
  );
}

/** Parses one cell; a timestamp that is not one is an error, other unreadable cells are errors too: they would be silent nulls. */
export function cellParser(file: string, column: string, reading: CellReading): (text: string, row: number) => number {
  if (reading === 'datetime') {
    return (text, row) => {
      if (isMissing(text)) return NaN;
      const t = parseTimestamp(text);
      if (t === undefined) throw badCell(file, row, column, text, reading);
      return t;
    };
  }
  if (reading === 'boolean') {
    return (text, row) => {
      if (isMissing(text)) return NaN;
      const lower = text.trim().toLowerCase();
      if (lower === 'true') return 1;
      if (lower === 'false') return 0;
      throw badCell(file, row, column, text, reading);
    };
  }
  return (text, row) => {
    if (isMissing(text)) return NaN;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw badCell(file, row, column, text, reading);
    return v;
  };
}

function notTabular(file: string, why: string): MlopsError {
  return new MlopsError(l10n.t('{0} is not a table: {1}.', file, why), l10n.t('Give a CSV, TSV or Parquet file with a header line naming the columns.'), 'NOT_TABULAR');
}

/**
 * Reads the columns named in `wanted` (and only those) from a CSV, TSV or Parquet file, in one pass. `shown` is the
 * name used in error messages (the file a person knows, not its cache object).
 */
export async function readTable(file: string, shown: string, only: ReadonlyMap<string, CellReading> | 'all as text', signal?: AbortSignal): Promise<ReadTable> {
  const format = tabularFormatOf(shown);
  if (format === 'parquet') return readParquetTable(file, shown, only);
  if (format !== 'csv' && format !== 'tsv') throw notTabular(shown, l10n.t('only CSV, TSV and Parquet files are read'));
  const delimiter = format === 'csv' ? COMMA : TAB;
  const first = readFirstRecord(file, delimiter);
  if (!first || first.cells.length === 0) throw notTabular(shown, l10n.t('it has no header line'));
  const header = first.cells.map((c) => c.trim());
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw notTabular(shown, l10n.t('the header names the column "{0}" twice', duplicate));
  const wanted = only === 'all as text' ? new Map(header.map((h) => [h, 'text' as const])) : only;
  for (const name of wanted.keys()) {
    if (!header.includes(name)) {
      throw new MlopsError(l10n.t('{0} has no column "{1}"; its columns are: {2}.', shown, name, header.join(', ')), l10n.t('Add the column, or name another one.'), 'MISSING_COLUMN');
    }
  }
  const readers = header.map((name) => {
    const reading = wanted.get(name);
    return reading === undefined ? undefined : { name, reading, parse: reading === 'text' ? undefined : cellParser(shown, name, reading), numbers: [] as number[], texts: [] as (string | null)[] };
  });
  let row = -1;
  let j = 0;
  let checked = 0;
  readDelimitedFile(file, delimiter, {
    cell(buffer, start, end, escaped) {
      const reader = readers[j++];
      if (row < 0 || !reader) return;
      const text = cellText(buffer, start, end, escaped);
      if (reader.parse) reader.numbers.push(reader.parse(text, row));
      else reader.texts.push(isMissing(text) ? null : text);
    },
    endRecord() {
      if (row >= 0 && j !== header.length) {
        throw notTabular(shown, l10n.t('row {0} (line {1}) has {2} cells where the header has {3}', row + 1, row + 2, j, header.length));
      }
      row++;
      j = 0;
      if (signal && ++checked === 65536) {
        checked = 0;
        if (signal.aborted) throw new MlopsError(l10n.t('Cancelled.'), undefined, 'CANCELLED');
      }
    },
  });
  const columns = new Map<string, StoredColumn>();
  for (const reader of readers) {
    if (!reader) continue;
    if (reader.reading === 'text') columns.set(reader.name, { type: 'string', texts: reader.texts });
    else columns.set(reader.name, { type: reader.reading, numbers: Float64Array.from(reader.numbers) });
  }
  return { header, rows: Math.max(row, 0), columns };
}

/** Text rows already in memory as the table readTable gives for 'all as text': the same missing values, no file. */
export function tableOfRows(header: readonly string[], rows: readonly (readonly string[])[]): ReadTable {
  const columns = new Map<string, StoredColumn>();
  header.forEach((name, j) => columns.set(name, { type: 'string', texts: rows.map((row) => (isMissing(row[j]) ? null : row[j])) }));
  return { header: [...header], rows: rows.length, columns };
}

async function readParquetTable(file: string, shown: string, only: ReadonlyMap<string, CellReading> | 'all as text'): Promise<ReadTable> {
  const { names, rows, columns: whole } = await readParquetColumns(file, new Set());
  const wanted = only === 'all as text' ? new Map(names.map((h) => [h, 'text' as const])) : only;
  const columns = new Map<string, StoredColumn>();
  for (const [name, reading] of wanted) {
    const at = names.indexOf(name);
    const column = at === -1 ? undefined : whole[at];
    if (!column) throw new MlopsError(l10n.t('{0} has no column "{1}"; its columns are: {2}.', shown, name, names.join(', ')), l10n.t('Add the column, or name another one.'), 'MISSING_COLUMN');
    if (reading === 'text') {
      columns.set(name, { type: 'string', texts: column.kind === 'text' ? column.values.map((v) => v ?? null) : Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v))) });
    } else if (column.kind === 'numeric' && reading !== 'datetime') {
      columns.set(name, { type: reading, numbers: column.values });
    } else {
      const parse = cellParser(shown, name, reading);
      const texts = column.kind === 'text' ? column.values : Array.from(column.values, (v) => (Number.isNaN(v) ? undefined : parquetCellText(v)));
      columns.set(name, { type: reading, numbers: Float64Array.from(texts, (t, r) => (t === undefined ? NaN : parse(t, r))) });
    }
  }
  return { header: names, rows, columns };
}
