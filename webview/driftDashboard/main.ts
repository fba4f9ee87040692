// The drift dashboard: per column, each recorded check's score against its threshold over time; the share of
// drifted columns; measured and estimated performance; and for the chosen check, reference and current histograms
// of every column and of the predictions, side by side. The host sends the recorded checks; the page draws them and
// asks for another check's histograms when one is chosen.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartDataset,
} from 'chart.js';
import '../shared/base.css';
import './style.css';
import { el } from '../shared/dom';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect } from '../shared/vscodeApi';
import type { CheckDetail, DashboardData, DashboardStrings, DriftDashboardProtocol, TimelinePoint } from './protocol';
import type { CheckHistogram } from '../../src/core/monitor';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

const app = document.getElementById('app')!;
const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumSignificantDigits: 4 });
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : numbers.format(v));
const when = (iso: string) => iso.slice(5, 19).replace('T', ' ');

let last: { data: DashboardData; strings: DashboardStrings } | undefined;
const timelineCharts: Chart[] = [];
const detailCharts: Chart[] = [];

const channel = connect<DriftDashboardProtocol>((message) => {
  if (message.type === 'show') {
    last = { data: message.data, strings: message.strings };
    render(message.data, message.strings);
  } else if (last) {
    last.data.detail = message.detail;
    renderDetail(message.detail, last.data, last.strings);
  }
});
onThemeChange(() => last && render(last.data, last.strings));

function colors() {
  const palette = seriesPalette();
  return {
    palette,
    fg: themeColor('--vscode-foreground', '#cccccc'),
    grid: themeColor('--vscode-panel-border', 'rgba(128,128,128,0.35)'),
    error: themeColor('--vscode-charts-red', '#f14c4c'),
    muted: themeColor('--vscode-descriptionForeground', '#999999'),
  };
}

function chartBox(caption: string, charts: Chart[], config: ChartConfiguration, tall = false): HTMLElement {
  const canvas = el('canvas', { role: 'img', 'aria-label': caption });
  const figure = el('figure', { class: 'chart' }, el('figcaption', {}, caption), el('div', { class: tall ? 'chart-box tall' : 'chart-box' }, canvas));
  const c = colors();
  config.options = {
    responsive: true, maintainAspectRatio: false, animation: false,
    ...config.options,
    plugins: { legend: { labels: { color: c.fg, boxWidth: 12 } }, ...config.options?.plugins },
    scales: {
      x: { ticks: { color: c.fg, maxRotation: 0, autoSkip: true, maxTicksLimit: 6 }, grid: { color: c.grid } },
      y: { ticks: { color: c.fg }, grid: { color: c.grid }, beginAtZero: true },
      ...config.options?.scales,
    },
  };
  charts.push(new Chart(canvas, config));
  return figure;
}

/** A line of a constant (a threshold), dashed, over every label. */
function constantLine(label: string, value: number | null, count: number, color: string): ChartDataset<'line', (number | null)[]> {
  return { label, data: Array.from({ length: count }, () => value), borderColor: color, borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 };
}

function scoreChart(column: string, timeline: TimelinePoint[], strings: DashboardStrings): HTMLElement {
  const c = colors();
  const scores = timeline.map((p) => p.scores[column]);
  const test = scores.find((s) => s)?.test ?? '';
  const threshold = [...scores].reverse().find((s) => s)?.threshold ?? null;
  return chartBox(`${column} · ${test}`, timelineCharts, {
    type: 'line',
    data: {
      labels: timeline.map((p) => when(p.at)),
      datasets: [
        {
          label: strings.score, data: scores.map((s) => s?.statistic ?? null), borderColor: c.palette[0], backgroundColor: c.palette[0], spanGaps: true,
          pointBackgroundColor: scores.map((s) => (s?.drift ? c.error : c.palette[0])), pointRadius: scores.map((s) => (s?.drift ? 4 : 2)),
        },
        constantLine(strings.threshold, threshold, timeline.length, c.muted),
      ],
    },
  });
}

function shareChart(data: DashboardData, strings: DashboardStrings): HTMLElement {
  const c = colors();
  const t = data.timeline;
  return chartBox(strings.driftShare, timelineCharts, {
    type: 'line',
    data: {
      labels: t.map((p) => when(p.at)),
      datasets: [
        { label: strings.driftShare, data: t.map((p) => p.driftShare), borderColor: c.palette[1], backgroundColor: c.palette[1], spanGaps: true },
        constantLine(strings.threshold, data.driftShareThreshold, t.length, c.muted),
      ],
    },
    options: { scales: { y: { min: 0, max: 1, ticks: { color: c.fg }, grid: { color: c.grid } } } },
  }, true);
}

function performanceChart(data: DashboardData, strings: DashboardStrings): HTMLElement {
  const t = data.timeline;
  if (!t.some((p) => p.decay && (p.decay.measured !== null || p.decay.estimated !== null))) return el('p', { class: 'muted' }, strings.noPerformance);
  const c = colors();
  const metric = [...t].reverse().find((p) => p.decay)?.decay?.metric ?? '';
  return chartBox(`${strings.performance}: ${metric}`, timelineCharts, {
    type: 'line',
    data: {
      labels: t.map((p) => when(p.at)),
      datasets: [
        { label: strings.measured, data: t.map((p) => p.decay?.measured ?? null), borderColor: c.palette[2], backgroundColor: c.palette[2], spanGaps: true },
        { label: strings.estimated, data: t.map((p) => p.decay?.estimated ?? null), borderColor: c.palette[3], backgroundColor: c.palette[3], borderDash: [3, 3], spanGaps: true },
        { label: strings.validation, data: t.map((p) => p.decay?.validation ?? null), borderColor: c.muted, borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5, spanGaps: true },
      ],
    },
    options: { scales: { y: { beginAtZero: false, ticks: { color: c.fg }, grid: { color: c.grid } } } },
  }, true);
}

