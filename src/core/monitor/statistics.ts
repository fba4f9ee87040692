/**
 * The drift statistics other than Kolmogorov–Smirnov, each as scipy (and Evidently around it) computes it. Numeric
 * inputs are sorted Float64Arrays without NaN; categorical inputs are counts per category, aligned between the
 * reference and the current data.
 */
import { chiSquareSurvival, normalTwoSidedP } from './distributions';

/**
 * ∫|F_a - F_b| dx, scipy's `wasserstein_distance(a, b)`, merging the two sorted samples one value at a time: between
 * consecutive pooled values the CDFs are constant, and tied values add a zero-width step.
 */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  // |F_a - F_b| = |i·n2 - j·n1| / (n1·n2): the integer part is exact, so a million steps accumulate no rounding.
  const scale = 1 / (n1 * n2);
  let i = 0;
  let j = 0;
  let gap = 0;
  let total = 0;
  let at = Math.min(a[0], b[0]);
  while (i < n1 && j < n2) {
    const x = a[i];
    const y = b[j];
    if (x <= y) {
      total += Math.abs(gap) * (x - at);
      at = x;
      gap += n2;
      i++;
    } else {
      total += Math.abs(gap) * (y - at);
      at = y;
      gap -= n1;
      j++;
    }
  }
  for (; i < n1; i++) {
    total += Math.abs(gap) * (a[i] - at);
    at = a[i];
    gap += n2;
  }
  for (; j < n2; j++) {
    total += Math.abs(gap) * (b[j] - at);
    at = b[j];
    gap -= n1;
  }
  return total * scale;
}

/** numpy's `np.std` (population): the mean first, then the mean squared deviation. */
export function populationStd(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

/** Evidently's normalisation: the distance in units of the reference's spread, which is floored so a constant reference does not divide by zero. */
export const MIN_NORMALISING_STD = 0.001;

export function normalisedWasserstein(reference: Float64Array, current: Float64Array): number {
  return wassersteinDistance(reference, current) / Math.max(populationStd(reference), MIN_NORMALISING_STD);
}

/**
 * numpy's `histogram_bin_edges(values, bins='sturges')` over both samples, from their extremes and pooled size:
 * ceil(range / (range / (log2 n + 1))) equal bins, the edges as `linspace` makes them (start + i·step, the last
 * edge the maximum itself).
 */
export function sturgesEdges(a: Float64Array, b: Float64Array): Float64Array {
  let first = Math.min(a[0], b[0]);
  let last = Math.max(a[a.length - 1], b[b.length - 1]);
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (last - first) / (Math.log2(a.length + b.length) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** Counts of a sorted sample per bin: [e_i, e_i+1), the last bin closed, as `np.histogram` counts. */
export function binCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length - 1);
  let previous = lowerBound(sorted, edges[0]);
  for (let i = 1; i < edges.length; i++) {
    const end = i === edges.length - 1 ? upperBound(sorted, edges[i]) : lowerBound(sorted, edges[i]);
    counts[i - 1] = end - previous;
    previous = end;
  }
  return counts;
}

function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function upperBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Shares of the total. */
export function shares(counts: Float64Array, total: number): Float64Array {
  return counts.map((c) => c / total);
}

/**
 * scipy's `jensenshannon(p, q)` with the natural log: each distribution normalised to sum 1, then
 * sqrt((KL(p‖m) + KL(q‖m)) / 2) with m their mean, a zero share contributing nothing.
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  const sp = sum(p);
  const sq = sum(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) left += pi * Math.log(pi / mi);
    if (qi > 0) right += qi * Math.log(qi / mi);
  }
  return Math.sqrt((left + right) / 2);
}

/**
 * Evidently's population stability index, Σ (r - c) ln(r / c), after an empty share is replaced on each side by
 * that side's smallest non-zero share / 10^6 when that share is at most 1e-4, else by 1e-4.
 */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  const r = withoutEmptyShares(reference);
  const c = withoutEmptyShares(current);
  let total = 0;
  for (let i = 0; i < r.length; i++) total += (r[i] - c[i]) * Math.log(r[i] / c[i]);
  return total;
}

function withoutEmptyShares(values: Float64Array): Float64Array {
  let smallest = Infinity;
  for (const v of values) if (v !== 0 && v < smallest) smallest = v;
  const filler = smallest <= 1e-4 ? smallest / 1e6 : 1e-4;
  return values.map((v) => (v === 0 ? filler : v));
}

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
}

/**
 * scipy's `chisquare(observed, expected)` where the expected counts are the reference's scaled to the current
 * size: Σ (o - e)² / e over the categories, p from the chi-square distribution with k - 1 degrees of freedom. A
 * category the reference never saw has e = 0: the statistic is infinite and p is 0, as in scipy.
 */
export function chiSquareTest(referenceCounts: Float64Array, currentCounts: Float64Array): ChiSquareResult {
  const scale = sum(currentCounts) / sum(referenceCounts);
  let statistic = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const expected = referenceCounts[i] * scale;
    const observed = currentCounts[i];
    statistic += expected === 0 ? (observed === 0 ? 0 : Infinity) : (observed - expected) ** 2 / expected;
  }
  // One category: nothing can differ, and a chi-square with 0 degrees of freedom has no tail (scipy gives NaN).
  const pValue = referenceCounts.length < 2 ? 1 : chiSquareSurvival(statistic, referenceCounts.length - 1);
  return { statistic, pValue };
}

export interface ZTestResult {
  statistic: number;
  pValue: number;
}

/**
 * Evidently's two-proportion z-test on the share of one category (`category`, an index into the counts) in each
 * sample, with the pooled share in the standard error; two-sided p. Both samples holding only that same single
 * value is no evidence of change: p = 1.
 */
export function twoProportionZTest(referenceCounts: Float64Array, currentCounts: Float64Array, category: number): ZTestResult {
  const n1 = sum(referenceCounts);
  const n2 = sum(currentCounts);
  const p1 = referenceCounts[category] / n1;
  const p2 = currentCounts[category] / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (variance === 0) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: normalTwoSidedP(statistic) };
}

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
