// The AutoML Leaderboard page: each trial's CV score against the time it ended, one colour per model family, the
// best trial drawn larger; and the table of trials, best first, the best highlighted.
import { Chart, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import '../shared/base.css';
import './style.css';
import { el } from '../shared/dom';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect } from '../shared/vscodeApi';
import type { HostMessage, LeaderboardEvaluation, LeaderboardProtocol, LeaderboardRow, LeaderboardStrings } from './protocol';

Chart.register(ScatterController, PointElement, LinearScale, Tooltip, Legend);

type Board = Extract<HostMessage, { type: 'leaderboard' }>;
type Point = { x: number; y: number; row: LeaderboardRow };

const app = document.getElementById('app')!;
let board: Board | undefined;
let chart: Chart<'scatter', Point[]> | undefined;

onThemeChange(() => render());
connect<LeaderboardProtocol>((message) => {
  board = message;
  render();
});

function render(): void {
  if (!board) return;
  const { strings } = board;
  chart?.destroy();
  const canvas = el('canvas', { role: 'img', 'aria-label': strings.chartLabel });
  const columns = board.columns.length ? [el('h2', {}, strings.columns), el('ul', { class: 'columns' }, ...board.columns.map((c) => el('li', {}, c)))] : [];
  const evaluation = board.evaluation ? evaluationSection(board.evaluation, strings) : [];
  app.replaceChildren(el('h1', {}, strings.heading), el('p', { class: 'muted' }, strings.summary), ...evaluation, el('div', { class: 'chart' }, canvas), table(board), ...columns);
  app.removeAttribute('aria-busy');
  chart = scatter(canvas, board);
}

function familyColours(trials: readonly LeaderboardRow[]): Map<string, string> {
  const palette = seriesPalette();
  const families = [...new Set(trials.map((t) => t.family))].sort();
  return new Map(families.map((f, i) => [f, palette[i % palette.length]]));
}

function scatter(canvas: HTMLCanvasElement, b: Board): Chart<'scatter', Point[]> {
  const colours = familyColours(b.trials);
  const text = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.3)');
  const datasets: ChartDataset<'scatter', Point[]>[] = [...colours].map(([family, colour]) => {
    const points = b.trials.filter((t) => t.family === family && t.score !== null).map((row) => ({ x: row.elapsedSeconds, y: row.score!, row }));
    return {
      label: family,
      data: points,
      backgroundColor: colour,
      borderColor: points.map((p) => (p.row.trial === b.bestTrial ? text : colour)),
      borderWidth: points.map((p) => (p.row.trial === b.bestTrial ? 2 : 1)),
      pointRadius: points.map((p) => (p.row.trial === b.bestTrial ? 8 : 4)),
      pointStyle: points.map((p) => (p.row.trial === b.bestTrial ? 'star' : 'circle')),
    };
  });
  return new Chart<'scatter', Point[]>(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: b.strings.elapsed, color: text }, ticks: { color: text }, grid: { color: grid } },
        y: { title: { display: true, text: `${b.strings.score} (${b.metric})`, color: text }, ticks: { color: text }, grid: { color: grid } },
      },
      plugins: {
        legend: { labels: { color: text } },
        tooltip: { callbacks: { label: (item) => { const { row } = item.raw as Point; return `#${row.trial} ${row.family} ${format(row.score)} · ${JSON.stringify(row.params)}`; } } },
      },
    },
  });
}

function table(b: Board): HTMLTableElement {
  const s = b.strings;
  const colours = familyColours(b.trials);
  const sign = b.direction === 'max' ? -1 : 1;
  const sorted = [...b.trials].sort((x, y) => (x.score === null ? 1 : 0) - (y.score === null ? 1 : 0) || sign * ((x.score ?? 0) - (y.score ?? 0)) || x.trial - y.trial);
  const head = el('tr', {}, ...[s.trial, s.family, s.score, s.rows, s.fitSeconds, s.elapsed, s.params, s.status].map((h, i) => el('th', i === 2 || i === 3 || i === 4 || i === 5 ? { class: 'number', scope: 'col' } : { scope: 'col' }, h)));
  const rows = sorted.map((t) => {
    const best = t.trial === b.bestTrial;
    return el('tr', { class: best ? 'best' : t.status === 'failed' ? 'failed' : '', title: t.runId },
      el('td', { class: 'number' }, String(t.trial)),
      el('td', {}, swatch(colours.get(t.family)!), t.family),
      el('td', { class: 'number' }, format(t.score)),
      el('td', { class: 'number' }, t.rows.toLocaleString()),
      el('td', { class: 'number' }, t.fitSeconds.toFixed(2)),
      el('td', { class: 'number' }, t.elapsedSeconds.toFixed(1)),
      el('td', { class: 'params' }, Object.entries(t.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')),
      el('td', {}, best ? s.best : t.status === 'failed' ? s.failed : ''));
  });
  return el('table', { 'aria-label': s.tableLabel }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/** Coloured through the CSSOM: the CSP allows no inline style attributes. */
function swatch(colour: string): HTMLElement {
  const dot = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  dot.style.backgroundColor = colour;
  return dot;
}

function format(score: number | null): string {
  return score === null ? '—' : score.toFixed(4);
}

/** The baseline comparison (flagged when not beaten), per-class figures and a shaded confusion matrix, or residuals. */
function evaluationSection(e: LeaderboardEvaluation, s: LeaderboardStrings): Node[] {
  const out: Node[] = [el('h2', {}, s.evaluation), ...e.warnings.map((w) => el('p', { class: 'warning', role: 'alert' }, `⚠ ${w}`)), el('ul', {}, ...e.lines.map((l) => el('li', {}, l)))];
  if (e.classes) {
    const head = el('tr', {}, el('th', { scope: 'col' }, s.classLabel), ...[s.precision, s.recall, s.f1, s.support].map((h) => el('th', { class: 'number', scope: 'col' }, h)));
    const rows = e.classes.map((c) => el('tr', {}, el('td', {}, c.label), ...[c.precision, c.recall, c.f1].map((v) => el('td', { class: 'number' }, v.toFixed(3))), el('td', { class: 'number' }, String(c.support))));
    out.push(el('h3', {}, s.perClass), el('table', { 'aria-label': s.perClass }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }
  if (e.classes && e.confusion) {
    const labels = e.classes.map((c) => c.label);
    const largest = Math.max(1, ...e.confusion.flat());
    const head = el('tr', {}, el('th', { scope: 'col' }, s.truthByPredicted), ...labels.map((l) => el('th', { class: 'number', scope: 'col' }, l)));
    const rows = e.confusion.map((counts, t) => el('tr', {}, el('th', { scope: 'row' }, labels[t]), ...counts.map((n, p) => heatCell(n, largest, t === p))));
    out.push(el('h3', {}, s.confusion), el('table', { class: 'confusion', 'aria-label': s.confusion }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }
  if (e.residuals) out.push(el('h3', {}, s.residuals), el('ul', {}, ...e.residuals.map(([name, v]) => el('li', {}, `${name}: ${v.toPrecision(4)}`))));
  return out;
}

/** Shaded by its share of the largest count through the CSSOM (the CSP allows no inline styles); the diagonal in its own colour. */
function heatCell(count: number, largest: number, diagonal: boolean): HTMLElement {
  const cell = el('td', { class: diagonal ? 'number hit' : 'number miss' }, String(count));
  const shade = el('span', { class: 'heat', 'aria-hidden': 'true' });
  shade.style.opacity = String(count / largest);
  cell.prepend(shade);
  return cell;
}