const shares = (counts: number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((n) => (total ? n / total : 0));
};

function binLabels(h: CheckHistogram): string[] {
  if (h.categories) return h.categories;
  const edges = h.edges ?? [];
  return edges.slice(0, -1).map((e, i) => `${fmt(e)}–${fmt(edges[i + 1])}`);
}

function histogramChart(h: CheckHistogram, strings: DashboardStrings, caption: string): HTMLElement {
  const c = colors();
  return chartBox(caption, detailCharts, {
    type: 'bar',
    data: {
      labels: binLabels(h),
      datasets: [
        { label: `${strings.reference} (${fmt(h.reference.reduce((a, b) => a + b, 0))})`, data: shares(h.reference), backgroundColor: c.palette[0] },
        { label: `${strings.current} (${fmt(h.current.reduce((a, b) => a + b, 0))})`, data: shares(h.current), backgroundColor: c.palette[1] },
      ],
    },
    options: {
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${fmt(Number(item.parsed.y) * 100)} %` } } },
      scales: { y: { title: { display: true, text: strings.share, color: c.fg }, ticks: { color: c.fg }, grid: { color: c.grid }, beginAtZero: true } },
    },
  });
}

const detailArea = el('section', { class: 'detail', 'aria-live': 'polite' });

function renderDetail(d: CheckDetail, data: DashboardData, strings: DashboardStrings): void {
  for (const c of detailCharts.splice(0)) c.destroy();
  const select = el('select', { id: 'check', 'aria-label': strings.check });
  for (const p of [...data.timeline].reverse()) {
    const option = el('option', { value: p.id }, `${when(p.at)} · ${strings.version} ${p.version} · ${strings.health[p.health]}`);
    if (p.id === d.id) option.setAttribute('selected', '');
    select.append(option);
  }
  select.addEventListener('change', () => channel.post({ type: 'choose', id: select.value }));
  const window = `${strings.window}: ${d.window.from ? when(d.window.from) : '–'} → ${d.window.to ? when(d.window.to) : '–'}, ${fmt(d.window.rows)} ${strings.rows}`;
  const reference = d.reference ? ` · ${strings.reference}: ${d.reference.dataset}@${d.reference.version}, ${fmt(d.reference.rows)} ${strings.rows}` : '';
  const table = el('table', { class: 'columns' }, el('thead', {}, el('tr', {},
    el('th', {}, strings.column), el('th', {}, strings.test), el('th', { class: 'number' }, strings.statistic), el('th', { class: 'number' }, strings.threshold), el('th', {}, strings.drifted))));
  const body = el('tbody');
  for (const h of [...d.columns, ...(d.prediction ? [d.prediction] : [])]) {
    body.append(el('tr', h.drift ? { class: 'drifted' } : {},
      el('td', {}, h.column), el('td', {}, h.test), el('td', { class: 'number' }, fmt(h.statistic)), el('td', { class: 'number' }, fmt(h.threshold)),
      el('td', {}, h.drift ? `● ${strings.yes}` : strings.no)));
  }
  table.append(body);
  const histograms = el('div', { class: 'charts histograms' }, ...d.columns.map((h) => histogramChart(h, strings, `${h.column}${h.drift ? ` · ${strings.drifted}` : ''}`)));
  detailArea.replaceChildren(
    el('h2', {}, strings.check, ' ', select),
    el('p', {}, el('span', { class: `health ${d.health}` }, strings.health[d.health]), ' ', d.reason),
    el('p', { class: 'muted' }, window + reference),
    ...(d.columns.length === 0 ? [el('p', { class: 'muted' }, strings.noData)] : [
      el('div', { class: 'table-box' }, table),
      el('h3', {}, strings.columns),
      histograms,
      ...(d.prediction ? [el('h3', {}, strings.predictions), el('div', { class: 'charts' }, histogramChart(d.prediction, strings, `${d.prediction.column} · ${d.prediction.test}`))] : []),
    ]),
  );
}

function render(data: DashboardData, strings: DashboardStrings): void {
  for (const c of timelineCharts.splice(0)) c.destroy();
  const checkNow = el('button', { type: 'button', id: 'check-now' }, strings.checkNow);
  const retrain = el('button', { type: 'button', id: 'retrain', class: 'secondary' }, strings.retrain);
  checkNow.addEventListener('click', () => channel.post({ type: 'checkNow' }));
  retrain.addEventListener('click', () => channel.post({ type: 'retrain' }));
  const newest = data.timeline.at(-1);
  const heading = el('h1', {}, data.reference, ' ', newest ? el('span', { class: `health ${newest.health}` }, strings.health[newest.health]) : '');
  if (!newest) {
    app.replaceChildren(heading, el('div', { class: 'actions' }, checkNow, retrain), el('p', { class: 'muted' }, strings.noChecks));
    app.setAttribute('aria-busy', 'false');
    return;
  }
  app.replaceChildren(
    heading,
    el('p', {}, newest.reason),
    el('div', { class: 'actions' }, checkNow, retrain),
    el('h2', {}, strings.overTime),
    el('div', { class: 'charts wide' }, shareChart(data, strings), performanceChart(data, strings)),
    el('div', { class: 'charts scores' }, ...data.columns.map((column) => scoreChart(column, data.timeline, strings))),
    detailArea,
  );
  if (data.detail) renderDetail(data.detail, data, strings);
  app.setAttribute('aria-busy', 'false');
}
