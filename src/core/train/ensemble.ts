import { corrupt } from './artifact';
import { BinnedColumn, MISSING_BIN, searchSorted } from './binning';
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
    // Not push(...array): a deep tree of a many-class forest has more values than a call may take arguments.
    for (const c of tree.cats) this.cats.push(c);
    for (const v of tree.value) this.value.push(v);
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

/** Rows per block of prediction: the block's ranks (row-major, one byte per feature) and a tree's nodes stay in cache together. */
const BLOCK_ROWS = 1024;

/**
 * An ensemble in the form prediction walks, derived once per ensemble. Each row's values become ranks first (a
 * number's rank counts its feature's thresholds below it, a category's rank is its code, missing is MISSING_BIN),
 * and each split node the set of ranks that go left. A step down any kind of split is then the same few integer
 * operations with no branch on the data, so trees are walked for four rows at once: their steps are independent
 * and the CPU overlaps them, where a row at a time waited on a mispredicted branch at about every other node.
 */
interface Walker {
  /** Per feature the trees read: its sorted distinct thresholds, or null for a categorical feature. */
  readonly cuts: Map<number, Float64Array | null>;
  /** Per node: the feature it reads (0 for a leaf, whose set is empty). */
  readonly feature: Int32Array;
  /** Per node: its right child, the left one being just before it; a leaf points to itself. */
  readonly next: Int32Array;
  /** Per node: the offset in `sets` of its 8-word set of ranks going left; leaves share the empty set at 0. */
  readonly goLeft: Int32Array;
  readonly sets: Int32Array;
}

const SET_WORDS = 8;
const walkers = new WeakMap<Ensemble, Walker>();

function walkerOf(e: Ensemble): Walker {
  let walker = walkers.get(e);
  if (!walker) {
    walker = buildWalker(e);
    walkers.set(e, walker);
  }
  return walker;
}

function buildWalker(e: Ensemble): Walker {
  const nodes = e.feature.length;
  const thresholds = new Map<number, Set<number>>();
  const cuts = new Map<number, Float64Array | null>();
  for (let node = 0; node < nodes; node++) {
    const f = e.feature[node];
    if (f < 0) continue;
    if (e.catOffset[node] >= 0) cuts.set(f, null);
    else thresholds.set(f, (thresholds.get(f) ?? new Set<number>()).add(e.threshold[node]));
  }
  for (const [f, values] of thresholds) {
    const sorted = Float64Array.from(values).sort();
    // Bin edges (at most 254) and Infinity: the highest rank of a value stays below the missing rank.
    const highest = sorted[sorted.length - 1] === Infinity ? sorted.length - 1 : sorted.length;
    if (highest >= MISSING_BIN || cuts.get(f) === null) throw corrupt();
    cuts.set(f, sorted);
  }
  const feature = new Int32Array(nodes);
  const next = new Int32Array(nodes);
  const goLeft = new Int32Array(nodes);
  const sets: number[] = new Array<number>(SET_WORDS).fill(0);
  // Numeric nodes on the same feature, threshold and missing side share a set.
  const shared = new Map<number, number>();
  const addSet = (words: ArrayLike<number>, missingLeft: boolean) => {
    const offset = sets.length;
    for (let w = 0; w < SET_WORDS; w++) sets.push(words[w]);
    if (missingLeft) sets[offset + (MISSING_BIN >>> 5)] |= 1 << (MISSING_BIN & 31);
    return offset;
  };
  for (let node = 0; node < nodes; node++) {
    const f = e.feature[node];
    if (f < 0) {
      next[node] = node;
      continue;
    }
    if (e.right[node] !== e.left[node] + 1) throw corrupt();
    feature[node] = f;
    next[node] = e.right[node];
    const missingLeft = e.missingLeft[node] === 1;
    if (e.catOffset[node] >= 0) {
      goLeft[node] = addSet(e.cats.subarray(e.catOffset[node], e.catOffset[node] + SET_WORDS), missingLeft);
      continue;
    }
    const last = searchSorted(cuts.get(f)!, e.threshold[node]);
    const key = (f * MISSING_BIN + last) * 2 + (missingLeft ? 1 : 0);
    let offset = shared.get(key);
    if (offset === undefined) {
      const words = new Int32Array(SET_WORDS);
      for (let rank = 0; rank <= last; rank++) words[rank >>> 5] |= 1 << (rank & 31);
      offset = addSet(words, missingLeft);
      shared.set(key, offset);
    }
    goLeft[node] = offset;
  }
  return { cuts, feature, next, goLeft, sets: Int32Array.from(sets) };
}

