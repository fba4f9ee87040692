// The Run Metrics page: one line chart per chosen metric (a line per run; a bar per run for a metric logged once, as
// AutoML's scores are), a chart of a metric against a parameter across the runs, and a table of the runs' params and
// latest metrics. The extension host owns the data: this page asks for each chart's points, already decimated, and asks
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
/** Param values longer than this (mlops.trainingConfig's JSON) are folded to one line; the full text is on hover. */
const FOLD_CHARS = 48;

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
let scalarKeys = new Set<string>();
let numberFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });
/** The parameter and metric of the chart across runs, as the user last chose them. */
const byParam: { param?: string; metric?: string } = {};
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
const toggles = el('div', { class: 'toggles' }, logToggle, logLabel, resetButton);
controls.append(keyList, toggles);
const chartArea = el('div', { class: 'charts' });
const scalarArea = el('div', { class: 'charts' });
const byParamArea = el('section', { class: 'by-param', 'aria-labelledby': 'by-param-heading' });
const tableHeading = el('h2', { id: 'table-heading' });
const table = el('table', { 'aria-labelledby': 'table-heading' });
const notice = el('p', { class: 'muted', role: 'status' });
app.append(notice, controls, scalarArea, chartArea, byParamArea, tableHeading, el('div', { class: 'table-box' }, table));
let byParamChart: Chart<'line', { x: number; y: number }[]> | undefined;

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
  renderScalars();
  renderByParam();
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
  scalarKeys = new Set(message.scalarKeys);
  numberFormat = new Intl.NumberFormat(message.locale, { maximumSignificantDigits: 6 });
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
  renderScalars();
  renderByParam();
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
    if (!chosen.includes(key) || scalarKeys.has(key)) {
      view.chart.destroy();
      view.caption.parentElement!.remove();
      charts.delete(key);
    }
  }
  const lines = chosen.filter((k) => !scalarKeys.has(k));
  // Log scale and zoom are for line charts; bars of single values have neither.
  toggles.hidden = lines.length === 0;
  for (const key of lines) {
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
    // Lines are drawn without points: a run with a single point would show nothing at all.
    const single = data.length === 1 ? { pointRadius: 4 } : {};
    return [{ label: legendLabel(shown.run), data, runIndex: shown.index, ...single } as ChartDataset<'line', { x: number; y: number }[]> & { runIndex: number }];
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

/** A run in a legend: its name and short id, since compared runs are often named alike. */
function legendLabel(run: PanelRun): string {
  return `${run.label} · ${run.id.slice(0, 8)}`;
}

/**
 * A metric each run logged once (an AutoML run's cross-validated score) is a value, not a curve: a labelled bar per
 * run, its length relative to the largest magnitude, its value written beside it.
 */
function renderScalars(): void {
  const keys = chosen.filter((k) => scalarKeys.has(k));
  const palette = seriesPalette();
  scalarArea.replaceChildren(...keys.map((key) => {
    const values = runs.map((r) => r.metrics[key]);
    const largest = Math.max(...values.map((v) => (typeof v === 'number' ? Math.abs(v) : 0))) || 1;
    const bars = runs.map((run, i) => {
      const value = values[i];
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${typeof value === 'number' ? (Math.abs(value) / largest) * 100 : 0}%`;
      bar.style.background = palette[i % palette.length];
      const text = value === undefined ? '—' : value === null ? 'NaN' : numberFormat.format(value);
      return el('li', {}, el('span', { class: 'bar-label', title: `${run.label} · ${run.detail}` }, legendLabel(run)),
        el('span', { class: 'bar-track' }, bar), el('span', { class: 'bar-value number' }, text));
    });
    return el('figure', { class: 'chart scalar' }, el('figcaption', {}, strings!.scalarLabel.replace('{0}', key)), el('ul', { class: 'bars', role: 'list' }, ...bars));
  }));
}

/**
 * A metric against a parameter across the runs: one point per run, at its param value (a number, or the value's
 * place among the distinct values when they are not all numbers) and its latest value of the metric.
 */
function renderByParam(): void {
  const s = strings!;
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort()
    .filter((k) => runs.filter((r) => k in r.params).length >= 2 && runs.every((r) => (r.params[k] ?? '').length <= FOLD_CHARS));
  const metrics = metricKeys.filter((k) => runs.filter((r) => typeof r.metrics[k] === 'number').length >= 2);
  byParamChart?.destroy();
  byParamChart = undefined;
  if (runs.length < 2 || params.length === 0 || metrics.length === 0) {
    byParamArea.replaceChildren();
    return;
  }
  // By default the first parameter the runs disagree on: a constant one plots a vertical line of points.
  const varying = params.find((k) => new Set(runs.map((r) => r.params[k])).size > 1);
  const param = byParam.param && params.includes(byParam.param) ? byParam.param : varying ?? params[0];
  const metric = byParam.metric && metrics.includes(byParam.metric) ? byParam.metric : chosen.find((k) => metrics.includes(k)) ?? metrics[0];
  const select = (id: string, label: string, options: string[], value: string, set: (v: string) => void) => {
    const box = el('select', { id }, ...options.map((o) => el('option', { value: o }, o))) as HTMLSelectElement;
    box.value = value;
    box.addEventListener('change', () => {
      set(box.value);
      renderByParam();
    });
    return el('span', { class: 'key' }, el('label', { for: id }, label), box);
  };
  const canvas = el('canvas', { role: 'img', 'aria-label': s.byParamLabel.replace('{0}', metric).replace('{1}', param) }) as HTMLCanvasElement;
  byParamArea.replaceChildren(
    el('h2', { id: 'by-param-heading' }, s.byParam),
    el('div', { class: 'controls' },
      select('by-param-metric', s.metric, metrics, metric, (v) => (byParam.metric = v)),
      select('by-param-param', s.parameter, params, param, (v) => (byParam.param = v))),
    el('figure', { class: 'param-plot' }, el('div', { class: 'chart-box' }, canvas)),
  );
  const raw = runs.map((r) => r.params[param]);
  const numeric = raw.every((v) => v === undefined || (v.trim() !== '' && Number.isFinite(Number(v))));
  const categories = numeric ? [] : [...new Set(raw.filter((v): v is string => v !== undefined))].sort();
  const datasets = runs.flatMap((run, i) => {
    const x = raw[i];
    const y = run.metrics[metric];
    if (x === undefined || typeof y !== 'number') return [];
    return [{ label: legendLabel(run), data: [{ x: numeric ? Number(x) : categories.indexOf(x), y }], runIndex: i, showLine: false, pointRadius: 5, pointHoverRadius: 7 }];
  });
  restyle(datasets);
  const options = chartOptions(false);
  const xScale = options.scales!.x!;
  Object.assign(xScale, {
    title: { ...xScale.title, text: param },
    ...(numeric ? {} : { min: -0.5, max: categories.length - 0.5, ticks: { ...xScale.ticks, stepSize: 1, callback: (v: number | string) => categories[Number(v)] ?? '' } }),
  });
  Object.assign(options.scales!.y!, {
    title: { display: true, text: metric, color: themeColor('--vscode-foreground', '#cccccc') },
    ticks: { ...options.scales!.y!.ticks, callback: (v: number | string) => numberFormat.format(Number(v)) },
  });
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins!.zoom = { zoom: { wheel: { enabled: false }, drag: { enabled: false } } };
  options.plugins!.tooltip!.callbacks = {
    title: (items) => (items.length ? `${param} = ${raw[(items[0].dataset as { runIndex?: number }).runIndex ?? 0] ?? ''}` : ''),
    label: (item) => `${item.dataset.label}: ${numberFormat.format(item.parsed.y ?? NaN)}`,
  };
  byParamChart = new Chart<'line', { x: number; y: number }[]>(canvas, { type: 'line', data: { datasets }, options });
}

/** A param value as a cell: long ones folded to one line, the whole text on hover (and to screen readers). */
function valueCell(value: string | undefined, className: string): HTMLElement {
  const text = value ?? '—';
  if (text.length <= FOLD_CHARS) return el('td', className ? { class: className } : {}, text);
  return el('td', { class: `${className} folded`.trim(), title: text }, el('span', { class: 'fold' }, text));
}

/** Params, then latest metrics, one column per run; rows whose values differ between runs are highlighted. */
function renderTable(): void {
  const s = strings!;
  tableHeading.textContent = s.paramsAndMetrics;
  const head = el('tr', {}, el('th', { scope: 'col' }, ''), ...runs.map((r) => el('th', { scope: 'col', title: `${r.label} · ${r.detail}` }, r.label)));
  // When each run started and its short id, under its name: runs of one experiment are often named alike.
  const detail = el('tr', { class: 'run-detail' }, el('td', {}, ''), ...runs.map((r) => el('td', { class: 'muted' }, r.detail)));
  const rows: HTMLElement[] = [];
  const addRows = (kind: string, keys: string[], value: (r: PanelRun, k: string) => string | undefined, numeric: boolean) => {
    for (const key of keys) {
      const values = runs.map((r) => value(r, key));
      const differs = runs.length > 1 && new Set(values).size > 1;
      const header = el('th', { scope: 'row' }, el('span', { class: 'kind' }, kind), ' ', key);
      if (differs) header.append(el('span', { class: 'visually-hidden' }, ` (${s.differs})`));
      rows.push(el('tr', differs ? { class: 'differs-row' } : {}, header,
        ...values.map((v) => valueCell(v, `${numeric ? 'number' : ''}${differs ? ' differs' : ''}`.trim()))));
    }
  };
  const keysOf = (pick: (r: PanelRun) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  addRows(s.param, keysOf((r) => r.params), (r, k) => r.params[k], false);
  addRows(s.metric, keysOf((r) => r.metrics), (r, k) => (k in r.metrics ? String(r.metrics[k] ?? 'NaN') : undefined), true);
  table.replaceChildren(el('thead', {}, head, detail), el('tbody', {}, ...rows));
}

/** Metric names are free text; ids for label/input pairs must be unique and safe. */
function cssId(text: string): string {
  return Array.from(text, (c) => (/[A-Za-z0-9_-]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join('');
}
