// The Compare Model Versions page: two versions of a model side by side (metrics, params, training configuration,
// inputs) and how their training data differs. The host sends everything in one message; the page only renders.
import '../shared/base.css';
import './style.css';
import { connect } from '../shared/vscodeApi';
import type { CompareData, CompareRow, CompareStrings, ModelCompareProtocol } from './protocol';
import type { TableDiff } from '../../src/core/data/diff';
import { el } from '../shared/dom';

const app = document.getElementById('app')!;

function rowsTable(rows: CompareRow[], strings: CompareStrings, header: [string, string, string], numeric: boolean): HTMLElement {
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
const shown = (v: unknown): string => (typeof v === 'number' ? numbers.format(v) : String(v ?? '–'));

function tableDiff(diff: TableDiff, strings: CompareStrings, title?: string): HTMLElement {
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

function render(data: CompareData, strings: CompareStrings): void {
  const [a, b] = data.sides;
  const label = (s: typeof a) => `${strings.version} ${s.version}`;
  const header: [string, string, string] = ['', label(a), label(b)];
  const sideRows: CompareRow[] = [
    { key: strings.registered, a: a.created.slice(0, 19).replace('T', ' '), b: b.created.slice(0, 19).replace('T', ' ') },
    { key: strings.family, a: a.family, b: b.family },
    { key: strings.run, a: a.run, b: b.run },
    { key: strings.commit, a: a.commit?.slice(0, 12) ?? null, b: b.commit?.slice(0, 12) ?? null },
    { key: strings.data, a: a.data, b: b.data },
  ];
  const badges = (s: typeof a) => [...s.aliases.map((x) => el('span', { class: 'badge' }, `@${x}`)), ...(s.archived ? [el('span', { class: 'badge' }, strings.archived)] : [])];
  app.replaceChildren(
    el('h1', {}, `${data.model}: ${label(a)} ↔ ${label(b)}`),
    el('p', {}, label(a), ...badges(a), ' · ', label(b), ...badges(b)),
    rowsTable(sideRows, strings, header, false),
    el('h2', {}, strings.metrics), rowsTable(data.metrics, strings, header, true),
    el('h2', {}, strings.params), rowsTable(data.params, strings, header, true),
    el('h2', {}, strings.trainingConfig), rowsTable(data.config, strings, header, true),
    el('h2', {}, strings.inputs), rowsTable(data.inputs, strings, header, false),
    el('h2', {}, strings.dataDiff),
  );
  if ('note' in data.dataDiff) app.append(el('p', { class: 'muted' }, data.dataDiff.note));
  else {
    const diff = data.dataDiff.diff;
    app.append(el('p', {}, `${diff.dataset}@${diff.from.version} → ${diff.dataset}@${diff.to.version}`));
    if (diff.identical) app.append(el('p', {}, strings.identicalData));
    if (diff.table) app.append(tableDiff(diff.table, strings));
    for (const [file, t] of Object.entries(diff.tables ?? {})) app.append(tableDiff(t, strings, file));
  }
  app.setAttribute('aria-busy', 'false');
}

connect<ModelCompareProtocol>((message) => {
  if (message.type === 'show') render(message.data, message.strings);
});
