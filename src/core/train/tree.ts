import { BinnedColumn, MISSING_BIN } from './binning';
import { Rng } from './random';

/**
 * One histogram tree builder for boosting and forests. A node's rows are a contiguous range of `rows`, re-partitioned
 * in place at each split; split search reads per-bin sums (count, hessian, and K gradient channels) instead of rows.
 *
 *  - Boosting passes gradients and hessians (K = 1): a leaf is the Newton step -G / (H + l2).
 *  - Forest classification passes class labels and bootstrap weights: channel k sums the weight of class k, the
 *    gain sum_k G_k^2 / H is the decrease of Gini impurity, and a leaf holds the class proportions.
 *  - Forest regression passes gradients -y*w and hessians w with l2 = 0: the gain is the decrease of squared
 *    error and a leaf is the weighted mean.
 */
export type TreeTargets =
  /**
   * Row i's gradient at 2i and hessian at 2i + 1: the histogram reads both for rows scattered over the data, and
   * side by side they come in one cache line instead of two.
   */
  | { readonly kind: 'gradients'; readonly gradHess: Float64Array }
  | { readonly kind: 'classes'; readonly labels: Float64Array; readonly weights: Float64Array; readonly nClasses: number };

export interface TreeOptions {
  readonly maxLeaves: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  /** Splits that gain less are not made: stops growth on pure or hopeless nodes. */
  readonly minGain: number;
  /** Features drawn per node (forests); the number of features means all, which also enables histogram subtraction. */
  readonly maxFeatures: number;
  /** Extra trees: one random threshold per drawn feature instead of the best one. */
  readonly randomThresholds: boolean;
  readonly rng: Rng;
}

/** A grown tree in build form: thresholds are still bin numbers (see ensemble.ts for the packed, raw-valued form). */
export interface GrownTree {
  readonly feature: number[];
  readonly binThreshold: number[];
  readonly missingLeft: number[];
  readonly left: number[];
  readonly right: number[];
  /** Categorical splits: offset of an 8-word bitset (bins going left) in `cats`, else -1. */
  readonly catOffset: number[];
  readonly cats: number[];
  /** K values per node (leaves only meaningful). */
  readonly value: number[];
  /** Row ranges of the leaves in the partitioned `rows`, for updating training predictions without traversal. */
  readonly leaves: { node: number; start: number; end: number }[];
}

const BINS = 256;
/** Categories scored by G / (H + smoothing), as LightGBM's cat_smooth, so tiny categories do not dominate the order. */
const CATEGORY_SMOOTHING = 10;
const MIN_HESSIAN = 1e-3;

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  cats: Uint32Array | null;
  /** Left child's [count, hessian, G_0..G_K-1]. */
  leftSums: Float64Array;
}

interface Node {
  id: number;
  start: number;
  end: number;
  depth: number;
  sums: Float64Array;
  hist: Float64Array | null;
  split: Split | null;
}

export class TreeBuilder {
  private readonly nFeatures: number;
  private readonly K: number;
  private readonly S: number;
  /**
   * Doubles per histogram slot: the S channels, padded to 4 for boosting so that a slot is 32 aligned bytes and
   * never straddles two cache lines (with 3 doubles, a quarter of them did, and each update paid for two lines).
   */
  private readonly slot: number;
  private readonly pool: Float64Array[] = [];
  private readonly scratch: Uint32Array;
  private readonly orderedA: Float64Array;
  private readonly orderedB: Float64Array;
  private readonly featureOrder: Int32Array;
  private readonly subtraction: boolean;
  /**
   * Boosting's bins again, row-major and packed four to a word (row i's features 4q..4q+3 in the bytes of word
   * i * words + q): a node's rows are scattered, and reading each row's bins from one cache line instead of one
   * line per column is what makes large-data histograms fast; one load per four bins instead of one per bin.
   */
  private readonly packed: Uint32Array | null;
  private readonly words: number;
  /** Per bin, 1 when the split being made sends it left. */
  private readonly goesLeft = new Uint8Array(BINS);
  /** Running left-side sums during split search. */
  private readonly left: Float64Array;
  /** Histogram slots the columns use (value bins and missing bin), the cost of one histogram subtraction. */
  private readonly usedSlots: number;