/** Adds every tree's leaf values to out[row * nOutputs + output], a block of rows at a time. */
export function accumulate(e: Ensemble, X: FeatureMatrix, out: Float64Array): void {
  const walker = walkerOf(e);
  const F = X.columns.length;
  const block = new Uint8Array(BLOCK_ROWS * F);
  for (let start = 0; start < X.n; start += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, X.n - start);
    for (const [f, sorted] of walker.cuts) rankColumn(X.columns[f], sorted, start, count, block, f, F);
    for (let t = 0; t < e.roots.length; t++) walkTree(walker, e, e.roots[t], block, F, count, out, start * e.nOutputs + e.treeOutput[t]);
  }
}

/**
 * Walks one tree for the block's rows, four at a time, adding each row's leaf values from out[o]. A function of
 * its own so that V8 optimizes it as a whole after a few trees, instead of replacing the running accumulate loop.
 */
function walkTree(w: Walker, e: Ensemble, root: number, block: Uint8Array, F: number, count: number, out: Float64Array, o: number): void {
  const { feature, next, goLeft, sets } = w;
  const { value, width, nOutputs } = e;
  let r = 0;
  for (; r + 4 <= count; r += 4) {
    const row = r * F;
    let a = root;
    let b = root;
    let c = root;
    let d = root;
    // Until all four are at leaves (the only nodes with the empty set at 0); the leaves reached first wait in place.
    do {
      a = step(a, block, row, feature, next, goLeft, sets);
      b = step(b, block, row + F, feature, next, goLeft, sets);
      c = step(c, block, row + 2 * F, feature, next, goLeft, sets);
      d = step(d, block, row + 3 * F, feature, next, goLeft, sets);
    } while ((goLeft[a] | goLeft[b] | goLeft[c] | goLeft[d]) !== 0);
    addLeaf(out, o + r * nOutputs, value, a, width);
    addLeaf(out, o + (r + 1) * nOutputs, value, b, width);
    addLeaf(out, o + (r + 2) * nOutputs, value, c, width);
    addLeaf(out, o + (r + 3) * nOutputs, value, d, width);
  }
  for (; r < count; r++) {
    let a = root;
    while (goLeft[a] !== 0) a = step(a, block, r * F, feature, next, goLeft, sets);
    addLeaf(out, o + r * nOutputs, value, a, width);
  }
}

/** Writes the ranks of column[start .. start + count) into the block's column f (row stride F). */
function rankColumn(column: Float64Array, sorted: Float64Array | null, start: number, count: number, block: Uint8Array, f: number, F: number): void {
  for (let r = 0; r < count; r++) {
    const x = column[start + r];
    // NaN fails every comparison: a missing number or category gets MISSING_BIN, as does a code out of range.
    if (sorted) block[r * F + f] = x === x ? searchSorted(sorted, x) : MISSING_BIN;
    else block[r * F + f] = x >= 0 && x < MISSING_BIN ? x : MISSING_BIN;
  }
}

/** One step down: the right child, minus one (the left child) when the row's rank is in the node's set. */
function step(node: number, block: Uint8Array, row: number, feature: Int32Array, next: Int32Array, goLeft: Int32Array, sets: Int32Array): number {
  const rank = block[row + feature[node]];
  return next[node] - ((sets[goLeft[node] + (rank >>> 5)] >>> (rank & 31)) & 1);
}

function addLeaf(out: Float64Array, o: number, value: Float64Array, leaf: number, width: number): void {
  for (let k = 0; k < width; k++) out[o + k] += value[leaf * width + k];
}
