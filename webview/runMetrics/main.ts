// The Run Metrics page: one line chart per chosen metric (a line per run) and a table of the runs' params and latest
// metrics. The extension host owns the data: this page asks for each chart's points, already decimated, and asks
// again at full resolution for the range the user zooms to.
import {
  Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip, type ChartDataset, type ChartOptions,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import '../shared/base.css';
import './style.css';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect, getState, setState } from '../shared/vscodeApi';
import type { HostMessage, PanelRun, PanelStrings, RunMetricsProtocol, SeriesData, StepRange } from './protocol';
import { el } from '../shared/dom';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, zoomPlugin);

/** Beyond the palette's colours, runs are told apart by dash pattern too. */
const DASHES = [[], [6, 3], [2, 2], [10, 3, 2, 3]];
/** Wheel zooming reports every notch; ask the host once the wheel rests. */
const ZOOM_SETTLE_MS = 150;

interface ChartView {
  chart: Chart<'line', { x: number; y: number }[]>;
  caption: HTMLElement;
  lastRequest: number;
  range: StepRange | null;
  settle?: ReturnType<typeof setTimeout>;
}

const app = document.getElementById('app')!;
const charts = new Map<string, ChartView>();
let strings: PanelStrings | undefined;
let runs: PanelRun[] = [];
let metricKeys: string[] = [];
let chosen: string[] = [];
/** What the metric checkboxes were last built for. */
let keyListShows = '';
let logScale = getState<{ logScale: boolean }>()?.logScale ?? false;
let nextRequest = 1;

// Page skeleton: built once, filled by each `runs` message.
const controls = el('div', { class: 'controls' });
const keyList = el('fieldset', { class: 'keys' });
const logToggle = el('input', { type: 'checkbox', id: 'log-scale' }) as HTMLInputElement;
const logLabel = el('label', { for: 'log-scale' });
const resetButton = el('button', { type: 'button', id: 'reset-zoom' });
controls.append(keyList, el('div', { class: 'toggles' }, logToggle, logLabel, resetButton));
const chartArea = el('div', { class: 'charts' });
const tableHeading = el('h2', { id: 'table-heading' });
const table = el('table', { 'aria-labelledby': 'table-heading' });
const notice = el('p', { class: 'muted', role: 'status' });
app.append(notice, controls, chartArea, tableHeading, table);

logToggle.checked = logScale;
logToggle.addEventListener('change', () => {
  logScale = logToggle.checked;
  setState({ logScale });
  for (const view of charts.values()) {
    view.chart.options.scales!.y!.type = logScale ? 'logarithmic' : 'linear';
    view.chart.update('none');
  }
});
resetButton.addEventListener('click', () => {
  for (const [key, view] of charts) {
    view.chart.resetZoom('none');
    view.range = null;
    requestSeries(key, view);
  }
});
onThemeChange(() => {
  for (const view of charts.values()) {
    view.chart.options = chartOptions(view.chart.options.scales!.y!.type === 'logarithmic');
    restyle(view.chart.data.datasets);
    view.chart.update('none');
  }
});

const channel = connect<RunMetricsProtocol>((message) => {
  if (message.type === 'runs') showRuns(message);
  else showSeries(message);
});

function showRuns(message: Extract<HostMessage, { type: 'runs' }>): void {
  strings = message.strings;
  runs = message.runs;
  metricKeys = message.metricKeys;
  chosen = message.chosenKeys.filter((k) => metricKeys.includes(k));
  // Live runs resend this every few hundred ms: rebuilding unchanged checkboxes would steal the keyboard focus.
  const keysShown = JSON.stringify([metricKeys, chosen]);
  app.removeAttribute('aria-busy');
  logLabel.textContent = strings.logScale;
  resetButton.textContent = strings.resetZoom;
  notice.textContent = runs.length === 0 ? strings.noRuns : metricKeys.length === 0 ? strings.noMetrics : '';
  if (keysShown !== keyListShows) {
    keyListShows = keysShown;
    renderKeyList();
  }
  syncCharts();
  renderTable();
}

function renderKeyList(): void {
  keyList.replaceChildren(el('legend', {}, strings!.metrics));
  for (const key of metricKeys) {
    const id = `metric-${cssId(key)}`;
    const box = el('input', { type: 'checkbox', id, value: key }) as HTMLInputElement;
    box.checked = chosen.includes(key);
    box.addEventListener('change', () => {
      chosen = metricKeys.filter((k) => (k === key ? box.checked : chosen.includes(k)));
      channel.post({ type: 'chooseKeys', keys: chosen });
      syncCharts();
    });
    keyList.append(el('span', { class: 'key' }, box, el('label', { for: id }, key)));
  }
}

/** One chart per chosen metric, in the order of the list; each asks for its points (again, on live updates). */
function syncCharts(): void {
  for (const [key, view] of charts) {
    if (!chosen.includes(key)) {
      view.chart.destroy();
      view.caption.parentElement!.remove();
      charts.delete(key);
    }
  }
  for (const key of chosen) {
    let view = charts.get(key);
    if (!view) {
      view = createChart(key);
      charts.set(key, view);
    }
    chartArea.append(view.caption.parentElement!);
    requestSeries(key, view);
  }
}

