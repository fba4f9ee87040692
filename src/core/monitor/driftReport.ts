import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { asCategorical, columnLength, type CategoricalDriftColumn, type DriftColumn, type DriftTable } from './driftTable';
import { ksTwoSample } from './kolmogorov';
import { sortedFinite } from './sortedColumn';
import {
  binCounts, chiSquareTest, jensenShannonDistance, normalisedWasserstein, populationStabilityIndex, shares, sturgesEdges, twoProportionZTest,
} from './statistics';

export const STAT_TESTS = ['ks', 'wasserstein', 'psi', 'jensenshannon', 'chisquare', 'z'] as const;
export type StatTest = (typeof STAT_TESTS)[number];

/** Evidently's defaults: p-value tests drift at or below (ks) or below (chi-square, z) their threshold, distances at or above theirs. */
export const DEFAULT_THRESHOLDS: Readonly<Record<StatTest, number>> = { ks: 0.05, chisquare: 0.05, z: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 };
const P_VALUE_TESTS: ReadonlySet<StatTest> = new Set(['ks', 'chisquare', 'z']);
const NUMERIC_ONLY: ReadonlySet<StatTest> = new Set(['ks', 'wasserstein']);

const DEFAULT_DRIFT_SHARE = 0.5;

/** Above this many reference values the default tests are distances, not p-values, which flag any tiny shift on big samples. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Numeric columns with more distinct values (reference and current together) get KS or Wasserstein by default. */
const CONTINUOUS_MIN_DISTINCT = 6;
/** Numeric columns with more distinct reference values are binned by Sturges edges for JS and PSI; others by value. */
const BIN_BY_VALUE_MAX_DISTINCT = 20;

export interface ColumnTestChoice {
  stattest?: StatTest;
  threshold?: number;
}

export interface DriftOptions {
  /** Columns to compare, in this order; default every reference column. */
  columns?: readonly string[];
  /** One test (and threshold) for every column, instead of the default choice. */
  stattest?: StatTest;
  threshold?: number;
  /** Per-column test and threshold; wins over `stattest`/`threshold`. */
  perColumn?: Readonly<Record<string, ColumnTestChoice>>;
  /** The dataset drifts when at least this share of its columns drift (default 0.5). */
  driftShare?: number;
  /** More tests to report beside each column's own, at their default thresholds (the flag ignores them): PSI next to the default, say. */
  also?: readonly StatTest[];
  signal?: AbortSignal;
}

/** A test reported beside a column's own; it does not decide the column's drift. */
export interface AdditionalTest {
  test: StatTest;
  statistic: number;
  pValue: number | null;
  threshold: number;
  drift: boolean;
}

export interface ColumnHistogram {
  /** Bin edges of a numeric column binned by Sturges (one more than the shares)... */
  edges?: number[];
  /** ...or the values or categories, one per share. */
  categories?: string[];
  /** Shares of the non-missing values. */
  reference: number[];
  current: number[];
}

export interface ColumnDrift {
  name: string;
  type: 'numeric' | 'categorical';
  test: StatTest;
  statistic: number;
  /** Null for a distance (Wasserstein, Jensen–Shannon, PSI). */
  pValue: number | null;
  threshold: number;
  drift: boolean;
  /** Shares of missing values, reported apart: a change there is not counted as drift. */
  missingShare: { reference: number; current: number };
  histogram: ColumnHistogram;
  /** The `also` tests, when asked for. */
  also?: AdditionalTest[];
}

export interface DriftReport {
  datasetDrift: boolean;
  /** Drifted columns over compared columns: the one number `datasetDrift` is decided from. */
  driftShare: number;
  /** The `driftShare` option the flag was decided against. */
  driftShareThreshold: number;
  driftedColumns: number;
  numberOfColumns: number;
  referenceRows: number;
  currentRows: number;
  columns: ColumnDrift[];
}

/**
 * Compares each column of `current` with the same column of `reference`. Missing values are left out of every test
 * and reported apart. Each numeric column is sorted once; the KS and Wasserstein walks and the binning reuse it.
 */
