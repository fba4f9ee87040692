import { DesignSpec, designMatrix, fitDesign } from './design';
import { FitContext, numberParam } from './fitting';
import { minimizeLbfgs } from './lbfgs';
import { binaryLogLoss, logSumExp, probabilitiesFromScores, sigmoid } from './link';
import { FeatureMatrix, FeatureSpec, TrainingTable } from './schema';

/**
 * Regularized linear models on the standardized, one-hot design: logistic regression (binary, or multinomial
 * softmax over K classes) minimizing sum of log losses + ||W||^2 / (2C), and ridge regression minimizing
 * sum of squared errors / 2 + alpha ||w||^2 / 2, both by L-BFGS. Intercepts are not penalized. C and alpha
 * mean what they mean in scikit-learn's LogisticRegression and Ridge.
 */
export interface LinearParams {
  readonly C: number;
  readonly alpha: number;
  readonly maxIter: number;
}

export interface LinearBody {
  readonly design: DesignSpec;
  /** nOut rows of `width` weights: one row for binary (class 1's logit) and regression, K for multiclass. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
}

const FAMILY = 'linear';

export function linearParams(raw: Record<string, unknown>): LinearParams {
  return {
    C: numberParam(FAMILY, 'C', raw.C, 1, 1e-12),
    alpha: numberParam(FAMILY, 'alpha', raw.alpha, 1, 0),
    maxIter: numberParam(FAMILY, 'maxIter', raw.maxIter, 1000, 1, 1e6, true),
  };
}

export function fitLinear(table: TrainingTable, p: LinearParams, ctx: FitContext): LinearBody {
  const design = fitDesign(table.features, table);
  const X = designMatrix(design, table.features, table);
  const { width } = design;
  const n = table.n;
  const nClasses = table.classes?.length ?? 0;
  const nOut = nClasses > 2 ? nClasses : 1;
  const stride = width + 1;
  const penalty = nClasses > 0 ? 1 / p.C : p.alpha;
  const y = table.y;
  const z = new Float64Array(nOut);
  const residual = new Float64Array(nOut);
  const objective = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const row = i * width;
      for (let o = 0; o < nOut; o++) {
        let s = w[o * stride + width];
        for (let j = 0; j < width; j++) s += w[o * stride + j] * X[row + j];
        z[o] = s;
      }
      if (nClasses === 0) {
        residual[0] = z[0] - y[i];
        value += 0.5 * residual[0] * residual[0];
      } else if (nOut === 1) {
        value += binaryLogLoss(z[0], y[i]);
        residual[0] = sigmoid(z[0]) - y[i];
      } else {
        const lse = logSumExp(z, 0, nOut);
        value += lse - z[y[i]];
        for (let o = 0; o < nOut; o++) residual[o] = Math.exp(z[o] - lse) - (o === y[i] ? 1 : 0);
      }
      for (let o = 0; o < nOut; o++) {
        const r = residual[o];
        if (r === 0) continue;
        const go = o * stride;
        for (let j = 0; j < width; j++) grad[go + j] += r * X[row + j];
        grad[go + width] += r;
      }
    }
    for (let o = 0; o < nOut; o++) {
      for (let j = 0; j < width; j++) {
        const wj = w[o * stride + j];
        value += 0.5 * penalty * wj * wj;
        grad[o * stride + j] += penalty * wj;
      }
    }
    return value;
  };
  const w0 = new Float64Array(nOut * stride);
  if (nClasses === 0) w0[width] = mean(y);
  const w = minimizeLbfgs(objective, w0, {
    maxIter: p.maxIter,
    // scikit-learn's lbfgs stops at a mean-loss gradient of 1e-4; our objective is a sum over rows, hence * n.
    tol: 1e-4 * n,
    signal: ctx.signal,
    onIteration: (it) => ctx.onProgress?.({ family: FAMILY, done: it, total: p.maxIter }),
  });
  const coef = new Float64Array(nOut * width);
  const intercept = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    coef.set(w.subarray(o * stride, o * stride + width), o * width);
    intercept[o] = w[o * stride + width];
  }
  return { design, coef, intercept };
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The linear scores (n x nOut) of rows; classification then applies the sigmoid or softmax. */
export function predictLinear(body: LinearBody, features: readonly FeatureSpec[], X: FeatureMatrix, nClasses: number): Float64Array {
  const { design, coef, intercept } = body;
  const width = design.width;
  const D = designMatrix(design, features, X);
  const nOut = intercept.length;
  const z = new Float64Array(X.n * nOut);
  for (let i = 0; i < X.n; i++) {
    for (let o = 0; o < nOut; o++) {
      let s = intercept[o];
      for (let j = 0; j < width; j++) s += coef[o * width + j] * D[i * width + j];
      z[i * nOut + o] = s;
    }
  }
  if (nClasses === 0) return z;
  return probabilitiesFromScores(z, X.n, nOut);
}