function createChart(key: string): ChartView {
  const canvas = el('canvas', { role: 'img', 'aria-label': strings!.chartLabel.replace('{0}', key) }) as HTMLCanvasElement;
  const caption = el('figcaption', {}, key);
  chartArea.append(el('figure', { class: 'chart' }, caption, el('div', { class: 'chart-box' }, canvas)));
  const chart = new Chart<'line', { x: number; y: number }[]>(canvas, { type: 'line', data: { datasets: [] }, options: chartOptions(logScale) });
  const view: ChartView = { chart, caption, lastRequest: 0, range: null };
  chart.options.plugins!.zoom!.zoom!.onZoomComplete = () => {
    clearTimeout(view.settle);
    view.settle = setTimeout(() => {
      const x = chart.scales.x;
      view.range = chart.isZoomedOrPanned() ? { from: Math.floor(x.min), to: Math.ceil(x.max) } : null;
      requestSeries(key, view);
    }, ZOOM_SETTLE_MS);
  };
  return view;
}

function chartOptions(log: boolean): ChartOptions<'line'> {
  const text = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-editorWidget-border', '#454545');
  const accent = themeColor('--vscode-focusBorder', '#007fd4');
  const axis = { ticks: { color: text }, grid: { color: grid }, border: { color: grid } };
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    elements: { point: { radius: 0, hitRadius: 4, hoverRadius: 3 }, line: { borderWidth: 1.5 } },
    scales: {
      x: { type: 'linear', title: { display: true, text: strings?.step ?? 'step', color: text }, ...axis },
      y: { type: log ? 'logarithmic' : 'linear', ...axis },
    },
    plugins: {
      legend: { labels: { color: text, boxHeight: 2 } },
      tooltip: {
        backgroundColor: themeColor('--vscode-editorHoverWidget-background', '#252526'),
        titleColor: text, bodyColor: text, borderColor: grid, borderWidth: 1,
        callbacks: { title: (items) => (items.length ? `${strings?.step ?? 'step'} ${items[0].parsed.x}` : '') },
      },
      zoom: {
        zoom: { mode: 'x', drag: { enabled: true, backgroundColor: `${accent}33`, borderColor: accent, borderWidth: 1 }, wheel: { enabled: true } },
      },
    },
  };
}

function requestSeries(key: string, view: ChartView): void {
  view.lastRequest = nextRequest++;
  const width = view.chart.width || 800;
  // Two points per pixel column: the low and the high of each, which is what min/max decimation keeps.
  channel.post({ type: 'series', requestId: view.lastRequest, key, range: view.range, maxPoints: width * 2 });
}

function showSeries(message: Extract<HostMessage, { type: 'series' }>): void {
  const view = charts.get(message.key);
  // A later request (another zoom, a live update) supersedes this answer.
  if (!view || message.requestId !== view.lastRequest) return;
  const byId = new Map(runs.map((r, i) => [r.id, { run: r, index: i }]));
  const datasets = message.series.flatMap((s: SeriesData) => {
    const shown = byId.get(s.runId);
    if (!shown) return [];
    const data = s.steps.map((x, i) => ({ x, y: s.values[i] }));
    return [{ label: shown.run.label, data, runIndex: shown.index } as ChartDataset<'line', { x: number; y: number }[]> & { runIndex: number }];
  });
  restyle(datasets);
  view.chart.data.datasets = datasets;
  view.chart.update('none');
  // A zoomed series also carries a neighbour outside each edge, which is not a point of the range.
  const drawn = message.series.reduce((n, s) => n + Math.min(s.steps.length, s.total), 0);
  const total = message.series.reduce((n, s) => n + s.total, 0);
  view.caption.replaceChildren(message.key, el('span', { class: 'muted points' }, strings!.pointsShown.replace('{0}', drawn.toLocaleString()).replace('{1}', total.toLocaleString())));
}

function restyle(datasets: ChartDataset<'line', unknown[]>[]): void {
  const palette = seriesPalette();
  for (const d of datasets) {
    const i = (d as { runIndex?: number }).runIndex ?? 0;
    d.borderColor = d.backgroundColor = palette[i % palette.length];
    d.borderDash = DASHES[Math.floor(i / palette.length) % DASHES.length];
  }
}

/** Params, then latest metrics, one column per run; rows whose values differ between runs are highlighted. */
function renderTable(): void {
  const s = strings!;
  tableHeading.textContent = s.paramsAndMetrics;
  const head = el('tr', {}, el('th', { scope: 'col' }, ''), ...runs.map((r) => el('th', { scope: 'col' }, r.label)));
  const rows: HTMLElement[] = [];
  const addRows = (kind: string, keys: string[], value: (r: PanelRun, k: string) => string | undefined, numeric: boolean) => {
    for (const key of keys) {
      const values = runs.map((r) => value(r, key));
      const differs = runs.length > 1 && new Set(values).size > 1;
      const header = el('th', { scope: 'row' }, el('span', { class: 'kind' }, kind), ' ', key);
      if (differs) header.append(el('span', { class: 'visually-hidden' }, ` (${s.differs})`));
      rows.push(el('tr', differs ? { class: 'differs-row' } : {}, header,
        ...values.map((v) => el('td', { class: `${numeric ? 'number' : ''}${differs ? ' differs' : ''}`.trim() }, v ?? '—'))));
    }
  };
  const keysOf = (pick: (r: PanelRun) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  addRows(s.param, keysOf((r) => r.params), (r, k) => r.params[k], false);
  addRows(s.metric, keysOf((r) => r.metrics), (r, k) => (k in r.metrics ? String(r.metrics[k] ?? 'NaN') : undefined), true);
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

/** Metric names are free text; ids for label/input pairs must be unique and safe. */
function cssId(text: string): string {
  return Array.from(text, (c) => (/[A-Za-z0-9_-]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join('');
}
