import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/** A five-field cron expression: the allowed values of each field, and whether the day fields were restricted. */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/** Checking more minutes than a year holds is pointless: every field repeats within one. */
const LOOKBACK_MINUTES = 366 * 24 * 60;

/** Parses `*`, `N`, `A-B`, lists and `/step` in each of the five fields; 7 is Sunday as well as 0. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  const bad = (why: string) =>
    new MlopsError(l10n.t('The schedule "{0}" is not a cron expression: {1}.', expression, why), l10n.t('Write five fields, minute hour day-of-month month day-of-week: "0 3 * * 1" is Mondays at 03:00 UTC.'), 'BAD_SCHEDULE');
  if (parts.length !== 5) throw bad(l10n.t('it has {0} fields', parts.length));
  const sets = parts.map((part, f) => {
    const { name, min, max } = FIELDS[f];
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!match) throw bad(l10n.t('"{0}" in the {1} field', item, name));
      const from = match[1] === '*' ? min : Number(match[2]);
      const to = match[1] === '*' ? max : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? max : from;
      const step = match[4] !== undefined ? Number(match[4]) : 1;
      if (from < min || to > max || from > to || step < 1) throw bad(l10n.t('"{0}" is outside {1} to {2} in the {3} field', item, min, max, name));
      for (let v = from; v <= to; v += step) values.add(f === 4 && v === 7 ? 0 : v);
    }
    return values;
  });
  return { minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays: sets[4], anyDay: parts[2] === '*', anyWeekday: parts[4] === '*' };
}

/** Whether the schedule fires at this minute (UTC). Restricted day-of-month and day-of-week match either, as cron does. */
export function cronMatches(cron: CronSchedule, at: Date): boolean {
  if (!cron.minutes.has(at.getUTCMinutes()) || !cron.hours.has(at.getUTCHours()) || !cron.months.has(at.getUTCMonth() + 1)) return false;
  const day = cron.days.has(at.getUTCDate());
  const weekday = cron.weekdays.has(at.getUTCDay());
  if (cron.anyDay || cron.anyWeekday) return day && weekday;
  return day || weekday;
}

/** The latest minute in (after, until] at which the schedule fired, if any. */
export function lastFiring(cron: CronSchedule, after: Date, until: Date): Date | undefined {
  const minute = 60_000;
  const end = Math.floor(until.getTime() / minute) * minute;
  const start = Math.max(Math.floor(after.getTime() / minute) * minute + minute, end - LOOKBACK_MINUTES * minute);
  for (let t = end; t >= start; t -= minute) {
    const at = new Date(t);
    if (cronMatches(cron, at)) return at;
  }
  return undefined;
}
