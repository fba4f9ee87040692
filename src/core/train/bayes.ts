import { FitContext, checkCancelled, numberParam } from './fitting';
import { softmaxAt } from './link';
import { FeatureMatrix, FeatureSpec, TrainingTable } from './schema';

/**
 * Naive Bayes for mixed columns: a Gaussian per class for numbers (variances padded by varSmoothing times the
 * largest variance, as scikit-learn's GaussianNB) and Laplace-smoothed category frequencies per class (as
 * CategoricalNB with alpha). A missing value contributes nothing: the feature is left out of that row's product.
 */
export interface BayesParams {
  readonly varSmoothing: number;
  readonly alpha: number;
}

export interface BayesBody {
  readonly logPrior: Float64Array;
  /** K x features: class means and variances of numeric features (0 for categorical ones). */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** Categorical feature f, class c, category v: logLikelihood[offset[f] + c * vocabulary + v]. */
  readonly offset: Int32Array;
  readonly logLikelihood: Float64Array;
}

const FAMILY = 'naive_bayes';

export function bayesParams(raw: Record<string, unknown>): BayesParams {
  return {
    varSmoothing: numberParam(FAMILY, 'varSmoothing', raw.varSmoothing, 1e-9, 0),
    alpha: numberParam(FAMILY, 'alpha', raw.alpha, 1, 1e-10),
  };
}

export function fitBayes(table: TrainingTable, p: BayesParams, ctx: FitContext): BayesBody {
  checkCancelled(ctx.signal);
  const K = table.classes!.length;
  const nf = table.features.length;
  const y = table.y;
  const classCount = new Float64Array(K);
  for (const c of y) classCount[c]++;
  const logPrior = Float64Array.from(classCount, (c) => Math.log(c / table.n));
  const mean = new Float64Array(K * nf);
  const variance = new Float64Array(K * nf);
  const offset = new Int32Array(nf).fill(-1);
  const likelihood: number[] = [];
  let largestVariance = 0;
  for (let f = 0; f < nf; f++) {
    const spec = table.features[f];
    const col = table.columns[f];
    if (spec.kind === 'numeric') {
      const count = new Float64Array(K);
      const sum = new Float64Array(K);
      for (let i = 0; i < table.n; i++) {
        if (col[i] !== col[i]) continue;
        count[y[i]]++;
        sum[y[i]] += col[i];
      }
      for (let c = 0; c < K; c++) mean[c * nf + f] = count[c] > 0 ? sum[c] / count[c] : 0;
      const ss = new Float64Array(K);
      for (let i = 0; i < table.n; i++) if (col[i] === col[i]) ss[y[i]] += (col[i] - mean[y[i] * nf + f]) ** 2;
      for (let c = 0; c < K; c++) {
        variance[c * nf + f] = count[c] > 0 ? ss[c] / count[c] : 0;
        largestVariance = Math.max(largestVariance, variance[c * nf + f]);
      }
    } else {
      const V = spec.vocabulary.length;
      const counts = new Float64Array(K * V);
      const totals = new Float64Array(K);
      for (let i = 0; i < table.n; i++) {
        if (col[i] !== col[i]) continue;
        counts[y[i] * V + col[i]]++;
        totals[y[i]]++;
      }
      offset[f] = likelihood.length;
      for (let c = 0; c < K; c++) for (let v = 0; v < V; v++) likelihood.push(Math.log((counts[c * V + v] + p.alpha) / (totals[c] + p.alpha * V)));
    }
  }
  // Padding keeps a feature that is constant within a class from giving an infinite density.
  const epsilon = p.varSmoothing * largestVariance || p.varSmoothing;
  for (let j = 0; j < variance.length; j++) variance[j] += epsilon;
  return { logPrior, mean, variance, offset, logLikelihood: Float64Array.from(likelihood) };
}

export function predictBayes(body: BayesBody, features: readonly FeatureSpec[], X: FeatureMatrix): Float64Array {
  const { logPrior, mean, variance, offset, logLikelihood } = body;
  const K = logPrior.length;
  const nf = features.length;
  const joint = new Float64Array(X.n * K);
  for (let i = 0; i < X.n; i++) {
    for (let c = 0; c < K; c++) {
      let s = logPrior[c];
      for (let f = 0; f < nf; f++) {
        const x = X.columns[f][i];
        if (x !== x) continue;
        const spec = features[f];
        if (spec.kind === 'numeric') {
          const v = variance[c * nf + f];
          s -= 0.5 * (Math.log(2 * Math.PI * v) + (x - mean[c * nf + f]) ** 2 / v);
        } else s += logLikelihood[offset[f] + c * spec.vocabulary.length + x];
      }
      joint[i * K + c] = s;
    }
    softmaxAt(joint, i * K, K, joint);
  }
  return joint;
}
