import { Rng } from './random';
import { FeatureMatrix, FeatureSpec } from './schema';

/**
 * Histogram trees never look at raw values while growing: each column is cut once into at most 255 bins (one per
 * distinct value when there are few, quantiles otherwise) and stored as one byte per row. Bin 255 is reserved for
 * missing values, so every histogram has the same 256 slots and the missing rows can be sent to either side.
 */
export const MISSING_BIN = 255;
const MAX_BINS = 255;
/**
 * Quantiles from a sample: 255 quantiles need nothing like every value, and sorting is the costly part of binning
 * (scikit-learn samples 200,000 values with a C sort; JavaScript's typed-array sort is several times slower).
 */
const QUANTILE_SAMPLE = 50_000;

export interface BinnedColumn {
  readonly bins: Uint8Array;
  /** Non-missing bins used (bins 0..nBins-1). */
  readonly nBins: number;
  /** Numeric columns: value x goes to the first bin b with x <= edges[b] (the last bin has no edge). */
  readonly edges: Float64Array | null;
}

const cache = new WeakMap<Float64Array, BinnedColumn>();

/** Bins each column once per column array: a search over many models and folds reuses the same bytes. */
export function binColumns(features: readonly FeatureSpec[], matrix: FeatureMatrix): BinnedColumn[] {
  return features.map((spec, f) => {
    const values = matrix.columns[f];
    let binned = cache.get(values);
    if (!binned) {
      binned = spec.kind === 'numeric' ? binNumeric(values) : binCategorical(values, spec.vocabulary.length);
      cache.set(values, binned);
    }
    return binned;
  });
}

function binCategorical(codes: Float64Array, nCategories: number): BinnedColumn {
  const bins = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) bins[i] = Number.isNaN(codes[i]) ? MISSING_BIN : codes[i];
  return { bins, nBins: Math.max(1, nCategories), edges: null };
}

function binNumeric(values: Float64Array): BinnedColumn {
  const edges = numericEdges(values);
  const bins = new Uint8Array(values.length);
  const m = edges.length;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) {
      bins[i] = MISSING_BIN;
      continue;
    }
    bins[i] = searchSorted(edges, x);
  }
  return { bins, nBins: m + 1, edges };
}

/**
 * The number of values of `sorted` (ascending, no NaN) below x, which is the first index whose value is >= x.
 * The halving adds a comparison's 0 or 1 instead of branching on it: on continuous data that branch is a coin
 * flip, and its mispredictions made the usual binary search several times slower.
 */
export function searchSorted(sorted: Float64Array, x: number): number {
  let lo = 0;
  let n = sorted.length;
  while (n > 1) {
    const half = n >>> 1;
    lo += +(sorted[lo + half - 1] < x) * half;
    n -= half;
  }
  return n === 1 ? lo + +(sorted[lo] < x) : lo;
}

function numericEdges(values: Float64Array): Float64Array {
  let present = 0;
  for (const v of values) if (!Number.isNaN(v)) present++;
  let sample = new Float64Array(present);
  let k = 0;
  for (const v of values) if (!Number.isNaN(v)) sample[k++] = v;
  if (present > QUANTILE_SAMPLE) {
    // Fixed seed: the edges must not depend on the training seed, so that binning can be shared.
    const rng = new Rng(0x5eed);
    for (let i = 0; i < QUANTILE_SAMPLE; i++) {
      const j = i + rng.int(present - i);
      const t = sample[i];
      sample[i] = sample[j];
      sample[j] = t;
    }
    sample = sample.slice(0, QUANTILE_SAMPLE);
  }
  sample.sort();
  // Stops at MAX_BINS + 1 distinct values: a continuous column needs quantiles, and listing all its values is waste.
  const distinct: number[] = [];
  for (let i = 0; i < sample.length && distinct.length <= MAX_BINS; i++) if (i === 0 || sample[i] !== sample[i - 1]) distinct.push(sample[i]);
  if (distinct.length <= MAX_BINS) {
    // One bin per value; the edge halfway between neighbours, as a threshold between them.
    return Float64Array.from(distinct.slice(1), (v, i) => (distinct[i] + v) / 2);
  }
  const edges: number[] = [];
  for (let q = 1; q < MAX_BINS; q++) {
    const pos = (q * (sample.length - 1)) / MAX_BINS;
    const lo = Math.floor(pos);
    const edge = sample[lo] + (sample[Math.min(lo + 1, sample.length - 1)] - sample[lo]) * (pos - lo);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return Float64Array.from(edges);
}
