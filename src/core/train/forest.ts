import { binColumns } from './binning';
import { Ensemble, EnsembleBuilder, accumulate } from './ensemble';
import { FitContext, checkCancelled, invalidParam, numberParam } from './fitting';
import { Rng } from './random';
import { FeatureMatrix, TrainingTable } from './schema';
import { TreeBuilder, TreeTargets } from './tree';
import { l10n } from '../l10n';

/**
 * Random forests (bootstrap rows, best split among a random subset of features at each node) and extra trees
 * (all rows, one random threshold per drawn feature), grown to purity by default, on the same binned histogram
 * trees as boosting. Classification averages the leaves' class proportions; regression the leaves' means.
 */
export interface ForestParams {
  readonly nEstimators: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** 'sqrt' of the feature count, a fraction of it (0 < x <= 1), or a count (> 1). */
  readonly maxFeatures: 'sqrt' | number;
  readonly bootstrap: boolean;
}

export interface ForestBody {
  readonly ensemble: Ensemble;
}

export function forestParams(family: 'random_forest' | 'extra_trees', raw: Record<string, unknown>, classification: boolean): ForestParams {
  const maxFeatures = raw.maxFeatures ?? (classification ? 'sqrt' : 1);
  if (maxFeatures !== 'sqrt' && !(typeof maxFeatures === 'number' && maxFeatures > 0)) {
    throw invalidParam(family, 'maxFeatures', maxFeatures, l10n.t('"sqrt", a fraction in (0, 1] or a count'));
  }
  const bootstrap = raw.bootstrap ?? family === 'random_forest';
  if (typeof bootstrap !== 'boolean') throw invalidParam(family, 'bootstrap', bootstrap, l10n.t('true or false'));
  return {
    nEstimators: numberParam(family, 'nEstimators', raw.nEstimators, 100, 1, 100_000, true),
    maxDepth: numberParam(family, 'maxDepth', raw.maxDepth, Infinity, 1, Infinity, true),
    minSamplesLeaf: numberParam(family, 'minSamplesLeaf', raw.minSamplesLeaf, 1, 1, Infinity, true),
    maxFeatures,
    bootstrap,
  };
}

function featuresPerNode(maxFeatures: 'sqrt' | number, nFeatures: number): number {
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (maxFeatures <= 1) return Math.max(1, Math.floor(maxFeatures * nFeatures));
  return Math.min(nFeatures, Math.floor(maxFeatures));
}

export function fitForest(family: 'random_forest' | 'extra_trees', table: TrainingTable, p: ForestParams, ctx: FitContext): ForestBody {
  const n = table.n;
  const nClasses = table.classes?.length ?? 0;
  const binned = binColumns(table.features, table);
  const rng = new Rng(ctx.seed);
  const weights = new Float64Array(n);
  const gradHess = new Float64Array(nClasses > 0 ? 0 : 2 * n);
  const targets: TreeTargets = nClasses > 0 ? { kind: 'classes', labels: table.y, weights, nClasses } : { kind: 'gradients', gradHess };
  const builder = new TreeBuilder(binned, n, targets, {
    maxLeaves: Infinity,
    maxDepth: p.maxDepth,
    minSamplesLeaf: p.minSamplesLeaf,
    l2: 0,
    minGain: 1e-12,
    maxFeatures: featuresPerNode(p.maxFeatures, binned.length),
    randomThresholds: family === 'extra_trees',
    rng,
  });
  const width = Math.max(1, nClasses);
  const ensemble = new EnsembleBuilder(width, width, binned);
  const rows = new Uint32Array(n);
  for (let t = 0; t < p.nEstimators; t++) {
    checkCancelled(ctx.signal);
    if (p.bootstrap) {
      weights.fill(0);
      for (let draw = 0; draw < n; draw++) weights[rng.int(n)]++;
    } else weights.fill(1);
    let count = 0;
    for (let i = 0; i < n; i++) if (weights[i] > 0) rows[count++] = i;
    if (nClasses === 0) {
      for (let i = 0; i < n; i++) {
        gradHess[2 * i] = -table.y[i] * weights[i];
        gradHess[2 * i + 1] = weights[i];
      }
    }
    ensemble.add(builder.grow(rows, count, 1), 0);
    ctx.onProgress?.({ family, done: t + 1, total: p.nEstimators });
  }
  return { ensemble: ensemble.finish() };
}

export function predictForest(body: ForestBody, X: FeatureMatrix): Float64Array {
  const { ensemble } = body;
  const out = new Float64Array(X.n * ensemble.nOutputs);
  accumulate(ensemble, X, out);
  const trees = ensemble.roots.length;
  for (let i = 0; i < out.length; i++) out[i] /= trees;
  return out;
}
