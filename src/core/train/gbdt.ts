import { BinnedColumn, MISSING_BIN, binColumns } from './binning';
import { Ensemble, EnsembleBuilder, accumulate } from './ensemble';
import { FitContext, checkCancelled, numberParam } from './fitting';
import { holdout } from './folds';
import { binaryLogLoss, logSumExp, probabilitiesFromScores, sigmoid, softmaxAt } from './link';
import { Rng } from './random';
import { FeatureMatrix, TrainingTable } from './schema';
import { GrownTree, TreeBuilder } from './tree';

/**
 * Histogram gradient boosting, the design of LightGBM and scikit-learn's HistGradientBoosting: leaf-wise trees on
 * binned features, Newton leaf values, log loss (binary), softmax with one tree per class and round (multiclass) or
 * squared error (regression), and early stopping on a seeded validation split. Defaults are scikit-learn's.
 */
export interface GbdtParams {
  readonly learningRate: number;
  readonly maxIter: number;
  readonly maxLeafNodes: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  /** 'auto' turns early stopping on above 10,000 rows, as scikit-learn does. */
  readonly earlyStopping: 'auto' | boolean;
  readonly validationFraction: number;
  readonly nIterNoChange: number;
  readonly tol: number;
}

export interface GbdtBody {
  readonly baseline: Float64Array;
  readonly iterations: number;
  readonly ensemble: Ensemble;
}

const FAMILY = 'gbdt';

export function gbdtParams(raw: Record<string, unknown>): GbdtParams {
  const es = raw.earlyStopping ?? 'auto';
  return {
    learningRate: numberParam(FAMILY, 'learningRate', raw.learningRate, 0.1, 1e-6, 10),
    maxIter: numberParam(FAMILY, 'maxIter', raw.maxIter, 100, 1, 100_000, true),
    maxLeafNodes: numberParam(FAMILY, 'maxLeafNodes', raw.maxLeafNodes, 31, 2, 65_536, true),
    maxDepth: numberParam(FAMILY, 'maxDepth', raw.maxDepth, Infinity, 1, Infinity, true),
    minSamplesLeaf: numberParam(FAMILY, 'minSamplesLeaf', raw.minSamplesLeaf, 20, 1, Infinity, true),
    l2Regularization: numberParam(FAMILY, 'l2Regularization', raw.l2Regularization, 0, 0),
    earlyStopping: es === true || es === false ? es : 'auto',
    validationFraction: numberParam(FAMILY, 'validationFraction', raw.validationFraction, 0.1, 0.01, 0.5),
    nIterNoChange: numberParam(FAMILY, 'nIterNoChange', raw.nIterNoChange, 10, 1, Infinity, true),
    tol: numberParam(FAMILY, 'tol', raw.tol, 1e-7, 0),
  };
}

type Loss = 'logistic' | 'softmax' | 'squared';

export function fitGbdt(table: TrainingTable, p: GbdtParams, ctx: FitContext): GbdtBody {
  const n = table.n;
  const nClasses = table.classes?.length ?? 0;
  const loss: Loss = nClasses === 0 ? 'squared' : nClasses === 2 ? 'logistic' : 'softmax';
  const nOut = loss === 'softmax' ? nClasses : 1;
  const binned = binColumns(table.features, table);
  const rng = new Rng(ctx.seed);
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const early = p.earlyStopping === 'auto' ? n > 10_000 : p.earlyStopping;
  const { train, valid } = early && n >= 20 ? holdout(all, p.validationFraction, rng, loss === 'squared' ? undefined : table.y) : { train: all, valid: new Uint32Array(0) };
  const y = table.y;
  const baseline = initialScores(loss, y, train, nOut);
  const raw = baselineScores(baseline, n);
  const validRaw = baselineScores(baseline, valid.length);
  const gradHess = new Float64Array(2 * n);
  const builder = new TreeBuilder(binned, n, { kind: 'gradients', gradHess }, {
    maxLeaves: p.maxLeafNodes,
    maxDepth: p.maxDepth,
    minSamplesLeaf: p.minSamplesLeaf,
    l2: p.l2Regularization,
    minGain: 1e-12,
    maxFeatures: binned.length,
    randomThresholds: false,
    rng,
  });
  const ensemble = new EnsembleBuilder(nOut, 1, binned);
  const rows = new Uint32Array(train.length);
  const prob = loss === 'softmax' ? new Float64Array(n * nOut) : null;
  const validLosses: number[] = valid.length > 0 ? [meanLoss(loss, validRaw, y, valid, nOut)] : [];
  let iterations = 0;
  for (let it = 0; it < p.maxIter; it++) {
    checkCancelled(ctx.signal);
    if (prob) for (const i of train) softmaxAt(raw, i * nOut, nOut, prob);
    for (let k = 0; k < nOut; k++) {
      gradients(loss, raw, prob, y, train, nOut, k, gradHess);
      rows.set(train);
      const tree = builder.grow(rows, train.length, p.learningRate);
      for (const leaf of tree.leaves) {
        const v = tree.value[leaf.node];
        for (let j = leaf.start; j < leaf.end; j++) raw[rows[j] * nOut + k] += v;
      }
      if (valid.length > 0) addBinnedTree(tree, binned, valid, validRaw, nOut, k);
      ensemble.add(tree, k);
    }
    iterations++;
    ctx.onProgress?.({ family: FAMILY, done: iterations, total: p.maxIter });
    if (valid.length > 0) {
      validLosses.push(meanLoss(loss, validRaw, y, valid, nOut));
      if (shouldStop(validLosses, p.nIterNoChange, p.tol)) break;
    }
  }
  return { baseline, iterations, ensemble: ensemble.finish() };
}

