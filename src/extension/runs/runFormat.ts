import * as vscode from 'vscode';
import type { RunStatus, RunSummary } from '../../core/tracking';

/** How the Runs view and the metrics panel write numbers, times and statuses, in the editor's language. */

const metricFormat = new Intl.NumberFormat(vscode.env.language, { maximumSignificantDigits: 4 });
const timeFormat = new Intl.DateTimeFormat(vscode.env.language, { dateStyle: 'medium', timeStyle: 'medium' });

/** Metric values are floats: four significant digits say what a person compares; the table gives them all. */
export function formatMetric(value: number | null): string {
  return value === null ? 'NaN' : metricFormat.format(value);
}

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** A file size for people: "179 kB", "1 byte", in the display language (Intl also makes the plural). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(vscode.env.language, {
    style: 'unit', unit: SIZE_UNITS[unit], unitDisplay: unit === 0 ? 'long' : 'short', maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

export function formatTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

/** A run's duration; a running run's so far. */
export function formatDuration(run: RunSummary, now = Date.now()): string {
  const seconds = ((run.end ?? now) - run.start) / 1000;
  if (seconds < 60) return vscode.l10n.t('{0} s', seconds.toFixed(1));
  if (seconds < 3600) return vscode.l10n.t('{0} min', (seconds / 60).toFixed(1));
  return vscode.l10n.t('{0} h', (seconds / 3600).toFixed(1));
}

export function statusLabel(status: RunStatus): string {
  switch (status) {
    case 'running': return vscode.l10n.t('running');
    case 'finished': return vscode.l10n.t('finished');
    case 'failed': return vscode.l10n.t('failed');
    case 'killed': return vscode.l10n.t('killed');
  }
}

/** A run as a person names it: its name when it has one, else its id. */
export function runLabel(run: RunSummary): string {
  return run.name ?? run.id;
}
