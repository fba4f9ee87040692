import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { Rng } from './random';

/**
 * Fold assignment for cross-validation: fold[i] in 0..k-1. With class labels the folds are stratified (each class
 * shuffled, then dealt round-robin, continuing across classes so fold sizes differ by at most one); without, rows
 * are shuffled and dealt. Deterministic for a seed.
 */
export function kFoldAssignment(n: number, k: number, seed: number, classes?: ArrayLike<number>): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new MlopsError(l10n.t('Cross-validation needs at least 2 folds; got {0}.', k), l10n.t('Use 5 folds unless the data is very small.'));
  if (n < k) throw new MlopsError(l10n.t('{0}-fold cross-validation needs at least {0} rows; the data has {1}.', k, n), l10n.t('Use fewer folds or more data.'));
  const rng = new Rng(seed);
  const fold = new Int32Array(n);
  let dealt = 0;
  for (const group of groups(n, classes)) {
    rng.shuffle(group);
    for (const i of group) fold[i] = dealt++ % k;
  }
  return fold;
}

/** Row indices of the training and test parts of fold `k`. */
export function foldRows(assignment: ArrayLike<number>, k: number): { train: Uint32Array; test: Uint32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < assignment.length; i++) (assignment[i] === k ? test : train).push(i);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}

/**
 * A validation part of `rows` (about `fraction` of each class when classes are given), for early stopping.
 * Returns rows in ascending order, so the split does not depend on the order rows were given in.
 */
export function holdout(rows: Uint32Array, fraction: number, rng: Rng, classes?: ArrayLike<number>): { train: Uint32Array; valid: Uint32Array } {
  const train: number[] = [];
  const valid: number[] = [];
  for (const group of groups(rows.length, classes && Array.from(rows, (i) => classes[i]))) {
    rng.shuffle(group);
    const take = Math.round(group.length * fraction);
    for (const [p, j] of group.entries()) (p < take ? valid : train).push(rows[j]);
  }
  const ascending = (a: number[]) => Uint32Array.from(a).sort();
  return { train: ascending(train), valid: ascending(valid) };
}

/** Row positions grouped by class (one group without classes), classes in increasing order. */
function groups(n: number, classes?: ArrayLike<number>): Int32Array[] {
  if (!classes) return [Int32Array.from({ length: n }, (_, i) => i)];
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = classes[i];
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  }
  return [...byClass.keys()].sort((a, b) => a - b).map((c) => Int32Array.from(byClass.get(c)!));
}