/** Class probabilities (n x K; binary gives [1 - p, p]) or values (regression). */
export function predictGbdt(body: GbdtBody, X: FeatureMatrix, nClasses: number): Float64Array {
  const { ensemble, baseline } = body;
  const nOut = ensemble.nOutputs;
  const raw = baselineScores(baseline, X.n);
  accumulate(ensemble, X, raw);
  return nClasses === 0 ? raw : probabilitiesFromScores(raw, X.n, nOut);
}

/** The baseline scores repeated for n rows, copied by hand: a set() call per row costs more than the copy. */
function baselineScores(baseline: Float64Array, n: number): Float64Array {
  const nOut = baseline.length;
  const scores = new Float64Array(n * nOut);
  for (let i = 0; i < n; i++) for (let k = 0; k < nOut; k++) scores[i * nOut + k] = baseline[k];
  return scores;
}

function initialScores(loss: Loss, y: Float64Array, rows: Uint32Array, nOut: number): Float64Array {
  const base = new Float64Array(nOut);
  if (loss === 'squared') {
    let s = 0;
    for (const i of rows) s += y[i];
    base[0] = s / rows.length;
    return base;
  }
  const counts = new Float64Array(Math.max(2, nOut));
  for (const i of rows) counts[y[i]]++;
  // Clipped so that a class absent from the training rows gives a large negative score, not -Infinity.
  const prior = (k: number) => Math.min(Math.max(counts[k] / rows.length, 1e-15), 1 - 1e-15);
  if (loss === 'logistic') base[0] = Math.log(prior(1) / (1 - prior(1)));
  else for (let k = 0; k < nOut; k++) base[k] = Math.log(prior(k));
  return base;
}


/** Row i's gradient and hessian into gradHess[2i] and gradHess[2i + 1]; one loop per loss, as this runs per tree over every row. */
function gradients(loss: Loss, raw: Float64Array, prob: Float64Array | null, y: Float64Array, rows: Uint32Array, nOut: number, k: number, gradHess: Float64Array): void {
  if (loss === 'squared') {
    for (const i of rows) {
      gradHess[2 * i] = raw[i] - y[i];
      gradHess[2 * i + 1] = 1;
    }
  } else if (loss === 'logistic') {
    for (const i of rows) setProbabilityGradient(gradHess, i, sigmoid(raw[i]), y[i]);
  } else {
    for (const i of rows) setProbabilityGradient(gradHess, i, prob![i * nOut + k], y[i] === k ? 1 : 0);
  }
}

function setProbabilityGradient(gradHess: Float64Array, i: number, p: number, target: number): void {
  gradHess[2 * i] = p - target;
  // Floored so that confidently right rows cannot make a leaf's Newton step explode.
  gradHess[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
}

function meanLoss(loss: Loss, raw: Float64Array, y: Float64Array, rows: Uint32Array, nOut: number): number {
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const t = y[rows[r]];
    if (loss === 'squared') total += 0.5 * (raw[r] - t) ** 2;
    else if (loss === 'logistic') total += binaryLogLoss(raw[r], t);
    else total += logSumExp(raw, r * nOut, nOut) - raw[r * nOut + t];
  }
  return total / rows.length;
}

/** scikit-learn's rule: stop when none of the last n losses beats the one before them by more than tol. */
function shouldStop(losses: number[], n: number, tol: number): boolean {
  if (losses.length <= n) return false;
  const reference = losses[losses.length - n - 1];
  return losses.slice(-n).every((l) => l > reference - tol);
}

/** Adds a tree still in bin form to the validation scores (the ensemble is only packed at the end). */
function addBinnedTree(tree: GrownTree, binned: readonly BinnedColumn[], rows: Uint32Array, out: Float64Array, nOut: number, k: number): void {
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    let node = 0;
    while (tree.feature[node] >= 0) {
      const b = binned[tree.feature[node]].bins[i];
      const c = tree.catOffset[node];
      const goLeft = b === MISSING_BIN ? tree.missingLeft[node] === 1 : c >= 0 ? ((tree.cats[c + (b >>> 5)] >>> (b & 31)) & 1) === 1 : b <= tree.binThreshold[node];
      node = goLeft ? tree.left[node] : tree.right[node];
    }
    out[r * nOut + k] += tree.value[node];
  }
}
