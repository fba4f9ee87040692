import { l10n } from '../l10n';
import type { ColumnDrift, DriftReport } from './driftReport';

/** Bars beyond this many per chart are the smallest categories; they are counted, not drawn. */
const MAX_BARS = 40;
const CHART_WIDTH = 720;
const CHART_HEIGHT = 180;

export interface DriftHtmlOptions {
  /** What was compared, shown as the title: for example "weather@1 → weather@2". */
  title?: string;
  /** When the report was made; default now. */
  generated?: Date;
}

/**
 * The report as one HTML file that stands alone: no script, no network, charts drawn as inline SVG, colours that
 * read on a light or a dark background (the page follows the reader's colour scheme).
 */
export function renderDriftHtml(report: DriftReport, options: DriftHtmlOptions = {}): string {
  const title = options.title ?? l10n.t('Data drift report');
  const verdict = report.datasetDrift ? l10n.t('Dataset drift detected') : l10n.t('No dataset drift');
  const summary = l10n.t(
    '{0} of {1} columns drifted (share {2}; the dataset drifts at {3} or more). Reference: {4} rows, current: {5} rows.',
    report.driftedColumns, report.numberOfColumns, formatNumber(report.driftShare), formatNumber(report.driftShareThreshold), report.referenceRows, report.currentRows,
  );
  const rows = report.columns.map((c) => `<tr class="${c.drift ? 'drift' : ''}"><td><a href="#col-${anchor(c.name)}">${escape(c.name)}</a></td><td>${escape(c.type)}</td><td>${escape(c.test)}</td>`
    + `<td class="num">${formatNumber(c.statistic)}</td><td class="num">${c.pValue === null ? '—' : formatNumber(c.pValue)}</td><td class="num">${formatNumber(c.threshold)}</td>`
    + `<td>${c.drift ? l10n.t('drift') : l10n.t('no drift')}</td><td class="num">${formatShare(c.missingShare.reference)} → ${formatShare(c.missingShare.current)}</td></tr>`).join('\n');
  const header = [l10n.t('Column'), l10n.t('Type'), l10n.t('Test'), l10n.t('Statistic'), l10n.t('p-value'), l10n.t('Threshold'), l10n.t('Result'), l10n.t('Missing (reference → current)')];
  return `<!DOCTYPE html>
<html lang="${escape(l10n.t('en'))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #656d76; --line: #d0d7de; --ref: #4c78a8; --cur: #e45756; --bad: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --ref: #79a8e0; --cur: #ff8a80; --bad: #ff7b72; } }
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); max-width: 1500px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } .muted { color: var(--muted); }
.verdict { font-size: 1.2rem; font-weight: 600; } .verdict.drift, tr.drift td:nth-child(7) { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; } th, td { border-bottom: 1px solid var(--line); padding: .35rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } a { color: inherit; }
section { display: inline-block; vertical-align: top; width: 720px; margin: 0 1.5rem 2rem 0; } section h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 .8rem; vertical-align: -1px; }
svg text { fill: var(--muted); font-size: 11px; } .bar-ref { fill: var(--ref); } .bar-cur { fill: var(--cur); } .axis { stroke: var(--line); }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="muted">${escape(l10n.t('Generated {0} by MLOps Workbench.', (options.generated ?? new Date()).toISOString()))}</p>
<p class="verdict ${report.datasetDrift ? 'drift' : ''}">${escape(verdict)}</p>
<p>${escape(summary)}</p>
<table>
<thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="legend muted">${escape(l10n.t('Share of non-missing values:'))}<span class="bar-ref" style="background: var(--ref)"></span>${escape(l10n.t('reference'))}<span style="background: var(--cur)"></span>${escape(l10n.t('current'))}</p>
${report.columns.map(columnSection).join('\n')}
</body>
</html>
`;
}

function columnSection(column: ColumnDrift): string {
  const verdict = column.drift ? l10n.t('drift') : l10n.t('no drift');
  const detail = `${column.test} = ${formatNumber(column.statistic)}${column.pValue === null ? '' : `, p = ${formatNumber(column.pValue)}`} · ${verdict}`;
  return `<section id="col-${anchor(column.name)}"><h2>${escape(column.name)}</h2><p class="muted">${escape(detail)}</p>${histogramSvg(column)}</section>`;
}

/** Grouped bars, reference then current, per bin or category; numeric bins labelled by their lower edge. */
function histogramSvg(column: ColumnDrift): string {
  const h = column.histogram;
  let labels = h.categories ?? h.edges!.slice(0, -1).map(formatNumber);
  let order = labels.map((_, i) => i);
  let hidden = 0;
  if (order.length > MAX_BARS) {
    // Categories: the largest on either side are kept; bins are never more than Sturges makes for 2^40 rows.
    order = order.sort((a, b) => Math.max(h.reference[b], h.current[b]) - Math.max(h.reference[a], h.current[a])).slice(0, MAX_BARS);
    hidden = labels.length - MAX_BARS;
  }
  labels = order.map((i) => labels[i]);
  const top = Math.max(1e-12, ...order.map((i) => Math.max(h.reference[i], h.current[i])));
  const left = 40;
  const bottom = 36;
  const plotHeight = CHART_HEIGHT - bottom - 8;
  const slot = (CHART_WIDTH - left) / Math.max(1, order.length);
  const bar = Math.max(1, slot * 0.4);
  const y = (share: number) => 8 + plotHeight * (1 - share / top);
  const bars = order.map((i, k) => {
    const x = left + k * slot + slot * 0.1;
    const label = labels[k].length > 10 ? `${labels[k].slice(0, 9)}…` : labels[k];
    const showLabel = order.length <= 20 || k % Math.ceil(order.length / 20) === 0;
    return `<rect class="bar-ref" x="${x.toFixed(1)}" y="${y(h.reference[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(plotHeight + 8 - y(h.reference[i])).toFixed(1)}"><title>${escape(`${labels[k]}: ${formatShare(h.reference[i])}`)}</title></rect>`
      + `<rect class="bar-cur" x="${(x + bar).toFixed(1)}" y="${y(h.current[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(plotHeight + 8 - y(h.current[i])).toFixed(1)}"><title>${escape(`${labels[k]}: ${formatShare(h.current[i])}`)}</title></rect>`
      + (showLabel ? `<text x="${(x + bar).toFixed(1)}" y="${CHART_HEIGHT - bottom + 14}" text-anchor="middle">${escape(label)}</text>` : '');
  }).join('');
  const axis = `<line class="axis" x1="${left}" y1="${plotHeight + 8}" x2="${CHART_WIDTH}" y2="${plotHeight + 8}"/><text x="${left - 4}" y="12" text-anchor="end">${formatShare(top)}</text><text x="${left - 4}" y="${plotHeight + 8}" text-anchor="end">0</text>`;
  const more = hidden ? `<text x="${CHART_WIDTH}" y="${CHART_HEIGHT - 4}" text-anchor="end">${escape(l10n.t('{0} smaller categories not drawn', hidden))}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${escape(l10n.t('Histogram of {0}', column.name))}">${axis}${bars}${more}</svg>`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

function formatShare(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function anchor(name: string): string {
  return encodeURIComponent(name).replace(/[^A-Za-z0-9_-]/g, '_');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
