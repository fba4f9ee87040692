import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import '../shared/base.css';
import './datasetCompare.css';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect } from '../shared/vscodeApi';
import { sharedHistogram } from './histograms';
import type { ColumnProfile, TableDiff } from '../../src/core/data';
import type { ColumnView, DatasetPanelProtocol, DatasetView, HostMessage, Strings, TableView } from './protocol';
import { el, type Child } from '../shared/dom';

// Only the pieces used here, so the bundle stays small and nothing registers itself behind our back.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const app = document.getElementById('app')!;
let shown: HostMessage | undefined;
let charts: Chart[] = [];

// Canvas colours are fixed when drawn: draw again in the new theme's colours.
onThemeChange(() => {
  if (shown) render(shown);
});
connect<DatasetPanelProtocol>((message) => {
  if (message.type !== 'show') return;
  shown = message;
  render(message);
});

function format(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(values[Number(i)]));
}

function render(message: HostMessage): void {
  for (const chart of charts) chart.destroy();
  charts = [];
  const { view, strings: s, locale } = message;
  const number = (n: number) => n.toLocaleString(locale, { maximumSignificantDigits: 6 });
  const comparing = view.versions.length === 2;
  const sections: Child[] = [el('h1', {}, message.title), versionsTable(view, s, number)];
  if (view.identical) sections.push(el('p', { role: 'status' }, s.identical));
  if (view.files) sections.push(filesSection(view.files, s));
  if (view.tables.length === 0) sections.push(el('p', { class: 'muted' }, s.notTabular));
  for (const table of view.tables) {
    const heading = table.path ? el('h2', {}, format(s.table, table.path)) : null;
    sections.push(el('section', { class: 'table' },
      heading,
      comparing ? rowCount(table, s, number) : null,
      comparing && table.diff ? schemaChanges(table.diff, s) : null,
      statisticsTable(table, view, s, locale, number),
      distributions(table, view, s, locale, number)));
  }
  app.replaceChildren(...sections.filter((c): c is Node | string => Boolean(c)));
  app.setAttribute('aria-busy', 'false');
}

function versionsTable(view: DatasetView, s: Strings, number: (n: number) => string): HTMLElement {
  const head = el('tr', {}, ...[s.version, s.created, s.message, s.rows, s.digest, s.commit].map((h) => el('th', { scope: 'col' }, h)));
  const rows = view.versions.map((v) => el('tr', {},
    el('th', { scope: 'row' }, `v${v.id}`),
    el('td', {}, v.created),
    el('td', {}, v.message ?? ''),
    el('td', { class: 'number' }, v.rows !== undefined ? number(v.rows) : ''),
    el('td', {}, el('code', {}, v.digest)),
    el('td', {}, v.commit ? el('code', {}, v.commit) : '')));
  return el('table', { class: 'versions' }, el('caption', {}, `${s.versions}: ${view.dataset} (${view.path})`), el('thead', {}, head), el('tbody', {}, ...rows));
}

function filesSection(files: NonNullable<DatasetView['files']>, s: Strings): HTMLElement {
  const group = (label: string, paths: string[]) => paths.length ? el('div', {}, el('h3', {}, `${label} (${paths.length})`), el('ul', {}, ...paths.map((p) => el('li', {}, el('code', {}, p))))) : null;
  return el('section', { class: 'files' }, el('h2', {}, s.files), group(s.added, files.added), group(s.removed, files.removed), group(s.modified, files.modified));
}

function rowCount(table: TableView, s: Strings, number: (n: number) => string): HTMLElement {
  const [from, to] = table.rows;
  const text = (n: number | null) => (n === null ? s.absent : number(n));
  const delta = from !== null && to !== null && from !== to ? ` (${to > from ? '+' : '−'}${number(Math.abs(to - from))})` : '';
  return el('p', { class: 'row-count' }, el('strong', {}, `${s.rowCount}: `), `${text(from)} → ${text(to)}${delta}`);
}

function schemaChanges(diff: TableDiff, s: Strings): HTMLElement {
  const rows = [
    ...diff.schema.added.map((c) => [c, s.columnAdded, '']),
    ...diff.schema.removed.map((c) => [c, s.columnRemoved, '']),
    ...diff.schema.typeChanged.map((c) => [c.column, s.typeChanged, `${c.from} → ${c.to}`]),
  ];
  if (rows.length === 0) return el('section', { class: 'schema' }, el('h2', {}, s.schema), el('p', { class: 'muted' }, s.noSchemaChange));
  return el('section', { class: 'schema' }, el('table', {},
    el('caption', {}, s.schema),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, s.column), el('th', { scope: 'col' }, s.change), el('th', { scope: 'col' }, s.type))),
    el('tbody', {}, ...rows.map(([column, change, detail]) => el('tr', { class: 'differs' }, el('th', { scope: 'row' }, column), el('td', {}, change), el('td', {}, detail))))));
}

