// Puts the histograms of one column from one or two versions on one category axis, so their bars stand side by side.
import type { ColumnProfile, NumericHistogram, TopHistogram } from '../../src/core/data';

export interface SharedHistogram {
  labels: string[];
  /** One series per version, aligned with `labels`; empty where a version has no histogram. */
  series: number[][];
  /** True when bins had to be re-cut to a common set of edges (the counts are then estimates). */
  rebinned: boolean;
}

/**
 * Numeric columns: bins keep their edges when both versions share them; otherwise both are spread over common
 * edges across the union of their ranges. Categorical columns: the union of their top values, then the rest.
 */
export function sharedHistogram(profiles: (ColumnProfile | null)[], format: (value: number) => string, otherLabel: string): SharedHistogram | undefined {
  const histograms = profiles.map((p) => p?.histogram);
  const bins = histograms.filter((h): h is NumericHistogram => h?.kind === 'bins');
  const tops = histograms.filter((h): h is TopHistogram => h?.kind === 'top');
  if (bins.length > 0 && bins.length >= tops.length) return binnedTogether(histograms, bins, format);
  if (tops.length > 0) return topValuesTogether(histograms, otherLabel);
  return undefined;
}

function binnedTogether(histograms: (ColumnProfile['histogram'] | undefined)[], bins: NumericHistogram[], format: (value: number) => string): SharedHistogram {
  const same = bins.every((b) => b.edges.length === bins[0].edges.length && b.edges.every((e, i) => e === bins[0].edges[i]));
  const edges = same ? bins[0].edges : commonEdges(bins);
  const labels = edges.slice(0, -1).map((e) => format(e));
  const series = histograms.map((h) => (h?.kind !== 'bins' ? [] : same ? h.counts : spread(h, edges)));
  return { labels, series, rebinned: !same };
}

function commonEdges(bins: NumericHistogram[]): number[] {
  const low = Math.min(...bins.map((b) => b.edges[0]));
  const high = Math.max(...bins.map((b) => b.edges[b.edges.length - 1]));
  const count = Math.max(...bins.map((b) => b.counts.length));
  if (high === low) return [low, high];
  return Array.from({ length: count + 1 }, (_, i) => (i === count ? high : low + ((high - low) * i) / count));
}

/** Moves each bin's count into the target bins it overlaps, in proportion to the overlap. */
function spread(h: NumericHistogram, edges: number[]): number[] {
  const out = new Array<number>(edges.length - 1).fill(0);
  h.counts.forEach((count, i) => {
    const from = h.edges[i];
    const to = h.edges[i + 1];
    if (to <= from) {
      // a bin of one value (a constant column) lands wholly in the target bin that holds that value
      const j = Math.min(out.length - 1, Math.max(0, edges.findIndex((e, k) => k < out.length && from >= e && from <= edges[k + 1])));
      out[j] += count;
      return;
    }
    for (let j = 0; j < out.length; j++) {
      const overlap = Math.min(to, edges[j + 1]) - Math.max(from, edges[j]);
      if (overlap > 0) out[j] += (count * overlap) / (to - from);
    }
  });
  return out;
}

function topValuesTogether(histograms: (ColumnProfile['histogram'] | undefined)[], otherLabel: string): SharedHistogram {
  // The newer version's order first: that is the one people compare against.
  const keys: string[] = [];
  for (const h of [...histograms].reverse()) if (h?.kind === 'top') for (const v of h.values) if (!keys.includes(String(v.value))) keys.push(String(v.value));
  const withOther = histograms.some((h) => h?.kind === 'top' && h.other > 0);
  const series = histograms.map((h) => {
    if (h?.kind !== 'top') return [];
    const counts = new Map(h.values.map((v) => [String(v.value), v.count]));
    return [...keys.map((k) => counts.get(k) ?? 0), ...(withOther ? [h.other] : [])];
  });
  return { labels: [...keys, ...(withOther ? [otherLabel] : [])], series, rebinned: false };
}