export function driftReport(reference: DriftTable, current: DriftTable, options: DriftOptions = {}): DriftReport {
  const pairs = columnPairs(reference, current, options);
  const columns: ColumnDrift[] = [];
  for (const [r, c] of pairs) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    columns.push(compareColumn(r, c, options));
  }
  return summarize(reference, current, columns, options);
}

/** The columns to compare, each with its counterpart, after checking the tables and options: what both the serial and the threaded report start from. */
export function columnPairs(reference: DriftTable, current: DriftTable, options: DriftOptions): [DriftColumn, DriftColumn][] {
  const names = options.columns ?? reference.columns.map((c) => c.name);
  if (names.length === 0) throw new MlopsError(l10n.t('There is no column to compare.'), l10n.t('Give the columns to compare with --columns, or a reference table with columns.'), 'NO_COLUMNS');
  if (current.rows === 0) throw new MlopsError(l10n.t('The current data has no rows: there is nothing to compare with the reference.'), l10n.t('Choose a current version or window that holds data.'), 'EMPTY_CURRENT');
  if (reference.rows === 0) throw new MlopsError(l10n.t('The reference data has no rows.'), l10n.t('Choose a reference version that holds data.'), 'EMPTY_REFERENCE');
  const share = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(share > 0 && share <= 1)) {
    throw new MlopsError(l10n.t('The drift share {0} is not between 0 and 1.', share), l10n.t('Give the share of drifted columns that makes the dataset drift, for example 0.5.'), 'BAD_DRIFT_SHARE');
  }
  return names.map((name) => [findColumn(reference, name, 'reference'), findColumn(current, name, 'current')]);
}

/** The dataset's verdict from its columns' verdicts: one rule, so the flag and the table never disagree. */
export function summarize(reference: DriftTable, current: DriftTable, columns: ColumnDrift[], options: DriftOptions): DriftReport {
  const driftShareThreshold = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const driftedColumns = columns.filter((c) => c.drift).length;
  const driftShare = driftedColumns / columns.length;
  return {
    datasetDrift: driftShare >= driftShareThreshold, driftShare, driftShareThreshold, driftedColumns, numberOfColumns: columns.length,
    referenceRows: reference.rows, currentRows: current.rows, columns,
  };
}

/**
 * Prediction drift is data drift of one column, the model's output: the same tests and defaults, the same report
 * (its `datasetDrift` is that column's drift with the default share).
 */
export function predictionDrift(reference: DriftTable, current: DriftTable, predictionColumn: string, options: Omit<DriftOptions, 'columns'> = {}): ColumnDrift {
  return driftReport(reference, current, { ...options, columns: [predictionColumn] }).columns[0];
}

function findColumn(table: DriftTable, name: string, side: 'reference' | 'current'): DriftColumn {
  const column = table.columns.find((c) => c.name === name);
  if (column) return column;
  const available = table.columns.map((c) => c.name).join(', ');
  if (side === 'current') {
    throw new MlopsError(
      l10n.t('The column "{0}" is missing from the current data (it has: {1}).', name, available),
      l10n.t('Compare only the columns both sides have (--columns), or fix the current data so it has the reference\'s columns.'),
      'MISSING_COLUMN',
    );
  }
  throw new MlopsError(l10n.t('The column "{0}" is not in the reference data (it has: {1}).', name, available), l10n.t('Name columns of the reference with --columns.'), 'MISSING_COLUMN');
}

/**
 * Distinct values of the reference and of both samples together, counted only as far as the choices need: whether
 * the reference has more than 20 (binning) and the pair at least 6 (the default test).
 */
function distinctCounts(a: Float64Array, b: Float64Array): { reference: number; pooled: number } {
  let reference = 0;
  for (let i = 0; i < a.length && reference <= BIN_BY_VALUE_MAX_DISTINCT; i++) if (i === 0 || a[i] !== a[i - 1]) reference++;
  let pooled = 0;
  let i = 0;
  let j = 0;
  while ((i < a.length || j < b.length) && pooled < CONTINUOUS_MIN_DISTINCT) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    pooled++;
  }
  return { reference, pooled };
}

