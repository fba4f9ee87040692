import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { cellText, COMMA, readDelimitedFile, TAB } from './delimitedReader';
import { readJsonLines } from './jsonLines';
import { forEachParquetRow, parquetCellText } from './parquet';
import type { TabularFormat } from './profile';

const EXAMPLES = 5;

export interface KeyedRowDiff {
  /** The key's columns joined by commas, as typed after --key. */
  key: string;
  /** The key's columns: a row is identified by their values together. */
  keyColumns: string[];
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** A few keys of each kind, to look at. */
  examples: { added: string[]; removed: string[]; changed: string[] };
  /** Always 0: a key that repeats is refused, since rows it cannot tell apart cannot be compared. */
  duplicateKeys: number;
}

/** Reads every row of a table as the text of each named column (JSON values as JSON text), for keyed comparison. */
async function forEachRow(file: string, format: TabularFormat, onRow: (columns: string[], cells: (string | undefined)[]) => void): Promise<void> {
  if (format === 'parquet') {
    await forEachParquetRow(file, (columns, values) => onRow(columns, values.map(parquetCellText)));
    return;
  }
  if (format === 'jsonl') {
    const columns: string[] = [];
    const index = new Map<string, number>();
    let cells: (string | undefined)[] = [];
    readJsonLines(file, (key, value) => {
      let at = index.get(key);
      if (at === undefined) {
        at = columns.push(key) - 1;
        index.set(key, at);
      }
      cells[at] = value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
    }, () => {
      onRow(columns, cells);
      cells = [];
    });
    return;
  }
  let header: string[] | undefined;
  let cells: string[] = [];
  readDelimitedFile(file, format === 'tsv' ? TAB : COMMA, {
    cell: (buffer, start, end, escaped) => void cells.push(cellText(buffer, start, end, escaped)),
    endRecord: () => {
      if (!header) header = cells;
      else if (!(cells.length === 1 && cells[0] === '')) onRow(header, cells);
      cells = [];
    },
  });
}

/** How a key shows in examples and errors: its one value, or its values joined (`Seattle, 2012-01-01`). */
const keyText = (k: string, columns: number) => (columns === 1 ? k : (JSON.parse(k) as (string | null)[]).map((v) => v ?? '').join(', '));

/**
 * Rows keyed by the `key` columns: a fingerprint of the columns both versions have, so an added column does not
 * mark every row. A key that repeats is refused: rows it cannot tell apart would be compared wrongly.
 */
async function keyedRows(side: KeyedSide, key: readonly string[], shared: Set<string>): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  let duplicates = 0;
  let firstDuplicate = '';
  let keyAt: number[] = [];
  let sharedAt: number[] = [];
  let seenColumns = -1;
  await forEachRow(side.file, side.format, (columns, cells) => {
    if (columns.length !== seenColumns) {
      seenColumns = columns.length;
      keyAt = key.map((c) => columns.indexOf(c));
      sharedAt = columns.map((c, i) => (shared.has(c) ? i : -1)).filter((i) => i >= 0).sort((x, y) => (columns[x] < columns[y] ? -1 : 1));
    }
    if (keyAt.includes(-1)) return;
    const k = keyAt.length === 1 ? cells[keyAt[0]] ?? '' : JSON.stringify(keyAt.map((i) => cells[i] ?? null));
    if (rows.has(k) && duplicates++ === 0) firstDuplicate = k;
    rows.set(k, JSON.stringify(sharedAt.map((i) => cells[i] ?? null)));
  });
  if (duplicates > 0) {
    throw new MlopsError(
      l10n.t('The key {0} is not unique in {1}: {2} rows repeat a key already seen, the first {3}.', key.join(','), side.label, duplicates, keyText(firstDuplicate, key.length)),
      l10n.t('Add the columns that tell those rows apart, e.g. --key {0},<column>.', key.join(',')),
      'BAD_KEY',
    );
  }
  return rows;
}

/** Compares two tables row by row through a key column. */
export interface KeyedSide {
  file: string;
  format: TabularFormat;
  columns: string[];
  /** The version as the user names it (`weather@2`), for errors. */
  label: string;
}

export async function diffByKey(a: KeyedSide, b: KeyedSide, key: readonly string[]): Promise<KeyedRowDiff> {
  for (const side of [a, b]) {
    const missing = key.find((c) => !side.columns.includes(c));
    if (missing !== undefined) {
      throw new MlopsError(l10n.t('The key column "{0}" is not in both versions.', missing), l10n.t('Pick a column that identifies a row in both versions: {0}.', a.columns.filter((c) => b.columns.includes(c)).join(', ')), 'BAD_KEY');
    }
  }
  const shared = new Set(a.columns.filter((c) => b.columns.includes(c)));
  const before = await keyedRows(a, key, shared);
  const after = await keyedRows(b, key, shared);
  const result: KeyedRowDiff = { key: key.join(','), keyColumns: [...key], added: 0, removed: 0, changed: 0, unchanged: 0, examples: { added: [], removed: [], changed: [] }, duplicateKeys: 0 };
  const note = (kind: 'added' | 'removed' | 'changed', k: string) => {
    result[kind]++;
    if (result.examples[kind].length < EXAMPLES) result.examples[kind].push(keyText(k, key.length));
  };
  for (const [k, row] of after) {
    const old = before.get(k);
    if (old === undefined) note('added', k);
    else if (old !== row) note('changed', k);
    else result.unchanged++;
  }
  for (const k of before.keys()) if (!after.has(k)) note('removed', k);
  return result;
}

