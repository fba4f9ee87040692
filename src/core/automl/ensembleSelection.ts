import { l10n } from '../l10n';
import { METRIC_DIRECTION, foldRows, trainingCancelled, type EnsembleParams, type Family, type Predictions } from '../train';
import { scoreFold, type CvSetup } from './crossValidation';
import type { LibraryEntry } from './search';

/** Rounds of greedy selection: Caruana et al. found most of the gain within the first 20-50 picks of libraries far larger. */
const ROUNDS = 25;
/**
 * The gain over the best single model an ensemble needs to be kept: 0.1 point of a score in [0, 1] (accuracy, F1,
 * AUC, R²), or 0.1% of an error (RMSE, MAE, log loss). The estimate it is compared with has no selection optimism
 * (see selectEnsemble), so the margin is not there for noise: it is the least gain worth a model several times as
 * large and slow to predict.
 */
const MARGIN = 0.001;

/** The ensemble as the leaderboard shows it, kept or not. */
export interface EnsembleEntry {
  /** The members, by trial, with their weights (whole numbers: how often the selection picked each). */
  members: { trial: number; family: Family; weight: number }[];
  /** Mean over the folds of the ensemble chosen without each fold, scored on it. */
  score: number;
  foldScores: number[];
  /** The best single trial's CV score, which the ensemble had to beat by the margin. */
  bestSingle: number;
  kept: boolean;
  /** Why it was not kept, or could not be built. */
  reason?: string;
}

export interface EnsembleSelection {
  entry: EnsembleEntry;
  params: EnsembleParams;
  /** Per row, the class index or value of the ensemble chosen without the row's fold: for the evaluation's figures. */
  outOfFold: Float64Array;
}

/**
 * Caruana et al. (2004) ensemble selection: starting empty, add (with replacement) the candidate whose addition
 * scores best on the out-of-fold outputs, for ROUNDS rounds, and keep the prefix that scored best. The candidates
 * are the search's best trials, not bagged: with 15 candidates (not thousands) the selection has little room to
 * overfit, and the score it is judged by is measured honestly: for each fold, the weights are chosen on the other
 * folds' rows and scored on that fold's (nested cross-validation). The final weights are then chosen on all rows.
 */
export function selectEnsemble(setup: CvSetup, library: readonly LibraryEntry[], signal?: AbortSignal): EnsembleSelection | undefined {
  if (library.length < 2) return undefined;
  const metric = setup.metric;
  const sign = METRIC_DIRECTION[metric] === 'max' ? 1 : -1;
  const width = setup.labels?.length ?? 1;
  const n = setup.dataset.nRows;
  const testOf = Array.from({ length: setup.k }, (_, f) => foldRows(setup.folds, f).test);
  const score = (blend: Float64Array, folds: readonly number[]) => folds.reduce((sum, f) => sum + scoreFold(setup, testOf[f], predictionsOf(setup, blend, testOf[f], width)), 0) / folds.length;
  const allFolds = testOf.map((_, f) => f);

  const nestedOutput = new Float64Array(n * width);
  const foldScores: number[] = [];
  for (const held of allFolds) {
    const counts = greedy(library, allFolds.filter((f) => f !== held), score, sign, n * width, signal);
    const blend = blendOf(library, counts, n * width);
    foldScores.push(score(blend, [held]));
    for (const row of testOf[held]) for (let k = 0; k < width; k++) nestedOutput[row * width + k] = blend[row * width + k];
  }
  const counts = greedy(library, allFolds, score, sign, n * width, signal);
  const ensembleScore = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  const bestSingle = library[0].trial.score!;
  const bounded = metric !== 'rmse' && metric !== 'mae' && metric !== 'log_loss';
  const margin = bounded ? MARGIN : MARGIN * Math.abs(bestSingle);
  const chosen = counts.flatMap((c, i) => (c > 0 ? [{ entry: library[i], weight: c }] : []));
  const members = chosen.map(({ entry, weight }) => ({ trial: entry.trial.trial, family: entry.trial.family, weight }));
  const gain = sign * (ensembleScore - bestSingle);
  const kept = chosen.length > 1 && gain > margin;
  const reason = kept ? undefined
    : chosen.length <= 1 ? l10n.t('The selection kept a single model: no mix of the best trials scored better.')
    : l10n.t('The ensemble scored {0} in nested cross-validation against {1} for the best single model: not better by the margin of {2}.', ensembleScore.toFixed(4), bestSingle.toFixed(4), margin.toPrecision(2));
  return {
    entry: { members, score: ensembleScore, foldScores, bestSingle, kept, ...(reason ? { reason } : {}) },
    params: { members: chosen.map(({ entry }) => ({ family: entry.trial.family, params: entry.trial.params })), weights: chosen.map((c) => c.weight) },
    outOfFold: classesOrValues(nestedOutput, n, width, !!setup.labels),
  };
}

/** How often each candidate is picked in the best-scoring prefix of ROUNDS greedy picks, scored on `folds`. */
function greedy(library: readonly LibraryEntry[], folds: readonly number[], score: (blend: Float64Array, folds: readonly number[]) => number, sign: number, size: number, signal?: AbortSignal): number[] {
  const counts = new Array<number>(library.length).fill(0);
  const sum = new Float64Array(size);
  const trial = new Float64Array(size);
  let best = -Infinity;
  let bestCounts = counts.slice();
  for (let round = 1; round <= ROUNDS; round++) {
    if (signal?.aborted) throw trainingCancelled();
    let pick = -1;
    let pickScore = -Infinity;
    for (const [i, { output }] of library.entries()) {
      for (let j = 0; j < size; j++) trial[j] = (sum[j] + output[j]) / round;
      const s = sign * score(trial, folds);
      // Ties go to the earlier candidate, the better single model.
      if (s > pickScore) {
        pickScore = s;
        pick = i;
      }
    }
    counts[pick]++;
    const output = library[pick].output;
    for (let j = 0; j < size; j++) sum[j] += output[j];
    if (pickScore > best) {
      best = pickScore;
      bestCounts = counts.slice();
    }
  }
  return bestCounts;
}

function blendOf(library: readonly LibraryEntry[], counts: readonly number[], size: number): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const blend = new Float64Array(size);
  for (const [i, c] of counts.entries()) {
    if (c === 0) continue;
    const output = library[i].output;
    for (let j = 0; j < size; j++) blend[j] += (c / total) * output[j];
  }
  return blend;
}

function predictionsOf(setup: CvSetup, blend: Float64Array, rows: ArrayLike<number>, width: number): Predictions {
  if (!setup.labels) return { kind: 'regression', values: Float64Array.from(rows as ArrayLike<number>, (r) => blend[r]) };
  const probabilities = new Float64Array(rows.length * width);
  const classIndex = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let best = 0;
    for (let k = 0; k < width; k++) {
      probabilities[i * width + k] = blend[rows[i] * width + k];
      if (probabilities[i * width + k] > probabilities[i * width + best]) best = k;
    }
    classIndex[i] = best;
  }
  return { kind: 'classification', classes: setup.labels, labels: Array.from(classIndex, (k) => setup.labels![k]), classIndex, probabilities };
}

function classesOrValues(output: Float64Array, n: number, width: number, classification: boolean): Float64Array {
  if (!classification) return output;
  return Float64Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let k = 1; k < width; k++) if (output[i * width + k] > output[i * width + best]) best = k;
    return best;
  });
}
