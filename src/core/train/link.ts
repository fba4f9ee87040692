/**
 * From raw scores to probabilities and losses, shared by boosting and the linear models: written once, in the
 * numerically stable forms (shifted exponentials, log1p).
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** log(1 + exp(z)) - t z: the log loss of a logit z for a 0/1 target t. */
export function binaryLogLoss(z: number, t: number): number {
  return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
}

/** log(sum_k exp(z[offset + k])). */
export function logSumExp(z: ArrayLike<number>, offset: number, K: number): number {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, z[offset + k]);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(z[offset + k] - max);
  return max + Math.log(sum);
}

/** out[offset + k] = softmax of z[offset .. offset + K). */
export function softmaxAt(z: ArrayLike<number>, offset: number, K: number, out: Float64Array): void {
  const lse = logSumExp(z, offset, K);
  for (let k = 0; k < K; k++) out[offset + k] = Math.exp(z[offset + k] - lse);
}

/** Class probabilities (n x K) from scores: one logit per row gives [1 - p, p], K scores give their softmax. */
export function probabilitiesFromScores(z: Float64Array, n: number, nOut: number): Float64Array {
  if (nOut === 1) {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const out = new Float64Array(z.length);
  for (let i = 0; i < n; i++) softmaxAt(z, i * nOut, nOut, out);
  return out;
}