/** Counts per distinct value of two sorted samples, aligned: the "by value" binning of a numeric column. */
function countsByValue(a: Float64Array, b: Float64Array): { values: number[]; reference: Float64Array; current: Float64Array } {
  const values: number[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    const i0 = i;
    const j0 = j;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    values.push(v);
    reference.push(i - i0);
    current.push(j - j0);
  }
  return { values, reference: Float64Array.from(reference), current: Float64Array.from(current) };
}

/** Counts per category of both sides, aligned: the reference's categories first, then those new in current. */
function countsByCategory(a: CategoricalDriftColumn, b: CategoricalDriftColumn): { categories: string[]; reference: Float64Array; current: Float64Array; missing: [number, number] } {
  const referenceCounts = new Float64Array(a.categories.length);
  let missingReference = 0;
  for (const code of a.codes) {
    if (code < 0) missingReference++;
    else referenceCounts[code]++;
  }
  const currentCounts = new Float64Array(b.categories.length);
  let missingCurrent = 0;
  for (const code of b.codes) {
    if (code < 0) missingCurrent++;
    else currentCounts[code]++;
  }
  const slot = new Map<string, number>();
  const categories: string[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  const add = (category: string) => {
    let k = slot.get(category);
    if (k === undefined) {
      k = categories.length;
      slot.set(category, k);
      categories.push(category);
      reference.push(0);
      current.push(0);
    }
    return k;
  };
  a.categories.forEach((c, code) => referenceCounts[code] > 0 && (reference[add(c)] += referenceCounts[code]));
  b.categories.forEach((c, code) => currentCounts[code] > 0 && (current[add(c)] += currentCounts[code]));
  return { categories, reference: Float64Array.from(reference), current: Float64Array.from(current), missing: [missingReference, missingCurrent] };
}

/** Evidently's default: by the reference's size, the column's kind and its distinct values on both sides. */
export function defaultStatTest(type: 'numeric' | 'categorical', referenceValues: number, pooledDistinct: number): StatTest {
  const continuous = type === 'numeric' && pooledDistinct >= CONTINUOUS_MIN_DISTINCT;
  if (referenceValues <= SMALL_REFERENCE_ROWS) return continuous ? 'ks' : pooledDistinct > 2 ? 'chisquare' : 'z';
  return continuous ? 'wasserstein' : 'jensenshannon';
}

export function isDrift(test: StatTest, statistic: number, pValue: number | null, threshold: number): boolean {
  if (test === 'ks') return pValue! <= threshold;
  if (P_VALUE_TESTS.has(test)) return pValue! < threshold;
  return statistic >= threshold;
}

interface PreparedCounts {
  labels: { edges?: number[]; categories?: string[] };
  reference: Float64Array;
  current: Float64Array;
}

type Measure = (test: StatTest) => { statistic: number; pValue: number | null };

/** Compares one column; exported for the worker threads, which each take whole columns. */
export function compareColumn(referenceColumn: DriftColumn, currentColumn: DriftColumn, options: DriftOptions): ColumnDrift {
  const name = referenceColumn.name;
  const numeric = referenceColumn.kind === 'numeric' && currentColumn.kind === 'numeric';
  const choice = options.perColumn?.[name];
  const chosen = choice?.stattest ?? options.stattest;
  for (const t of [chosen, ...(options.also ?? [])]) {
    if (t && NUMERIC_ONLY.has(t) && !numeric) {
      throw new MlopsError(l10n.t('The test {0} compares numbers, and the column "{1}" holds text.', t, name), l10n.t('Use chisquare, z, jensenshannon or psi for a text column.'), 'BAD_STATTEST');
    }
  }
  const type = numeric ? 'numeric' : 'categorical';
  let missing: [number, number];
  let referenceValues: number;
  let currentValues: number;
  let test: StatTest;
  let histogram: PreparedCounts;
  let measure: Measure;
  if (numeric) {
    const ref = sortedFinite(referenceColumn.values);
    const cur = sortedFinite(currentColumn.values);
    missing = [ref.missing, cur.missing];
    referenceValues = ref.sorted.length;
    currentValues = cur.sorted.length;
    checkNotEmpty(name, referenceValues, currentValues);
    const distinct = distinctCounts(ref.sorted, cur.sorted);
    test = chosen ?? defaultStatTest('numeric', referenceValues, distinct.pooled);
    let byValueCounts: PreparedCounts | undefined;
    const byValue = (): PreparedCounts => {
      if (byValueCounts) return byValueCounts;
      const counts = countsByValue(ref.sorted, cur.sorted);
      byValueCounts = { labels: { categories: counts.values.map(String) }, reference: counts.reference, current: counts.current };
      return byValueCounts;
    };
    if (distinct.reference <= BIN_BY_VALUE_MAX_DISTINCT) histogram = byValue();
    else {
      const edges = sturgesEdges(ref.sorted, cur.sorted);
      histogram = { labels: { edges: Array.from(edges) }, reference: binCounts(ref.sorted, edges), current: binCounts(cur.sorted, edges) };
    }
    // Every test reads the same sorted arrays and bins: a second test on a column costs its walk, not another sort.
    measure = (t) => {
      if (t === 'ks') return ksTwoSample(ref.sorted, cur.sorted);
      if (t === 'wasserstein') return { statistic: normalisedWasserstein(ref.sorted, cur.sorted), pValue: null };
      return fromCounts(t, t === 'chisquare' || t === 'z' ? byValue() : histogram, referenceValues, currentValues);
    };
  } else {
    const counts = countsByCategory(asCategorical(referenceColumn), asCategorical(currentColumn));
    missing = counts.missing;
    referenceValues = columnLength(referenceColumn) - missing[0];
    currentValues = columnLength(currentColumn) - missing[1];
    checkNotEmpty(name, referenceValues, currentValues);
    test = chosen ?? defaultStatTest('categorical', referenceValues, counts.categories.length);
    histogram = { labels: { categories: counts.categories }, reference: counts.reference, current: counts.current };
    measure = (t) => fromCounts(t, histogram, referenceValues, currentValues);
  }
  const threshold = choice?.threshold ?? options.threshold ?? DEFAULT_THRESHOLDS[test];
  const { statistic, pValue } = measure(test);
  const also = options.also?.map((t): AdditionalTest => {
    const m = measure(t);
    return { test: t, ...m, threshold: DEFAULT_THRESHOLDS[t], drift: isDrift(t, m.statistic, m.pValue, DEFAULT_THRESHOLDS[t]) };
  });
  return {
    name, type, test, statistic, pValue, threshold, drift: isDrift(test, statistic, pValue, threshold),
    missingShare: { reference: missing[0] / columnLength(referenceColumn), current: missing[1] / columnLength(currentColumn) },
    histogram: { ...histogram.labels, reference: Array.from(shares(histogram.reference, referenceValues)), current: Array.from(shares(histogram.current, currentValues)) },
    ...(also ? { also } : {}),
  };
}

function fromCounts(test: StatTest, counts: PreparedCounts, referenceValues: number, currentValues: number): { statistic: number; pValue: number | null } {
  if (test === 'chisquare') return chiSquareTest(counts.reference, counts.current);
  if (test === 'z') return twoProportionZTest(counts.reference, counts.current, firstCategory(counts));
  const r = shares(counts.reference, referenceValues);
  const c = shares(counts.current, currentValues);
  return { statistic: test === 'psi' ? populationStabilityIndex(r, c) : jensenShannonDistance(r, c), pValue: null };
}

/** The category whose share the z-test compares: the first in sorted order, so the choice does not depend on row order. */
function firstCategory(counts: PreparedCounts): number {
  const labels = counts.labels.categories!;
  let best = 0;
  for (let k = 1; k < labels.length; k++) if (labels[k] < labels[best]) best = k;
  return best;
}

function checkNotEmpty(name: string, referenceValues: number, currentValues: number): void {
  if (referenceValues === 0) throw new MlopsError(l10n.t('The column "{0}" has no values in the reference data, only missing ones.', name), l10n.t('Leave it out with --columns.'), 'EMPTY_COLUMN');
  if (currentValues === 0) throw new MlopsError(l10n.t('The column "{0}" has no values in the current data, only missing ones.', name), l10n.t('Leave it out with --columns, or check how the current data was collected.'), 'EMPTY_COLUMN');
}
