import { DesignSpec, designMatrix, fitDesign } from './design';
import { checkCancelled, FitContext, invalidParam, numberParam } from './fitting';
import { FeatureMatrix, FeatureSpec, TrainingTable } from './schema';

/**
 * k nearest neighbours by Euclidean distance on the standardized, one-hot design, searched by brute force: the
 * model is the training design itself, so it suits small and medium data (its artifact grows with the rows).
 * Classification gives the neighbours' class shares (weighted by 1/distance with weights 'distance'); regression
 * their (weighted) mean.
 */
export interface KnnParams {
  readonly k: number;
  readonly weights: 'uniform' | 'distance';
}

export interface KnnBody {
  readonly design: DesignSpec;
  readonly points: Float64Array;
  readonly y: Float64Array;
}

const FAMILY = 'knn';
/** Distance-free prediction cost is rows x training rows: this many row pairs between cancellation checks. */
const PAIRS_PER_CHECK = 5_000_000;

export function knnParams(raw: Record<string, unknown>): KnnParams {
  const weights = raw.weights ?? 'uniform';
  if (weights !== 'uniform' && weights !== 'distance') throw invalidParam(FAMILY, 'weights', weights, '"uniform" | "distance"');
  return { k: numberParam(FAMILY, 'k', raw.k, 5, 1, 10_000, true), weights };
}

export function fitKnn(table: TrainingTable, _p: KnnParams, ctx: FitContext): KnnBody {
  checkCancelled(ctx.signal);
  const design = fitDesign(table.features, table);
  return { design, points: designMatrix(design, table.features, table), y: table.y.slice() };
}

export function predictKnn(body: KnnBody, p: KnnParams, features: readonly FeatureSpec[], X: FeatureMatrix, nClasses: number, signal?: AbortSignal): Float64Array {
  const { design, points, y } = body;
  const width = design.width;
  const nTrain = y.length;
  // Training needs two rows or more, so there is always at least one neighbour.
  const k = Math.min(p.k, nTrain);
  const Q = designMatrix(design, features, X);
  const nOut = Math.max(1, nClasses);
  const out = new Float64Array(X.n * nOut);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  let pairs = 0;
  for (let q = 0; q < X.n; q++) {
    bestD.fill(Infinity);
    const qo = q * width;
    for (let i = 0; i < nTrain; i++) {
      const po = i * width;
      let d = 0;
      for (let j = 0; j < width && d < bestD[k - 1]; j++) {
        const diff = Q[qo + j] - points[po + j];
        d += diff * diff;
      }
      if (d >= bestD[k - 1]) continue;
      // Insertion into the sorted k best; ties keep the earlier training row, so results are deterministic.
      let slot = k - 1;
      while (slot > 0 && bestD[slot - 1] > d) {
        bestD[slot] = bestD[slot - 1];
        bestI[slot] = bestI[slot - 1];
        slot--;
      }
      bestD[slot] = d;
      bestI[slot] = i;
    }
    pairs += nTrain;
    if (pairs > PAIRS_PER_CHECK) {
      checkCancelled(signal);
      pairs = 0;
    }
    const exact = bestD[0] === 0;
    let total = 0;
    for (let s = 0; s < k; s++) {
      // With distance weights an exact match decides alone, as in scikit-learn.
      const w = p.weights === 'uniform' ? 1 : exact ? (bestD[s] === 0 ? 1 : 0) : 1 / Math.sqrt(bestD[s]);
      total += w;
      if (nClasses > 0) out[q * nOut + y[bestI[s]]] += w;
      else out[q] += w * y[bestI[s]];
    }
    for (let o = 0; o < nOut; o++) out[q * nOut + o] /= total;
  }
  return out;
}
