import type { Cell } from './dataset';

/**
 * Date and date-time text turned into numbers a model can split on. A raw date as a category teaches the model the
 * days it was trained on (and caps them at 255); its parts carry the seasons and the trend, and mean the same at
 * predict time for a day never seen.
 */
export const DATE_PARTS = ['year', 'month', 'dayOfYear', 'dayOfWeek', 'hour'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** A numeric feature computed from a date column of the input rather than read from a column of its own. */
export interface DatePartSource {
  readonly column: string;
  readonly part: DatePart;
}

/**
 * ISO 8601 as CSV exports and Parquet's text write it: a date, optionally a time after `T` or a space, optionally a
 * zone. The wall clock as written is what is read (no zone arithmetic): the hour a row was recorded at, where it was.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

interface WallClock {
  readonly ms: number;
  readonly hasTime: boolean;
  readonly hour: number;
}

function wallClock(text: string): WallClock | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 0 : Number(m[4])];
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2021-02-30 over to March: such text is not a date.
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || Number(m[5] ?? 0) > 59) return undefined;
  return { ms, hasTime: m[4] !== undefined, hour };
}

const DAY_MS = 86_400_000;

function partOf(clock: WallClock, part: DatePart): number {
  const date = new Date(clock.ms);
  switch (part) {
    case 'year':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'dayOfYear':
      return Math.round((clock.ms - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
    case 'dayOfWeek':
      // ISO: Monday 1 to Sunday 7.
      return ((date.getUTCDay() + 6) % 7) + 1;
    case 'hour':
      return clock.hour;
  }
}

/** The part of a cell's date, NaN when the cell is missing or not a date. */
export function datePartOfCell(cell: Cell, part: DatePart): number {
  if (typeof cell !== 'string') return NaN;
  const clock = wallClock(cell);
  return clock ? partOf(clock, part) : NaN;
}

/**
 * The parts a column of texts (undefined = missing) gives when every present value is a date, else undefined:
 * year, month, day of year and day of week, and the hour when some value has a time of day other than midnight.
 */
export function datePartsOfTexts(texts: readonly (string | undefined)[]): DatePart[] | undefined {
  let present = 0;
  let timed = false;
  const seen = new Map<string, boolean>();
  for (const text of texts) {
    if (text === undefined) continue;
    present++;
    let ok = seen.get(text);
    if (ok === undefined) {
      const clock = wallClock(text);
      ok = clock !== undefined;
      if (clock?.hasTime && clock.hour !== 0) timed = true;
      seen.set(text, ok);
    }
    if (!ok) return undefined;
  }
  if (present === 0) return undefined;
  return DATE_PARTS.filter((p) => p !== 'hour' || timed);
}

/** One part of every text of a date column, computed once per distinct text. */
export function datePartValues(texts: readonly (string | undefined)[], part: DatePart): Float64Array {
  const memo = new Map<string, number>();
  return Float64Array.from(texts, (text) => {
    if (text === undefined) return NaN;
    let v = memo.get(text);
    if (v === undefined) {
      v = datePartOfCell(text, part);
      memo.set(text, v);
    }
    return v;
  });
}

/** The name of a date part's feature: `date.month`. */
export const datePartFeatureName = (source: DatePartSource) => `${source.column}.${source.part}`;
