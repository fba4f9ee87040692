import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import '../shared/base.css';
import './style.css';
import { el } from '../shared/dom';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect } from '../shared/vscodeApi';
import type { FeaturePreviewProtocol, PreviewHistogram, PreviewHostMessage } from './protocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const app = document.getElementById('app')!;
let shown: PreviewHostMessage | undefined;
let charts: Chart[] = [];

// Canvas colours are fixed when drawn: draw again in the new theme's colours.
onThemeChange(() => {
  if (shown) render(shown);
});
const channel = connect<FeaturePreviewProtocol>((message) => {
  shown = message;
  render(message);
});

function format(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(values[Number(i)]));
}

function render(message: PreviewHostMessage): void {
  for (const chart of charts) chart.destroy();
  charts = [];
  const s = message.strings;
  const heading = el('h1', {}, format(s.title, message.view));
  const rebuild = el('button', { type: 'button' }, s.rebuild);
  rebuild.addEventListener('click', () => channel.post({ type: 'rebuild' }));
  if (message.type === 'building') {
    app.replaceChildren(heading, el('p', { role: 'status' }, s.building));
    app.setAttribute('aria-busy', 'true');
    return;
  }
  if (message.type === 'failed') {
    app.replaceChildren(heading, el('p', { class: 'error', role: 'alert' }, message.message), rebuild);
    app.setAttribute('aria-busy', 'false');
    return;
  }
  const number = (n: number) => n.toLocaleString(message.locale);
  const featureSet = new Set(message.featureColumns);
  const cls = (column: string) => (featureSet.has(column) ? 'feature' : '');
  const table = el('table', {},
    el('caption', {}, s.firstRows),
    el('thead', {}, el('tr', {}, ...message.columns.map((c) => el('th', { scope: 'col', class: cls(c) }, c)))),
    el('tbody', {}, ...message.rows.map((row) => el('tr', {}, ...row.map((cell, i) => el('td', { class: cls(message.columns[i]) }, cell))))));
  const figures = message.histograms.map((h) => histogramFigure(h, s.histogramOf, s.count));
  app.replaceChildren(
    heading,
    el('p', { class: 'muted' }, format(s.summary, number(message.totalRows), message.entities, message.service), ' ', rebuild),
    el('section', { class: 'rows' }, table),
    el('section', {}, el('h2', {}, s.distributions),
      figures.length ? el('div', { class: 'histograms' }, ...figures) : el('p', { class: 'muted' }, s.noNumeric)),
  );
  app.setAttribute('aria-busy', 'false');
}

function histogramFigure(histogram: PreviewHistogram, histogramOf: string, count: string): HTMLElement {
  const canvas = el('canvas', { role: 'img', 'aria-label': format(histogramOf, histogram.column) });
  const foreground = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.35)');
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: { labels: histogram.labels, datasets: [{ label: histogram.column, data: histogram.counts, backgroundColor: seriesPalette()[0], borderWidth: 0, categoryPercentage: 1, barPercentage: 0.95 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: {
        x: { ticks: { color: foreground, maxRotation: 60, autoSkip: true }, grid: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: count, color: foreground }, ticks: { color: foreground }, grid: { color: grid } },
      },
    },
  }));
  return el('figure', { class: 'histogram' }, el('figcaption', {}, histogram.column), el('div', { class: 'chart' }, canvas));
}
