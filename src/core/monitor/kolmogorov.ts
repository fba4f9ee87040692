/**
 * The two-sample Kolmogorov–Smirnov test as scipy's `ks_2samp(a, b)` (two-sided, method 'auto') computes it: the
 * statistic from the two empirical CDFs, the p-value exact when neither sample exceeds 10,000 values, otherwise
 * from the one-sample Kolmogorov distribution of n = round(n1·n2/(n1+n2)), with the same choice of method per
 * region of (n, x) as scipy's `kstwo.sf` (Simard & L'Ecuyer 2011).
 */

/** scipy's MAX_AUTO_N: above it, 'auto' goes asymptotic. */
const EXACT_MAX_N = 10000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** `a` and `b` sorted ascending, without NaN, neither empty. */
export function ksTwoSample(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  const d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    // The exact statistic is a multiple of 1/lcm; the float difference of the CDFs is rounded back to it.
    const h = roundHalfEven(d * lcm);
    const exact = h === 0 ? 1 : outsideProbability(n1, n2, h * g);
    if (exact >= 0 && exact <= 1) return { statistic: h / lcm, pValue: exact, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  return { statistic: d, pValue: clip(kolmogorovSurvival(roundHalfEven((m * n) / (m + n)), d)), method: 'asymptotic' };
}

/**
 * sup |F1 - F2| over the pooled values, each CDF as count/size in floating point, the same divisions numpy makes,
 * so the statistic agrees to the last bit.
 */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return Math.max(Math.min(-min, 1), max);
}

/**
 * P(D ≥ d) for the exact null distribution: every ordering of the pooled samples equally likely, i.e. a uniform
 * monotone lattice path from (0,0) to (n1,n2). `bound` = d·n1·n2: the path is outside where |i·n2 - j·n1| ≥ bound.
 * Carries the probability of having stayed inside, row by row, and adds up what leaves: a sum of positive terms,
 * so a tiny p-value keeps its relative precision (1 - P(inside) would not).
 */
function outsideProbability(n1: number, n2: number, bound: number): number {
  let previous = new Float64Array(n2 + 1);
  let current = new Float64Array(n2 + 1);
  let previousLow = 0;
  let previousHigh = -1;
  let outside = 0;
  const inside = (i: number, j: number) => Math.abs(i * n2 - j * n1) < bound;
  for (let i = 0; i <= n1; i++) {
    // Inside points of row i: |i·n2 - j·n1| < bound, a contiguous range of j.
    const low = Math.max(0, Math.floor((i * n2 - bound) / n1) + 1);
    const high = Math.min(n2, Math.ceil((i * n2 + bound) / n1) - 1);
    let left = 0;
    for (let j = low; j <= high; j++) {
      let mass = i === 0 && j === 0 ? 1 : 0;
      if (i > 0 && j >= previousLow && j <= previousHigh) mass += previous[j] * ((n1 - i + 1) / (n1 - i + 1 + n2 - j));
      if (j > low) mass += left * ((n2 - j + 1) / (n1 - i + n2 - j + 1));
      current[j] = mass;
      left = mass;
      const remaining = n1 - i + n2 - j;
      if (remaining === 0) continue;
      // Steps that leave the band: to (i+1, j) and (i, j+1).
      if (i < n1 && !inside(i + 1, j)) outside += mass * ((n1 - i) / remaining);
      if (j < n2 && !inside(i, j + 1)) outside += mass * ((n2 - j) / remaining);
    }
    if (high < low) return outside;
    [previous, current] = [current, previous];
    previousLow = low;
    previousHigh = high;
  }
  return outside;
}

/** P(D_n ≥ x) for the one-sample two-sided Kolmogorov statistic, region by region as scipy's kstwo.sf. */
export function kolmogorovSurvival(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: P(D_n ≤ x) = n!/n^n (2t-1)^n for 1/2n ≤ x ≤ 1/n.
    if (t <= 0.5) return 1;
    return clip(1 - Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1)));
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSurvival(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSurvival(n, x));
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/** log(n!/n^n), summed exactly enough for the Ruben–Gambino tail. */
function logFactorialOverPower(n: number): number {
  let sum = 0;
  const logN = Math.log(n);
  for (let i = 1; i <= n; i++) sum += Math.log(i) - logN;
  return sum;
}

const TWO_POW_128 = 2 ** 128;

/**
 * P(D_n < x) by Durbin's matrix (Marsaglia, Tsang & Wang 2003): with nx = k - h, the k-th diagonal element of H^n
 * times n!/n^n, H of size 2k-1. Powers are rescaled by 2^128 as they grow; the exponent is kept apart.
 */
