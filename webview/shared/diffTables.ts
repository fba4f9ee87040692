// Two-sided tables of values and of how a dataset's profile changed, shared by the pages that compare two model
// versions (Compare Model Versions, the promotion review).
import type { TableDiff, VersionDiff } from '../../src/core/data/diff';
import { el } from './dom';

/** Words the tables show, translated by the extension. */
export interface DiffStrings {
  rows: string;
  addedColumns: string;
  removedColumns: string;
  typeChanged: string;
  column: string;
  statistic: string;
  differs: string;
  none: string;
}

/** One compared key with each side's value, as text; null where a side has none. */
export interface CompareRow {
  key: string;
  a: string | null;
  b: string | null;
}

export function rowsTable(rows: CompareRow[], strings: DiffStrings, header: [string, string, string], numeric: boolean): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'muted' }, strings.none);
  const cls = numeric ? 'number' : '';
  const table = el('table', { class: 'sides' }, el('thead', {}, el('tr', {}, el('th', {}, header[0]), el('th', { class: cls }, header[1]), el('th', { class: cls }, header[2]))));
  const body = el('tbody');
  for (const r of rows) {
    const differs = r.a !== r.b;
    const key = el('td', {}, r.key);
    if (differs) key.append(el('span', { class: 'mark', title: strings.differs, 'aria-label': strings.differs }, ' ●'));
    body.append(el('tr', differs ? { class: 'differs' } : {}, key, el('td', { class: cls }, r.a ?? '–'), el('td', { class: cls }, r.b ?? '–')));
  }
  table.append(body);
  return table;
}

// Numbers in the page's language (webviewHtml sets it), rounded as the host rounds them, with digit grouping.
const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumSignificantDigits: 6 });
export const shown = (v: unknown): string => (typeof v === 'number' ? numbers.format(v) : String(v ?? '–'));

export function tableDiff(diff: TableDiff, strings: DiffStrings, title?: string): HTMLElement {
  const box = el('div');
  if (title) box.append(el('h3', {}, title));
  box.append(el('p', {}, `${strings.rows}: ${shown(diff.rows.from)} → ${shown(diff.rows.to)}`));
  const list = (label: string, items: string[]) => {
    if (items.length) box.append(el('p', {}, `${label}: `, el('code', {}, items.join(', '))));
  };
  list(strings.addedColumns, diff.schema.added);
  list(strings.removedColumns, diff.schema.removed);
  list(strings.typeChanged, diff.schema.typeChanged.map((t) => `${t.column} (${t.from} → ${t.to})`));
  const rows: CompareRow[] = diff.columns.flatMap((c) => Object.entries(c.changes).map(([stat, change]) => ({
    key: `${c.column} · ${stat}`, a: shown(change?.from), b: shown(change?.to),
  })));
  if (rows.length) box.append(rowsTable(rows, strings, [`${strings.column} · ${strings.statistic}`, '', ''], true));
  return box;
}

/** How one version's training data became the other's, or why that is not shown. */
export function versionDiff(dataDiff: { diff: VersionDiff } | { note: string }, strings: DiffStrings & { identicalData: string }): HTMLElement[] {
  if ('note' in dataDiff) return [el('p', { class: 'muted' }, dataDiff.note)];
  const diff = dataDiff.diff;
  return [
    el('p', {}, `${diff.dataset}@${diff.from.version} → ${diff.dataset}@${diff.to.version}`),
    ...(diff.identical ? [el('p', {}, strings.identicalData)] : []),
    ...(diff.table ? [el('div', { class: 'table-box' }, tableDiff(diff.table, strings))] : []),
    ...Object.entries(diff.tables ?? {}).map(([file, t]) => el('div', { class: 'table-box' }, tableDiff(t, strings, file))),
  ];
}
