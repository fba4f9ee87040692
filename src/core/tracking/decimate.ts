/** A series reduced for drawing: the points to plot, and how many the full series (or range) had. */
export interface DecimatedSeries {
  steps: number[];
  values: number[];
  /** Points of the series inside the requested range, before decimation. */
  total: number;
}

/** Steps to keep, inclusive at both ends. */
export interface StepRange {
  from: number;
  to: number;
}

/**
 * Reduces a metric series to at most `maxPoints` points for a chart, keeping its shape: the points are cut into
 * equal buckets by position and each bucket keeps its lowest and highest value, in their logged order, plus the very
 * first and last points. A spike of one point in 100,000 is still drawn, which averaging or plain sampling would
 * lose, and the cost is one pass over the data. With `range`, only points whose step lies in it are considered, and
 * the neighbours just outside it are kept too so the line runs to the edges of a zoomed chart.
 * NaN values (logged as "NaN") are skipped: a chart cannot place them.
 */
export function decimateSeries(steps: ArrayLike<number>, values: ArrayLike<number>, maxPoints: number, range?: StepRange): DecimatedSeries {
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be 2 or more, got ${maxPoints}`);
  const { indices, inRange: total } = pointsToConsider(steps, values, range);
  const out: DecimatedSeries = { steps: [], values: [], total };
  const keep = (i: number) => {
    out.steps.push(steps[i]);
    out.values.push(values[i]);
  };
  if (indices.length <= maxPoints) {
    for (const i of indices) keep(i);
    return out;
  }
  const first = indices[0];
  const last = indices[indices.length - 1];
  keep(first);
  const inner = indices.length - 2;
  const buckets = Math.floor((maxPoints - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let lo = indices[from];
    let hi = lo;
    for (let k = from + 1; k < to; k++) {
      const i = indices[k];
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
    }
    if (lo === hi) keep(lo);
    else if (lo < hi) {
      keep(lo);
      keep(hi);
    } else {
      keep(hi);
      keep(lo);
    }
  }
  keep(last);
  return out;
}

/** Indices of the non-NaN points in `range` (all of them without one), with the nearest neighbour on each side. */
function pointsToConsider(steps: ArrayLike<number>, values: ArrayLike<number>, range: StepRange | undefined): { indices: Int32Array; inRange: number } {
  // A typed array filled in one pass: 100,000 points cost a few milliseconds, where growing an array cost several times that.
  const kept = new Int32Array(values.length + 2);
  let n = 0;
  let before = -1;
  let after = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    if (!range || (steps[i] >= range.from && steps[i] <= range.to)) kept[n++] = i;
    else if (steps[i] < range.from && (before < 0 || steps[i] > steps[before])) before = i;
    else if (steps[i] > range.to && (after < 0 || steps[i] < steps[after])) after = i;
  }
  const inRange = n;
  if (before >= 0) kept[n++] = before;
  if (after >= 0) kept[n++] = after;
  const indices = kept.subarray(0, n);
  // Keep logged order; steps logged out of order are rare, so sort only when the neighbours were added.
  if (n > inRange) indices.sort();
  return { indices, inRange };
}