function durbinCdf(n: number, x: number): number {
  const nx = n * x;
  if (nx <= 0.5) return 0;
  const k = Math.ceil(nx);
  const h = k - nx;
  const m = 2 * k - 1;
  const matrix = new Float64Array(m * m);
  // H[i][j] = 1/(i-j+1)! where i-j+1 ≥ 0, with the first column and last row corrected by powers of h.
  const inverseFactorial = new Float64Array(m + 1);
  inverseFactorial[0] = 1;
  for (let i = 1; i <= m; i++) inverseFactorial[i] = inverseFactorial[i - 1] / i;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) if (i - j + 1 >= 0) matrix[i * m + j] = inverseFactorial[i - j + 1];
  }
  for (let i = 0; i < m; i++) {
    matrix[i * m] -= h ** (i + 1) * inverseFactorial[i + 1];
    matrix[(m - 1) * m + i] -= h ** (m - i) * inverseFactorial[m - i];
  }
  matrix[(m - 1) * m] += (2 * h - 1 > 0 ? (2 * h - 1) ** m : 0) * inverseFactorial[m];
  let power: Float64Array | undefined;
  let powerExponent = 0;
  let base: Float64Array = matrix;
  let baseExponent = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      power = power ? multiply(power, base, m) : base.slice();
      powerExponent += baseExponent;
      if (Math.abs(power[(k - 1) * m + (k - 1)]) > TWO_POW_128) {
        scale(power, 1 / TWO_POW_128);
        powerExponent += 128;
      }
    }
    if (e > 1) {
      base = multiply(base, base, m);
      baseExponent *= 2;
      if (Math.abs(base[(k - 1) * m + (k - 1)]) > TWO_POW_128) {
        scale(base, 1 / TWO_POW_128);
        baseExponent += 128;
      }
    }
  }
  let p = power![(k - 1) * m + (k - 1)];
  let exponent = powerExponent;
  for (let i = 1; i <= n; i++) {
    p = (p * i) / n;
    if (Math.abs(p) < 1 / TWO_POW_128) {
      p *= TWO_POW_128;
      exponent -= 128;
    }
  }
  // In two steps: 2^exponent alone may overflow or underflow where the product does not.
  const half = Math.trunc(exponent / 2);
  return p * 2 ** half * 2 ** (exponent - half);
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += ail * b[l * m + j];
    }
  }
  return out;
}

function scale(a: Float64Array, factor: number): void {
  for (let i = 0; i < a.length; i++) a[i] *= factor;
}

const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
const LOG_MIN = Math.log(Number.MIN_VALUE * 2 ** 52);

/**
 * Pelz & Good (1976): P(D_n ≤ x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5 with z = x√n, each K written with
 * Jacobi theta functions as sums over odd m of q^(m²), q = exp(-π²/8z²), which converge fast for small z.
 */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const logQ = -PI2 / 8 / z2;
  if (logQ < LOG_MIN) return 0;
  const q = Math.exp(logQ);
  const terms = Math.ceil((16 * z) / Math.PI);
  const k = [0, 0, 0, 0];
  for (let i = 1; i <= terms; i++) {
    const m = 2 * i - 1;
    const m2 = m * m;
    const weight = q ** m2;
    k[0] += weight;
    k[1] += weight * (PI2 * m2 / 4 - z2);
    k[2] += weight * (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * PI2 * m2) / 4 + (PI4 * (1 - 2 * z2) * m2 * m2) / 16);
    k[3] += weight * (-30 * z6 - 90 * z6 * z2 + (PI2 * (135 * z4 - 96 * z6) * m2) / 4 + (PI4 * (-60 * z2 + 212 * z4) * m2 * m2) / 16 + (PI6 * (5 - 30 * z2) * m2 * m2 * m2) / 64);
  }
  k[0] *= SQRT_2PI / z;
  k[1] *= SQRT_2PI / (6 * z4);
  k[2] *= SQRT_2PI / (72 * z6 * z);
  k[3] *= SQRT_2PI / (6480 * z6 * z4);
  // The K2 and K3 corrections also carry a sum over all integers of q'^(j²), q' = exp(-π²/2z²).
  const q2 = Math.exp(-PI2 / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  for (let j = 1; j <= terms; j++) {
    const j2 = j * j;
    const weight = q2 ** j2;
    extra2 += j2 * weight;
    extra3 += (SQRT3 * z + Math.PI * j) * (SQRT3 * z - Math.PI * j) * j2 * weight;
  }
  k[2] += (extra2 * PI2 * SQRT_2PI) / (-36 * z2 * z);
  k[3] += (extra3 * PI2 * SQRT_2PI) / (216 * z6);
  return k[0] + k[1] / Math.sqrt(n) + k[2] / n + k[3] / n ** 1.5;
}

/** scipy's SMIRNOV_MAX_COMPUTE_N: above it the one-sided tail is the approximation exp(-(6nx+1)²/18n). */
const SMIRNOV_MAX_N = 1000000;

/**
 * P(D+_n ≥ x), the one-sided Smirnov tail, by the Birnbaum–Tingey sum
 * x Σ_{j ≤ n(1-x)} C(n,j) (1-x-j/n)^(n-j) (x+j/n)^(j-1), all of whose terms are positive; in logarithms, stopped
 * once past the peak the terms no longer count.
 */
export function smirnovSurvival(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (n === 1) return x;
  const nx = n * x;
  if (nx <= 1) return 1 - x * (1 + x) ** (n - 1);
  if (-2 * n * x * x < -708.3964185322641) return 0;
  if (nx >= n - 1) return (1 - x) ** n;
  if (n > SMIRNOV_MAX_N) {
    const logP = -((6 * nx + 1) ** 2) / 18 / n;
    return logP < -Math.LN2 ? Math.exp(logP) : 1 + Math.expm1(logP);
  }
  const last = Math.floor(n * (1 - x));
  let sum = 0;
  let logBinomial = 0;
  let previous = -Infinity;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinomial += Math.log((n - j + 1) / j);
    const below = 1 - x - j / n;
    if (below <= 0) break;
    const logTerm = logBinomial + (n - j) * Math.log(below) + (j - 1) * Math.log(x + j / n);
    const term = Math.exp(logTerm);
    sum += term;
    if (logTerm < previous && term < sum * 1e-18) break;
    previous = logTerm;
  }
  return x * sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}