/**
 * Datetimes come as ISO 8601 in UTC: written for people in the display language, and a date without a time of day
 * as just the date.
 */
function dayOrInstant(text: string, locale: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(text);
  if (!iso) return text;
  const midnight = iso[1] === '00:00:00' && !/[1-9]/.test(iso[2] ?? '');
  return new Date(text).toLocaleString(locale, { dateStyle: 'medium', ...(midnight ? {} : { timeStyle: 'short' }), timeZone: 'UTC' });
}

type StatReader = (c: ColumnProfile) => unknown;
const STATS: [keyof Strings, StatReader][] = [
  ['type', (c) => c.type], ['values', (c) => c.count], ['nulls', (c) => c.nulls], ['distinct', (c) => c.distinct],
  ['min', (c) => c.min], ['max', (c) => c.max], ['mean', (c) => c.mean], ['std', (c) => c.std], ['median', (c) => c.quantiles?.p50],
];

function statisticsTable(table: TableView, view: DatasetView, s: Strings, locale: string, number: (n: number) => string): HTMLElement {
  const text = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'number' ? number(value) : dayOrInstant(String(value), locale));
  const head = el('tr', {}, el('th', { scope: 'col' }, s.column), ...STATS.map(([key]) => el('th', { scope: 'col', class: key === 'type' ? '' : 'number' }, s[key])));
  const body = table.columns.map((column) => {
    // A column only one version has is shown with its own statistics, marked as added or removed as a whole.
    const [a, b] = column.profiles;
    const only = column.profiles.length === 2 && (!a || !b) ? (a ?? b) : undefined;
    if (only) {
      const mark = a ? s.columnRemoved : s.columnAdded;
      return el('tr', { class: 'differs' }, el('th', { scope: 'row' }, `${column.name} (${mark})`),
        ...STATS.map(([key, read]) => el('td', { class: key === 'type' ? '' : 'number' }, text(read(only)))));
    }
    return el('tr', {}, el('th', { scope: 'row' }, column.name), ...STATS.map(([key, read]) => {
      const values = column.profiles.map((p) => text(read(p!)));
      const differs = values.length === 2 && values[0] !== values[1];
      return el('td', { class: [key === 'type' ? '' : 'number', differs ? 'differs' : ''].join(' ').trim() }, differs ? `${values[0]} → ${values[1]}` : values[0]);
    }));
  });
  const caption = view.versions.length === 2 ? `${s.statistics} (v${view.versions[0].id} → v${view.versions[1].id})` : s.statistics;
  return el('table', { class: 'statistics' }, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...body));
}

function distributions(table: TableView, view: DatasetView, s: Strings, locale: string, number: (n: number) => string): HTMLElement {
  const figures = table.columns.map((column) => histogramFigure(column, view, s, locale, number));
  return el('section', { class: 'distributions' }, el('h2', {}, s.distributions), el('div', { class: 'histograms' }, ...figures));
}

function histogramFigure(column: ColumnView, view: DatasetView, s: Strings, locale: string, number: (n: number) => string): HTMLElement {
  const isDate = column.profiles.some((p) => p?.type === 'datetime');
  const label = (value: number) => (isDate ? new Date(value).toLocaleDateString(locale) : number(value));
  const histogram = sharedHistogram(column.profiles, label, s.otherValues);
  const caption = el('figcaption', {}, column.name);
  if (!histogram) return el('figure', { class: 'histogram' }, caption, el('p', { class: 'muted' }, s.noHistogram));
  const canvas = el('canvas', { role: 'img', 'aria-label': format(s.histogramOf, column.name) }) as HTMLCanvasElement;
  const palette = seriesPalette();
  const foreground = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.35)');
  const datasets = histogram.series.flatMap((data, i) => data.length ? [{
    label: `v${view.versions[i].id}`,
    data,
    backgroundColor: palette[i],
    borderWidth: 0,
    categoryPercentage: 0.9,
    barPercentage: 0.95,
  }] : []);
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: { labels: histogram.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: view.versions.length > 1, labels: { color: foreground } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${number(item.parsed.y ?? 0)}` } },
      },
      scales: {
        x: { ticks: { color: foreground, maxRotation: 60, autoSkip: true }, grid: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: s.count, color: foreground }, ticks: { color: foreground }, grid: { color: grid } },
      },
    },
  }));
  return el('figure', { class: 'histogram' }, caption, el('div', { class: 'chart' }, canvas), histogram.rebinned ? el('p', { class: 'muted note' }, s.sharedAxis) : null);
}