  constructor(
    private readonly binned: readonly BinnedColumn[],
    nRows: number,
    private readonly targets: TreeTargets,
    private readonly options: TreeOptions,
  ) {
    this.nFeatures = binned.length;
    this.K = targets.kind === 'classes' ? targets.nClasses : 1;
    this.S = this.K + 2;
    this.slot = targets.kind === 'gradients' ? 4 : this.S;
    this.scratch = new Uint32Array(nRows);
    this.orderedA = new Float64Array(nRows);
    this.orderedB = new Float64Array(nRows);
    this.featureOrder = Int32Array.from({ length: this.nFeatures }, (_, f) => f);
    this.subtraction = options.maxFeatures >= this.nFeatures;
    this.left = new Float64Array(this.S);
    this.words = Math.ceil(this.nFeatures / 4);
    this.packed = null;
    if (targets.kind === 'gradients' && this.subtraction) {
      const W = this.words;
      this.packed = new Uint32Array(nRows * W);
      for (let f = 0; f < this.nFeatures; f++) {
        const bins = binned[f].bins;
        const q = f >>> 2;
        const shift = (f & 3) * 8;
        for (let i = 0; i < nRows; i++) this.packed[i * W + q] |= bins[i] << shift;
      }
    }
    this.usedSlots = binned.reduce((total, column) => total + (column.nBins + 1) * this.slot, 0);
  }

  /** Grows one tree on rows[0..count); `scale` multiplies leaf values (the learning rate). */
  grow(rows: Uint32Array, count: number, scale: number): GrownTree {
    const { maxLeaves, maxDepth, minSamplesLeaf, minGain } = this.options;
    const tree: GrownTree = { feature: [], binThreshold: [], missingLeft: [], left: [], right: [], catOffset: [], cats: [], value: [], leaves: [] };
    const root = this.newNode(tree, 0, count, 0, this.rowSums(rows, 0, count));
    const candidates: Node[] = [];
    let leafCount = 1;
    // A node that can never be split needs no histogram: nor do the children of the split that fills the tree.
    const splittable = (node: Node) => leafCount < maxLeaves && node.depth < maxDepth && node.end - node.start >= 2 * minSamplesLeaf && !this.isPure(node.sums);
    const consider = (node: Node, hist: Float64Array | null) => {
      if (splittable(node)) {
        // A histogram from subtraction covers every feature; otherwise draw this node's features (forests).
        const features = hist ? this.featureOrder : this.drawFeatures();
        node.hist = hist ?? this.histogram(rows, node.start, node.end, features);
        node.split = this.bestSplit(node.hist, node.sums, features);
      } else if (hist) this.release(hist);
      if (node.split && node.split.gain > minGain) candidates.push(node);
      else this.finishLeaf(tree, node, scale);
    };
    consider(root, null);
    while (candidates.length > 0) {
      let pick = candidates.length - 1;
      if (Number.isFinite(maxLeaves)) {
        if (leafCount >= maxLeaves) break;
        for (let c = 0; c < candidates.length - 1; c++) if (candidates[c].split!.gain > candidates[pick].split!.gain) pick = c;
      }
      const node = candidates[pick];
      candidates[pick] = candidates[candidates.length - 1];
      candidates.pop();
      const [leftNode, rightNode] = this.split(tree, rows, node);
      leafCount++;
      let leftHist: Float64Array | null = null;
      let rightHist: Float64Array | null = null;
      const leftSmaller = leftNode.end - leftNode.start <= rightNode.end - rightNode.start;
      const large = leftSmaller ? rightNode : leftNode;
      // Subtracting costs one pass over the used slots; counting a small node's rows directly can be cheaper.
      if (this.subtraction && splittable(large) && (large.end - large.start) * this.nFeatures > this.usedSlots) {
        // Build the smaller child's histogram; the larger one is the parent's minus it, in the parent's buffer.
        const small = leftSmaller ? leftNode : rightNode;
        const smallHist = this.histogram(rows, small.start, small.end, this.featureOrder);
        const parentHist = node.hist!;
        this.forUsedSlots((from, to) => {
          for (let i = from; i < to; i++) parentHist[i] -= smallHist[i];
        });
        leftHist = leftSmaller ? smallHist : parentHist;
        rightHist = leftSmaller ? parentHist : smallHist;
      } else if (node.hist) this.release(node.hist);
      node.hist = null;
      consider(leftNode, leftHist);
      consider(rightNode, rightHist);
    }
    for (const node of candidates) this.finishLeaf(tree, node, scale);
    return tree;
  }

