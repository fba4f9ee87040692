// The promotion review page: champion against challenger on the gate's holdout, overall and per slice (bars), the
// reasons the gate gave, how their training data differs, and the Approve / Reject buttons. The host sends
// everything in one message and records the decision; the page renders and posts which button was pressed.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import '../shared/base.css';
import './style.css';
import { el } from '../shared/dom';
import { shown, versionDiff } from '../shared/diffTables';
import { onThemeChange, seriesPalette, themeColor } from '../shared/theme';
import { connect } from '../shared/vscodeApi';
import type { PromotionReviewProtocol, ReviewData, ReviewSide, ReviewStrings } from './protocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const app = document.getElementById('app')!;
const charts: Chart<'bar'>[] = [];
let last: { data: ReviewData; strings: ReviewStrings } | undefined;

const channel = connect<PromotionReviewProtocol>((message) => {
  if (message.type === 'show') {
    last = { data: message.data, strings: message.strings };
    render(message.data, message.strings);
  }
});
onThemeChange(() => last && render(last.data, last.strings));

function sideText(side: ReviewSide, label: string, strings: ReviewStrings): HTMLElement {
  return el('div', { class: 'side' },
    el('h2', {}, `${label}: ${strings.version} ${side.version}`, ...side.aliases.map((a) => el('span', { class: 'badge' }, `@${a}`))),
    el('p', { class: 'muted' }, `${strings.trainedOn} ${side.data ?? '–'} · ${side.created.slice(0, 19).replace('T', ' ')}`));
}

/** Bars of champion and challenger per label (overall, or each slice value); null scores are left as gaps. */
function barChart(labels: string[], champion: (number | null)[], challenger: (number | null)[], strings: ReviewStrings, caption: string): HTMLElement {
  const [blue, orange] = seriesPalette();
  const fg = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.35)');
  const canvas = el('canvas', { role: 'img', 'aria-label': caption });
  const figure = el('figure', { class: 'chart' }, el('figcaption', {}, caption), el('div', { class: 'chart-box' }, canvas));
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: strings.champion, data: champion, backgroundColor: blue },
        { label: strings.challenger, data: challenger, backgroundColor: orange },
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { labels: { color: fg } }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${shown(c.parsed.y)}` } } },
      scales: { x: { ticks: { color: fg }, grid: { color: grid } }, y: { ticks: { color: fg }, grid: { color: grid } } },
    },
  }));
  return figure;
}

function gateSection(data: ReviewData, strings: ReviewStrings): HTMLElement[] {
  if ('note' in data.gate) return [el('h2', {}, strings.gate), el('p', { class: 'muted' }, `${strings.noGate} ${data.gate.note}`)];
  const g = data.gate.evaluation;
  const verdict = el('span', { class: g.passed ? 'verdict passed' : 'verdict failed' }, g.passed ? strings.passed : strings.failed);
  const parts: HTMLElement[] = [
    el('h2', {}, `${strings.gate} `, verdict),
    el('p', {}, `${g.metric} (${g.greaterIsBetter ? strings.higherIsBetter : strings.lowerIsBetter}) · ${strings.holdout} ${g.holdout.source}, ${shown(g.holdout.rows)} ${strings.rows} · ${data.gate.time.slice(0, 19).replace('T', ' ')}`),
  ];
  if (g.reasons.length) parts.push(el('ul', { class: 'reasons' }, ...g.reasons.map((r) => el('li', {}, r))));
  const charts = el('div', { class: 'charts' });
  charts.append(barChart([strings.overall], [g.champion], [g.challenger], strings, `${strings.overall}: ${g.metric}`));
  if (g.slices?.values.length) {
    const values = g.slices.values;
    charts.append(barChart(values.map((s) => `${s.value} (${shown(s.rows)})${s.passed ? '' : ' ✗'}`), values.map((s) => s.champion), values.map((s) => s.challenger), strings,
      `${strings.perSlice}: ${strings.slice} ${g.slices.column}`));
  }
  parts.push(charts);
  return parts;
}

function render(data: ReviewData, strings: ReviewStrings): void {
  for (const c of charts.splice(0)) c.destroy();
  const approve = el('button', { type: 'button', id: 'approve' }, strings.approve);
  const reject = el('button', { type: 'button', id: 'reject', class: 'secondary' }, strings.reject);
  approve.disabled = !data.canApprove || data.decision !== null;
  reject.disabled = data.decision !== null;
  const decide = (decision: 'approve' | 'reject') => channel.post({ type: 'decide', decision, model: data.model, version: data.challenger.version });
  approve.addEventListener('click', () => decide('approve'));
  reject.addEventListener('click', () => decide('reject'));
  const decided = data.decision && el('p', { class: 'decided', role: 'status' },
    `${strings.decided} ${data.decision.kind === 'approve' ? strings.approve : strings.reject} · ${data.decision.by} · ${data.decision.time.slice(0, 19).replace('T', ' ')}${data.decision.reason ? ` · ${data.decision.reason}` : ''}`);
  const trigger = data.challenger.trigger ? el('p', { class: 'muted' }, `${strings.trigger}: ${data.challenger.trigger}`) : null;
  app.replaceChildren(
    el('h1', {}, data.model),
    el('div', { class: 'sides-row' },
      data.champion ? sideText(data.champion, strings.champion, strings) : el('div', { class: 'side' }, el('h2', {}, `${strings.champion}: –`)),
      sideText(data.challenger, strings.challenger, strings)),
    trigger ?? '',
    el('div', { class: 'actions' }, approve, reject),
    decided ?? '',
    ...gateSection(data, strings),
    el('h2', {}, strings.dataDiff),
  );
  app.append(...versionDiff(data.dataDiff, strings));
  app.setAttribute('aria-busy', 'false');
}
