import { BinnedColumn } from './binning';
import { FeatureMatrix } from './schema';
import { GrownTree } from './tree';

/**
 * Every tree of a model packed end to end in flat typed arrays (node ids are global), with thresholds in raw
 * feature values: prediction needs no binning and no objects, and the arrays serialize and export to ONNX as-is.
 * A numeric node sends x <= threshold left; a categorical node (threshold NaN) sends the categories in its bitset
 * left; a missing value follows missingLeft.
 */
export interface Ensemble {
  /** Scores per row (1 for regression and binary boosting, K for multiclass). */
  readonly nOutputs: number;
  /** Values per leaf: K for forest classifiers (class proportions), else 1. */
  readonly width: number;
  readonly roots: Int32Array;
  /** The first output a tree adds to (its class, for multiclass boosting). */
  readonly treeOutput: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly catOffset: Int32Array;
  readonly cats: Uint32Array;
  readonly value: Float64Array;
}

export class EnsembleBuilder {
  private readonly roots: number[] = [];
  private readonly treeOutput: number[] = [];
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly missingLeft: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly catOffset: number[] = [];
  private readonly cats: number[] = [];
  private readonly value: number[] = [];

  constructor(
    private readonly nOutputs: number,
    private readonly width: number,
    private readonly binned: readonly BinnedColumn[],
  ) {}

  add(tree: GrownTree, output: number): void {
    const offset = this.feature.length;
    const catBase = this.cats.length;
    this.roots.push(offset);
    this.treeOutput.push(output);
    for (let node = 0; node < tree.feature.length; node++) {
      const f = tree.feature[node];
      this.feature.push(f);
      this.missingLeft.push(tree.missingLeft[node]);
      const leaf = f < 0;
      this.left.push(leaf ? -1 : tree.left[node] + offset);
      this.right.push(leaf ? -1 : tree.right[node] + offset);
      this.catOffset.push(tree.catOffset[node] < 0 ? -1 : tree.catOffset[node] + catBase);
      const edges = leaf ? null : this.binned[f].edges;
      const bin = tree.binThreshold[node];
      // The last bin has no upper edge: such a split separates the missing values from all others.
      this.threshold.push(edges ? (bin < edges.length ? edges[bin] : Infinity) : NaN);
    }
    this.cats.push(...tree.cats);
    this.value.push(...tree.value);
  }

  get treeCount(): number {
    return this.roots.length;
  }

  finish(): Ensemble {
    return {
      nOutputs: this.nOutputs,
      width: this.width,
      roots: Int32Array.from(this.roots),
      treeOutput: Int32Array.from(this.treeOutput),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      missingLeft: Uint8Array.from(this.missingLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      catOffset: Int32Array.from(this.catOffset),
      cats: Uint32Array.from(this.cats),
      value: Float64Array.from(this.value),
    };
  }
}

/** Rows per block of prediction: the block's features (row-major) and a tree's nodes stay in cache together. */
const BLOCK_ROWS = 1024;

/**
 * Adds every tree's leaf values to out[row * nOutputs + output]. Rows are copied in blocks to a row-major buffer,
 * so each row's features share cache lines, and each tree runs over a whole block while its nodes are in cache.
 */
export function accumulate(e: Ensemble, X: FeatureMatrix, out: Float64Array): void {
  const { feature, threshold, missingLeft, left, right, catOffset, cats, value, width, nOutputs } = e;
  const F = X.columns.length;
  const block = new Float64Array(BLOCK_ROWS * F);
  for (let start = 0; start < X.n; start += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, X.n - start);
    for (let f = 0; f < F; f++) {
      const column = X.columns[f];
      for (let r = 0; r < count; r++) block[r * F + f] = column[start + r];
    }
    for (let t = 0; t < e.roots.length; t++) {
      const root = e.roots[t];
      const output = e.treeOutput[t];
      for (let r = 0; r < count; r++) {
        const row = r * F;
        let node = root;
        let f = feature[node];
        while (f >= 0) {
          const x = block[row + f];
          const cut = threshold[node];
          let goLeft: boolean;
          // The common case, a number at or below a numeric threshold, costs one comparison.
          if (x <= cut) goLeft = true;
          else if (cut === cut) goLeft = x !== x && missingLeft[node] === 1;
          else if (x !== x) goLeft = missingLeft[node] === 1;
          else goLeft = ((cats[catOffset[node] + (x >>> 5)] >>> (x & 31)) & 1) === 1;
          node = goLeft ? left[node] : right[node];
          f = feature[node];
        }
        const o = (start + r) * nOutputs + output;
        const v = node * width;
        for (let k = 0; k < width; k++) out[o + k] += value[v + k];
      }
    }
  }
}
