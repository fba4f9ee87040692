import { FeatureMatrix, FeatureSpec } from './schema';

/**
 * The numeric design matrix of the linear and neighbour models: numbers standardized with the training mean and
 * standard deviation (missing ones imputed with the mean, i.e. 0 after scaling), categories one-hot encoded
 * (missing or unseen categories are all zeros). Row-major n x width.
 */
export interface DesignSpec {
  /** Per feature: training mean and standard deviation (numeric) or 0 / 1 (categorical, unused). */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Per feature: first column in the design matrix. */
  readonly offset: Int32Array;
  readonly width: number;
}

export function fitDesign(features: readonly FeatureSpec[], X: FeatureMatrix): DesignSpec {
  const nf = features.length;
  const mean = new Float64Array(nf);
  const scale = new Float64Array(nf).fill(1);
  const offset = new Int32Array(nf);
  let width = 0;
  for (let f = 0; f < nf; f++) {
    offset[f] = width;
    const spec = features[f];
    if (spec.kind === 'categorical') {
      width += spec.vocabulary.length;
      continue;
    }
    width++;
    const col = X.columns[f];
    let count = 0;
    let sum = 0;
    for (const v of col) {
      if (v === v) {
        count++;
        sum += v;
      }
    }
    const m = count > 0 ? sum / count : 0;
    let ss = 0;
    for (const v of col) if (v === v) ss += (v - m) ** 2;
    const sd = count > 0 ? Math.sqrt(ss / count) : 0;
    mean[f] = m;
    // A constant column scales by 1, as scikit-learn's StandardScaler does, instead of dividing by zero.
    scale[f] = sd > 0 ? sd : 1;
  }
  return { mean, scale, offset, width };
}

export function designMatrix(spec: DesignSpec, features: readonly FeatureSpec[], X: FeatureMatrix): Float64Array {
  const { mean, scale, offset, width } = spec;
  const out = new Float64Array(X.n * width);
  for (let f = 0; f < features.length; f++) {
    const col = X.columns[f];
    const o = offset[f];
    if (features[f].kind === 'numeric') {
      for (let i = 0; i < X.n; i++) {
        const v = col[i];
        out[i * width + o] = v === v ? (v - mean[f]) / scale[f] : 0;
      }
    } else {
      for (let i = 0; i < X.n; i++) {
        const c = col[i];
        if (c === c) out[i * width + o + c] = 1;
      }
    }
  }
  return out;
}