  private drawFeatures(): Int32Array {
    const { maxFeatures, rng } = this.options;
    if (maxFeatures >= this.nFeatures) return this.featureOrder;
    const order = this.featureOrder;
    for (let i = 0; i < maxFeatures; i++) {
      const j = i + rng.int(this.nFeatures - i);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order.subarray(0, maxFeatures);
  }

  private isPure(sums: Float64Array): boolean {
    if (this.targets.kind !== 'classes') return false;
    for (let k = 0; k < this.K; k++) if (sums[2 + k] > 0 && sums[2 + k] < sums[1]) return false;
    return true;
  }

  private newNode(tree: GrownTree, start: number, end: number, depth: number, sums: Float64Array): Node {
    const id = tree.feature.length;
    tree.feature.push(-1);
    tree.binThreshold.push(0);
    tree.missingLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.catOffset.push(-1);
    for (let k = 0; k < this.K; k++) tree.value.push(0);
    return { id, start, end, depth, sums, hist: null, split: null };
  }

  private finishLeaf(tree: GrownTree, node: Node, scale: number): void {
    if (node.hist) this.release(node.hist);
    node.hist = null;
    const H = node.sums[1];
    for (let k = 0; k < this.K; k++) {
      const G = node.sums[2 + k];
      tree.value[node.id * this.K + k] = this.targets.kind === 'classes' ? G / H : (-G / (H + this.options.l2)) * scale;
    }
    tree.leaves.push({ node: node.id, start: node.start, end: node.end });
  }

  private rowSums(rows: Uint32Array, start: number, end: number): Float64Array {
    const sums = new Float64Array(this.S);
    const t = this.targets;
    for (let j = start; j < end; j++) {
      const i = rows[j];
      sums[0]++;
      if (t.kind === 'gradients') {
        sums[1] += t.gradHess[2 * i + 1];
        sums[2] += t.gradHess[2 * i];
      } else {
        sums[1] += t.weights[i];
        sums[2 + t.labels[i]] += t.weights[i];
      }
    }
    return sums;
  }

  /** Calls `visit` with the histogram slot ranges that columns use: their value bins and their missing bin. */
  private forUsedSlots(visit: (from: number, to: number) => void): void {
    const slot = this.slot;
    for (let f = 0; f < this.nFeatures; f++) {
      const base = f * BINS * slot;
      visit(base, base + this.binned[f].nBins * slot);
      visit(base + MISSING_BIN * slot, base + BINS * slot);
    }
  }

  private acquire(): Float64Array {
    // Packed rows fill whole words: up to 3 padding features past the last take the zero bytes, never read.
    const features = this.packed ? this.words * 4 : this.nFeatures;
    return this.pool.pop() ?? new Float64Array(features * BINS * this.slot);
  }

  private release(hist: Float64Array): void {
    this.pool.push(hist);
  }

  private histogram(rows: Uint32Array, start: number, end: number, features: Int32Array): Float64Array {
    const hist = this.acquire();
    const { S, slot } = this;
    const n = end - start;
    const t = this.targets;
    if (this.packed && features.length === this.nFeatures && t.kind === 'gradients') {
      this.forUsedSlots((from, to) => hist.fill(0, from, to));
      fillGradientHistogramByRow(hist, this.packed, this.words, rows, start, n, t.gradHess);
      return hist;
    }
    // Gather the node's targets once so the per-feature loops read them sequentially.
    const a = this.orderedA;
    const b = this.orderedB;
    if (t.kind === 'gradients') {
      for (let j = 0; j < n; j++) {
        const i = rows[start + j];
        a[j] = t.gradHess[2 * i];
        b[j] = t.gradHess[2 * i + 1];
      }
    } else {
      for (let j = 0; j < n; j++) {
        const i = rows[start + j];
        a[j] = t.labels[i];
        b[j] = t.weights[i];
      }
    }
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const base = f * BINS * slot;
      const { bins, nBins } = this.binned[f];
      // Only the bins a column uses are ever read: clearing all 256 costs more than filling small nodes.
      hist.fill(0, base, base + nBins * slot);
      hist.fill(0, base + MISSING_BIN * slot, base + BINS * slot);
      if (t.kind === 'gradients') fillGradientHistogram(hist, base, bins, rows, start, n, a, b);
      else fillClassHistogram(hist, base, S, bins, rows, start, n, a, b);
    }
    return hist;
  }

