import { MlopsError } from '../errors';
import { parseDuration } from '../features';
import { l10n } from '../l10n';

/**
 * Which predictions a check reads: the last N, those of a recent duration (`1d`, `10m`), or those between two
 * times. `last` can narrow the others (the last N of the day).
 */
export interface MonitorWindow {
  last?: number;
  /** Up to now: `90s`, `10m`, `12h`, `7d`. */
  duration?: string;
  /** ISO 8601; inclusive. */
  since?: string;
  /** ISO 8601; exclusive. */
  until?: string;
}

/** The window every check uses when neither the caller nor mlops.yaml names one. */
export const DEFAULT_WINDOW: Readonly<MonitorWindow> = { duration: '1d' };

/** The bounds a window means at `now`, checked: what the prediction log reader takes. */
export function windowBounds(window: MonitorWindow, now: Date = new Date()): { since?: Date; until?: Date; last?: number } {
  if (window.last !== undefined && !(Number.isInteger(window.last) && window.last > 0)) {
    throw new MlopsError(l10n.t('The window\'s last {0} is not a positive whole number of predictions.', window.last), l10n.t('Give the number of most recent predictions to check, for example --last 1000.'), 'BAD_WINDOW');
  }
  if (window.duration !== undefined && (window.since !== undefined || window.until !== undefined)) {
    throw new MlopsError(l10n.t('A window is either a duration up to now or a --since/--until range, not both.'), l10n.t('Give --window alone, or --since and --until.'), 'BAD_WINDOW');
  }
  const out: { since?: Date; until?: Date; last?: number } = {};
  if (window.last !== undefined) out.last = window.last;
  if (window.duration !== undefined) {
    const ms = parseDuration(window.duration);
    if (!ms) {
      throw new MlopsError(l10n.t('"{0}" is not a duration.', window.duration), l10n.t('Write a number and a unit: 90s, 10m, 12h or 7d.'), 'BAD_WINDOW');
    }
    out.since = new Date(now.getTime() - ms);
    // the end is left open: a prediction logged while the check reads is in the window, not lost between two checks
  }
  if (window.since !== undefined) out.since = time(window.since, '--since');
  if (window.until !== undefined) out.until = time(window.until, '--until');
  if (out.since && out.until && out.since.getTime() >= out.until.getTime()) {
    throw new MlopsError(l10n.t('The window starts at {0}, which is not before its end {1}.', window.since!, window.until!), l10n.t('Give a --since earlier than --until.'), 'BAD_WINDOW');
  }
  return out;
}

function time(text: string, option: string): Date {
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new MlopsError(l10n.t('{0} "{1}" is not a time.', option, text), l10n.t('Write it in ISO 8601, for example 2026-12-01T09:00:00Z or 2026-12-01.'), 'BAD_WINDOW');
  }
  return new Date(t);
}
