/**
 * Sorts finite doubles ascending, in place, by a least-significant-digit radix sort on their bits: six passes of 11
 * bits (2,048 buckets stay in cache) over keys that order like the numbers (sign bit flipped for positives, every bit for negatives). For a
 * million values it takes a fraction of TypedArray.prototype.sort's comparison sort, and sorting is most of a drift
 * check's time. -0 sorts before +0, as with sort().
 */
export function sortFinite(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 4096) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const counts = new Uint32Array(PASSES * BUCKETS);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1];
    const negative = h >>> 31;
    // Negative: flip every bit (larger magnitude sorts first); positive: flip the sign bit only.
    const l = negative ? ~words[2 * i] >>> 0 : words[2 * i];
    const k = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = l;
    hi[i] = k;
    counts[l & MASK]++;
    counts[BUCKETS + ((l >>> 11) & MASK)]++;
    counts[2 * BUCKETS + (l >>> 22)]++;
    counts[3 * BUCKETS + (k & MASK)]++;
    counts[4 * BUCKETS + ((k >>> 11) & MASK)]++;
    counts[5 * BUCKETS + (k >>> 22)]++;
  }
  let loOut = new Uint32Array(n);
  let hiOut = new Uint32Array(n);
  for (let pass = 0; pass < PASSES; pass++) {
    const base = pass * BUCKETS;
    let offset = 0;
    let skip = false;
    for (let d = 0; d < BUCKETS; d++) {
      const c = counts[base + d];
      // A digit all keys share orders nothing: its pass is skipped.
      if (c === n) skip = true;
      counts[base + d] = offset;
      offset += c;
    }
    if (skip) continue;
    const shift = (pass % 3) * 11;
    const source = pass < 3 ? lo : hi;
    for (let i = 0; i < n; i++) {
      const slot = counts[base + ((source[i] >>> shift) & MASK)]++;
      loOut[slot] = lo[i];
      hiOut[slot] = hi[i];
    }
    [lo, loOut] = [loOut, lo];
    [hi, hiOut] = [hiOut, hi];
  }
  for (let i = 0; i < n; i++) {
    const k = hi[i];
    const negative = !(k >>> 31);
    words[2 * i] = negative ? ~lo[i] >>> 0 : lo[i];
    words[2 * i + 1] = negative ? ~k >>> 0 : (k & 0x7fffffff) >>> 0;
  }
  return values;
}

const PASSES = 6;
const BUCKETS = 2048;
const MASK = BUCKETS - 1;