  private score(G: Float64Array, off: number, H: number): number {
    let s = 0;
    for (let k = 0; k < this.K; k++) s += G[off + k] * G[off + k];
    return s / (H + this.options.l2);
  }


  private bestSplit(hist: Float64Array, sums: Float64Array, features: Int32Array): Split | null {
    const { S, K, slot } = this;
    const { rng, randomThresholds, minSamplesLeaf, l2 } = this.options;
    const parentScore = this.score(sums, 2, sums[1]);
    const left = this.left;
    let best: Split | null = null;
    let bestGain = 0;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const { nBins, edges } = this.binned[f];
      const base = f * BINS * slot;
      const miss = base + MISSING_BIN * slot;
      const hasMissing = hist[miss] > 0;
      // Bins in scan order: by value for numbers, by the categories' mean target for categories.
      const order = edges ? null : this.categoryOrder(hist, base, nBins, sums);
      const steps = order ? order.length : nBins;
      if (steps < (hasMissing ? 1 : 2)) continue;
      let only = -1;
      if (randomThresholds) {
        let lo = -1;
        let hi = -1;
        for (let s = 0; s < steps; s++) {
          if (hist[base + (order ? order[s] : s) * slot] > 0) {
            if (lo < 0) lo = s;
            hi = s;
          }
        }
        if (lo < 0) continue;
        only = hi > lo ? lo + rng.int(hi - lo) : hi;
      }
      left.fill(0);
      for (let s = 0; s < steps; s++) {
        const bin = order ? order[s] : s;
        const o = base + bin * slot;
        // An empty bin moves nothing: the split after it equals the one before it.
        if (hist[o] === 0 && s !== only) continue;
        for (let k = 0; k < S; k++) left[k] += hist[o + k];
        if ((only >= 0 && s !== only) || left[0] === 0) continue;
        // The missing values go right (m = 0), then left (m = 1).
        for (let m = 0; m < (hasMissing ? 2 : 1); m++) {
          const cl = left[0] + m * hist[miss];
          const hl = left[1] + m * hist[miss + 1];
          const cr = sums[0] - cl;
          const hr = sums[1] - hl;
          if (cl < minSamplesLeaf || cr < minSamplesLeaf || hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
          let scoreLeft = 0;
          let scoreRight = 0;
          for (let k = 2; k < K + 2; k++) {
            const gl = left[k] + m * hist[miss + k];
            const gr = sums[k] - gl;
            scoreLeft += gl * gl;
            scoreRight += gr * gr;
          }
          const gain = scoreLeft / (hl + l2) + scoreRight / (hr + l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            const leftSums = left.slice();
            if (m === 1) for (let k = 0; k < S; k++) leftSums[k] += hist[miss + k];
            best = { gain, feature: f, bin, missingLeft: m === 1, cats: order ? bitset(order, s) : null, leftSums };
          }
        }
      }
    }
    return best;
  }

  /** Non-empty categories sorted by mean target, so the best subset split is a prefix (Fisher's result, used by LightGBM). */
  private categoryOrder(hist: Float64Array, base: number, nBins: number, sums: Float64Array): number[] {
    const slot = this.slot;
    // With several class channels, order by the share of the node's majority class (a one-vs-rest view).
    let channel = 0;
    for (let k = 1; k < this.K; k++) if (sums[2 + k] > sums[2 + channel]) channel = k;
    const present: number[] = [];
    const key = new Float64Array(nBins);
    for (let bin = 0; bin < nBins; bin++) {
      const o = base + bin * slot;
      if (hist[o] === 0) continue;
      present.push(bin);
      key[bin] = hist[o + 2 + channel] / (hist[o + 1] + CATEGORY_SMOOTHING);
    }
    return present.sort((x, y) => key[x] - key[y] || x - y);
  }

