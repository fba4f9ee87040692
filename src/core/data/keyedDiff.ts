import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { cellText, COMMA, readDelimitedFile, TAB } from './delimitedReader';
import { readJsonLines } from './jsonLines';
import { forEachParquetRow, parquetCellText } from './parquet';
import type { TabularFormat } from './profile';

const EXAMPLES = 5;

export interface KeyedRowDiff {
  key: string;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** A few keys of each kind, to look at. */
  examples: { added: string[]; removed: string[]; changed: string[] };
  /** Keys that appear on more than one row of a version; rows are compared by their last occurrence. */
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

/** Rows keyed by `key`: a fingerprint of the columns both versions have, so an added column does not mark every row. */
async function keyedRows(file: string, format: TabularFormat, key: string, shared: Set<string>): Promise<{ rows: Map<string, string>; duplicates: number }> {
  const rows = new Map<string, string>();
  let duplicates = 0;
  let keyAt = -1;
  let sharedAt: number[] = [];
  let seenColumns = -1;
  await forEachRow(file, format, (columns, cells) => {
    if (columns.length !== seenColumns) {
      seenColumns = columns.length;
      keyAt = columns.indexOf(key);
      sharedAt = columns.map((c, i) => (shared.has(c) ? i : -1)).filter((i) => i >= 0).sort((x, y) => (columns[x] < columns[y] ? -1 : 1));
    }
    if (keyAt === -1) return;
    const k = cells[keyAt] ?? '';
    if (rows.has(k)) duplicates++;
    rows.set(k, JSON.stringify(sharedAt.map((i) => cells[i] ?? null)));
  });
  return { rows, duplicates };
}

/** Compares two tables row by row through a key column. */
export interface KeyedSide {
  file: string;
  format: TabularFormat;
  columns: string[];
}

export async function diffByKey(a: KeyedSide, b: KeyedSide, key: string): Promise<KeyedRowDiff> {
  for (const side of [a, b]) {
    if (!side.columns.includes(key)) {
      throw new MlopsError(l10n.t('The key column "{0}" is not in both versions.', key), l10n.t('Pick a column that identifies a row in both versions: {0}.', a.columns.filter((c) => b.columns.includes(c)).join(', ')), 'BAD_KEY');
    }
  }
  const shared = new Set(a.columns.filter((c) => b.columns.includes(c)));
  const before = await keyedRows(a.file, a.format, key, shared);
  const after = await keyedRows(b.file, b.format, key, shared);
  const result: KeyedRowDiff = { key, added: 0, removed: 0, changed: 0, unchanged: 0, examples: { added: [], removed: [], changed: [] }, duplicateKeys: before.duplicates + after.duplicates };
  const note = (kind: 'added' | 'removed' | 'changed', k: string) => {
    result[kind]++;
    if (result.examples[kind].length < EXAMPLES) result.examples[kind].push(k);
  };
  for (const [k, row] of after.rows) {
    const old = before.rows.get(k);
    if (old === undefined) note('added', k);
    else if (old !== row) note('changed', k);
    else result.unchanged++;
  }
  for (const k of before.rows.keys()) if (!after.rows.has(k)) note('removed', k);
  return result;
}