  private split(tree: GrownTree, rows: Uint32Array, node: Node): [Node, Node] {
    const split = node.split!;
    const bins = this.binned[split.feature].bins;
    const scratch = this.scratch;
    const cats = split.cats;
    const goesLeft = this.goesLeft;
    for (let b = 0; b < MISSING_BIN; b++) goesLeft[b] = cats ? (cats[b >>> 5] >>> (b & 31)) & 1 : +(b <= split.bin);
    goesLeft[MISSING_BIN] = +split.missingLeft;
    let l = node.start;
    let r = 0;
    // This runs over every row at every depth, and which side a row takes is a coin flip to the branch predictor:
    // each row is written to both sides and only the side it belongs to moves on.
    for (let j = node.start; j < node.end; j++) {
      const i = rows[j];
      const left = goesLeft[bins[i]];
      rows[l] = i;
      scratch[r] = i;
      l += left;
      r += left ^ 1;
    }
    rows.set(scratch.subarray(0, r), l);
    const rightSums = new Float64Array(this.S);
    for (let s = 0; s < this.S; s++) rightSums[s] = node.sums[s] - split.leftSums[s];
    const leftNode = this.newNode(tree, node.start, l, node.depth + 1, split.leftSums);
    const rightNode = this.newNode(tree, l, node.end, node.depth + 1, rightSums);
    tree.feature[node.id] = split.feature;
    tree.binThreshold[node.id] = split.bin;
    tree.missingLeft[node.id] = split.missingLeft ? 1 : 0;
    tree.left[node.id] = leftNode.id;
    tree.right[node.id] = rightNode.id;
    if (cats) {
      tree.catOffset[node.id] = tree.cats.length;
      tree.cats.push(...cats);
    }
    return [leftNode, rightNode];
  }
}

/** The bins of order[0..last] as a 256-bit set. */
function bitset(order: readonly number[], last: number): Uint32Array {
  const words = new Uint32Array(8);
  for (let s = 0; s <= last; s++) words[order[s] >>> 5] |= 1 << (order[s] & 31);
  return words;
}

// The histogram loops are separate monomorphic functions: they are the hottest code of training and V8 optimizes
// each far better than one loop with a branch on the target kind. Gradient slots are 4 doubles (count, hessian,
// gradient, padding).
function fillGradientHistogram(hist: Float64Array, base: number, bins: Uint8Array, rows: Uint32Array, start: number, n: number, grad: Float64Array, hess: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const o = base + (bins[rows[start + j]] << 2);
    hist[o] += 1;
    hist[o + 1] += hess[j];
    hist[o + 2] += grad[j];
  }
}

const WORD_STRIDE = 4 * BINS * 4;

/**
 * Adds each row's count, hessian and gradient to the slot of its bin in each feature's histogram. Rows go in
 * pairs through the words: the two rows' updates are independent, so the CPU overlaps them, and the loop's own
 * work is paid once per pair.
 */
function fillGradientHistogramByRow(hist: Float64Array, packed: Uint32Array, W: number, rows: Uint32Array, start: number, n: number, gradHess: Float64Array): void {
  const end = start + n;
  let j = start;
  for (; j + 1 < end; j += 2) {
    const a = rows[j];
    const b = rows[j + 1];
    const ha = gradHess[2 * a + 1];
    const ga = gradHess[2 * a];
    const hb = gradHess[2 * b + 1];
    const gb = gradHess[2 * b];
    for (let q = 0, base = 0; q < W; q++, base += WORD_STRIDE) {
      addWord(hist, base, packed[a * W + q], ha, ga);
      addWord(hist, base, packed[b * W + q], hb, gb);
    }
  }
  if (j < end) {
    const a = rows[j];
    for (let q = 0, base = 0; q < W; q++, base += WORD_STRIDE) addWord(hist, base, packed[a * W + q], gradHess[2 * a + 1], gradHess[2 * a]);
  }
}

/** The four features of one packed word; base is the first one's histogram. */
function addWord(hist: Float64Array, base: number, word: number, h: number, g: number): void {
  const stride = BINS * 4;
  // Each byte's bin times the 4 doubles of a slot: shifted down by 6 (8 - 2) and masked to 8 bits, times 4.
  addToSlot(hist, base + ((word << 2) & 1020), h, g);
  addToSlot(hist, base + stride + ((word >>> 6) & 1020), h, g);
  addToSlot(hist, base + 2 * stride + ((word >>> 14) & 1020), h, g);
  addToSlot(hist, base + 3 * stride + ((word >>> 22) & 1020), h, g);
}

function addToSlot(hist: Float64Array, o: number, h: number, g: number): void {
  hist[o] += 1;
  hist[o + 1] += h;
  hist[o + 2] += g;
}

function fillClassHistogram(hist: Float64Array, base: number, S: number, bins: Uint8Array, rows: Uint32Array, start: number, n: number, labels: Float64Array, weights: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const o = base + bins[rows[start + j]] * S;
    hist[o] += 1;
    hist[o + 1] += weights[j];
    hist[o + 2 + (labels[j] | 0)] += weights[j];
  }
}
