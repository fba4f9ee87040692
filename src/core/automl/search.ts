import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { METRIC_DIRECTION, Rng, trainingCancelled, subsetRows, type Dataset, type Family, type MetricName, type Task } from '../train';
import { crossValidate, cvSetup, type CvSetup } from './crossValidation';
import { decode, encode, searchSpaces, startPoint, type FamilySpace } from './searchSpace';

/** One configuration tried: what the leaderboard lists and each child run records. */
export interface Trial {
  /** 1, 2, 3... in the order tried. */
  readonly trial: number;
  readonly family: Family;
  readonly params: Readonly<Record<string, unknown>>;
  /** Rows it was cross-validated on: all of them, or a sample while the search is on a lower rung. */
  readonly rows: number;
  readonly status: 'ok' | 'failed';
  /** Mean CV score, null when the trial failed. */
  readonly score: number | null;
  readonly foldScores: readonly number[];
  readonly fitSeconds: number;
  /** Seconds from the start of the search to the end of this trial. */
  readonly elapsedSeconds: number;
  readonly error?: string;
}

export interface SearchOptions {
  readonly dataset: Dataset;
  readonly task: Task;
  readonly metric: MetricName;
  readonly seed: number;
  readonly folds: number;
  /** Fold of each row (0..folds-1) instead of the seeded stratified assignment: to compare with another tool on its folds. */
  readonly foldAssignment?: Int32Array;
  /** Exactly this many trials, and no clock anywhere: the same data and seed give the same search. */
  readonly maxTrials?: number;
  /** Otherwise the search stops when this many seconds are spent (less what the final refit is expected to take). */
  readonly timeBudget?: number;
  /** Only these families are tried (all that suit the data when absent). */
  readonly families?: readonly Family[];
  readonly signal?: AbortSignal;
  /** Ends the search as if its budget had run out: the trials so far stand, and the best of them is the result. */
  readonly stopSignal?: AbortSignal;
  /** Awaited before each trial (a child run is started there) and after it; `undefined` when the budget cut it short. */
  readonly onTrialStart?: (trial: number, family: Family, params: Readonly<Record<string, unknown>>, rows: number) => Promise<void> | void;
  readonly onTrialEnd?: (trial: Trial | undefined) => Promise<void> | void;
}

/** A trial scored on all the rows, with its out-of-fold probabilities or values: a candidate for the ensemble. */
export interface LibraryEntry {
  readonly trial: Trial;
  readonly output: Float64Array;
}

/** The ensemble's candidates: at most this many trials... */
const LIBRARY_SIZE = 15;
/** ...and at most this many bytes of out-of-fold outputs (a many-class target keeps fewer). */
const LIBRARY_BYTES = 64 * 1024 * 1024;
/** Beyond this many rows no library is kept: refitting several members would not fit a budget sized for one. */
export const ENSEMBLE_MAX_ROWS = 50_000;

export interface SearchResult {
  readonly trials: Trial[];
  /** The best trials on all the rows, best first, with the setup they were all scored on (empty on large data). */
  readonly library: { readonly setup: CvSetup; readonly entries: readonly LibraryEntry[] } | undefined;
  readonly best: Trial;
  /** The rows and folds the best trial was scored on, and its out-of-fold predictions: what its evaluation reads. */
  readonly bestEvidence: { readonly setup: CvSetup; readonly outOfFold: Float64Array };
  /** Set when `stopSignal` ended the search. */
  readonly stopped?: boolean;
  /** Set when the search stopped before its budget because it had converged. */
  readonly converged?: Convergence;
}

export interface Convergence {
  /** `repeats`: every configuration proposed had been scored already; `plateau`: the best stopped improving. */
  readonly reason: 'repeats' | 'plateau';
  /** Trials run since the best score last improved. */
  readonly sinceBest: number;
}

/** Two configurations this close on every normalized dimension (log scale for rates and counts) score alike. */
const SAME_CONFIGURATION_GRID = 100;
/** Proposals in a row that were all repeats: the families' neighbourhoods are exhausted. */
const MAX_REPEATS_IN_A_ROW = 30;
/** On all the rows, the search stops after this many trials (or as many as it took to find the best, if more) without a better score. */
const PLATEAU_TRIALS = 50;

/**
 * A configuration's identity for the search: each dimension's cell of a 1% grid of the normalized space, and the
 * rows it is scored on. Integer parameters that decode alike, and rates within rounding of each other, share a key.
 */
export function configurationKey(space: FamilySpace, params: Readonly<Record<string, unknown>>, rows: number): string {
  const cells = encode(space, params).map((u, i) => (space.dimensions[i].scale === 'choice' || space.dimensions[i].integer ? String(params[space.dimensions[i].name]) : String(Math.round(u * SAME_CONFIGURATION_GRID))));
  return `${space.family}|${rows}|${cells.join(',')}`;
}

/** Searches start on a sample this large; larger data climbs rungs of 4x more rows (successive halving on data). */
export const FIRST_RUNG_ROWS = 10_000;
const RUNG_GROWTH = 4;
/** Of the configurations of a rung, this share (at least one per remaining family) goes up to the next. */
const PROMOTED_SHARE = 1 / 3;
/** The local search's step on [0, 1]^d starts at this times sqrt(d), halves after repeated failures, restarts below the floor. */
const STEP_START = 0.1;
const STEP_FLOOR = 0.005;

interface FamilyState {
  readonly space: FamilySpace;
  incumbent: number[];
  /** Best score so far of this family on the current rung, sign-adjusted so larger is better. */
  best: number;
  step: number;
  /** The direction just tried forward, whose opposite is tried next if forward did not improve. */
  pending: number[] | null;
  failures: number;
  /** Cost spent, cost when its best was found, cost when its previous best was found (FLAML's K0, K1, K2). */
  spent: number;
  spentAtBest: number;
  spentAtPreviousBest: number;
  /** How much its last improvement gained. */
  lastGain: number;
  tried: boolean;
}

/**
 * FLAML's cost-frugal optimization, per family: a randomized direct search from the cheapest configuration that only
 * moves to a neighbour (costlier or not) when it scores better, with a step that shrinks as it fails. Which family
 * gets the next trial follows FLAML's estimated cost for improvement (ECI): a family that has recently improved
 * cheaply, or whose gap to the leader is small for its rate of progress, is tried more often. Costs are the
 * families' deterministic estimates, never measured seconds. Data larger than the first rung climbs rungs of 4x the
 * rows; at each step up, only the top third of the rung's configurations is re-scored (successive halving).
 */
export async function runSearch(options: SearchOptions): Promise<SearchResult> {
  const { dataset, metric, seed } = options;
  if (options.maxTrials === undefined && options.timeBudget === undefined) throw new Error('runSearch needs maxTrials or timeBudget');
  const sign = METRIC_DIRECTION[metric] === 'max' ? 1 : -1;
  const rng = new Rng(seed);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const rungs = rungSizes(dataset.nRows);
  let rung = 0;
  let setup = setupFor(options, rungs[0], rng);
  const classes = setup.labels?.length ?? 0;
  const featureCount = dataset.columns.length - 1;
  const suited = searchSpaces({ rows: dataset.nRows, features: featureCount, classes });
  const allowed = options.families ? suited.filter((s) => options.families!.includes(s.family)) : suited;
  if (allowed.length === 0) {
    throw new MlopsError(
      l10n.t('None of the model families {0} can train on this data.', options.families!.join(', ')),
      l10n.t('naive_bayes only classifies and knn only takes up to 20,000 rows; allow more families, or leave the list out to try them all.'),
      'NO_FAMILY',
    );
  }
  let states = allowed.map(freshState);
  const trials: Trial[] = [];
  const onRung: Trial[] = [];
  /** Seconds the final refit of the current best is expected to take: the search leaves that much of the budget. */
  let refitEstimate = 0;
  let bestEvidence: SearchResult['bestEvidence'] | undefined;
  /** Every configuration scored, by key: a repeat is never scored again. */
  const scored = new Map<string, Trial>();
  let repeatsInARow = 0;
  let converged: Convergence | undefined;
  const library: LibraryEntry[] = [];
  let librarySetup: CvSetup | undefined;
  const librarySize = (width: number) => Math.min(LIBRARY_SIZE, Math.floor(LIBRARY_BYTES / (dataset.nRows * Math.max(1, width) * 8)));
  /** Keeps the trial if it is among the best on all the rows; the others' outputs are dropped as they come. */
  const remember = (trial: Trial, output: Float64Array) => {
    if (setup.dataset.nRows !== dataset.nRows || dataset.nRows > ENSEMBLE_MAX_ROWS) return;
    const size = librarySize(setup.labels?.length ?? 1);
    if (size < 2) return;
    librarySetup = setup;
    library.push({ trial, output });
    library.sort((a, b) => sign * (b.trial.score! - a.trial.score!) || a.trial.trial - b.trial.trial);
    if (library.length > size) library.pop();
  };

  const timeLeft = () => options.timeBudget === undefined || elapsed() + refitEstimate < options.timeBudget;
  const stopRequested = () => options.stopSignal?.aborted === true;
  const budgetSignal = budgetedSignal(options.signal, () => trials.some((t) => t.status === 'ok') && (stopRequested() || (options.timeBudget !== undefined && elapsed() + refitEstimate >= options.timeBudget)));
  const more = () => !(stopRequested() && trials.some((t) => t.status === 'ok')) && (options.maxTrials === undefined ? timeLeft() : trials.length < options.maxTrials);

  const evaluate = async (state: FamilyState, params: Readonly<Record<string, unknown>>): Promise<Trial | undefined> => {
    const number = trials.length + 1;
    await options.onTrialStart?.(number, state.space.family, params, setup.dataset.nRows);
    let trial: Trial;
    let outOfFold: Float64Array | undefined;
    let output: Float64Array | undefined;
    try {
      const cv = crossValidate(setup, state.space.family, params, budgetSignal);
      outOfFold = cv.outOfFold;
      output = cv.outOfFoldOutput;
      trial = { trial: number, family: state.space.family, params, rows: setup.dataset.nRows, status: 'ok', score: cv.score, foldScores: cv.foldScores, fitSeconds: cv.fitSeconds, elapsedSeconds: elapsed() };
    } catch (err) {
      if (options.signal?.aborted) throw trainingCancelled();
      if (budgetSignal.aborted) {
        await options.onTrialEnd?.(undefined);
        return undefined;
      }
      if (!(err instanceof MlopsError)) throw err;
      // Before any success a failure says the data cannot be learned (one class, missing targets): stop and say so.
      if (!trials.some((t) => t.status === 'ok')) throw err;
      trial = { trial: number, family: state.space.family, params, rows: setup.dataset.nRows, status: 'failed', score: null, foldScores: [], fitSeconds: 0, elapsedSeconds: elapsed(), error: err.message };
    }
    trials.push(trial);
    onRung.push(trial);
    scored.set(configurationKey(state.space, params, setup.dataset.nRows), trial);
    if (trial.status === 'ok') remember(trial, output!);
    const leader = bestTrial(trials, sign)!;
    if (leader === trial) bestEvidence = { setup, outOfFold: outOfFold! };
    refitEstimate = refitSeconds(leader, setup.k, dataset.nRows);
    await options.onTrialEnd?.(trial);
    return trial;
  };

  const rungQuota = (r: number) => (options.maxTrials === undefined ? Infinity : Math.floor((options.maxTrials * (r + 1)) / rungs.length));
  const rungTimeShare = (r: number) => (options.timeBudget === undefined ? Infinity : (options.timeBudget * (r + 1)) / (rungs.length + 1));

  while (more()) {
    if (rung < rungs.length - 1 && onRung.some((t) => t.status === 'ok') && (trials.length >= rungQuota(rung) || elapsed() >= rungTimeShare(rung))) {
      rung++;
      const promoted = promote(onRung, states, sign);
      setup = setupFor(options, rungs[rung], rng);
      onRung.length = 0;
      states = promoted.map(({ state }) => ({ ...freshState(state.space), incumbent: state.incumbent, tried: true }));
      for (const [i, { params }] of promoted.entries()) {
        if (!more()) break;
        const t = await evaluate(states[i], params);
        if (t?.status === 'ok') states[i].best = sign * t.score!;
      }
      continue;
    }
    const state = chooseFamily(states, rng);
    const point = state.tried ? propose(state, rng) : state.incumbent;
    const params = decode(state.space, point);
    const earlier = scored.get(configurationKey(state.space, params, setup.dataset.nRows));
    if (earlier) {
      // What it scored before is what it would score again: the family learns from that, at no cost in trials.
      learn(state, point, earlier, sign, setup.dataset.nRows);
      if (++repeatsInARow >= MAX_REPEATS_IN_A_ROW) {
        converged = { reason: 'repeats', sinceBest: trialsSinceBest(trials, sign) };
        break;
      }
      continue;
    }
    repeatsInARow = 0;
    const trial = await evaluate(state, params);
    if (!trial) break;
    learn(state, point, trial, sign, setup.dataset.nRows);
    const sinceBest = trialsSinceBest(trials, sign);
    if (rung === rungs.length - 1 && sinceBest >= Math.max(PLATEAU_TRIALS, trials.length - sinceBest)) {
      converged = { reason: 'plateau', sinceBest };
      break;
    }
  }
  const best = bestTrial(trials, sign);
  if (!best) {
    throw new MlopsError(l10n.t('No configuration could be trained: {0}', trials.find((t) => t.error)?.error ?? l10n.t('no trial ran')), l10n.t('Check the target column and the data, or give a larger time budget.'), 'NO_MODEL');
  }
  return { trials, best, bestEvidence: bestEvidence!, library: librarySetup && { setup: librarySetup, entries: library }, ...(converged ? { converged } : {}), ...(stopRequested() ? { stopped: true } : {}) };
}

/** Trials after the one that holds the best score (ties do not count as progress). */
function trialsSinceBest(trials: readonly Trial[], sign: number): number {
  const best = bestTrial(trials, sign);
  return best ? trials.length - trials.indexOf(best) - 1 : trials.length;
}

/** Fit time grows a little faster than the rows (deeper trees, more iterations before early stopping). */
const REFIT_MARGIN = 1.5;

/** The final model sees all rows once, where each CV fit saw (k-1)/k of the trial's rows: its time scales from the trial's. */
export function refitSeconds(best: Trial, k: number, rows: number): number {
  return REFIT_MARGIN * (best.fitSeconds / k) * (rows / best.rows) * (k / (k - 1));
}

/** Row counts of the rungs: 10,000, 40,000... and all the rows last. */
export function rungSizes(rows: number): number[] {
  const sizes: number[] = [];
  for (let m = FIRST_RUNG_ROWS; m < rows; m *= RUNG_GROWTH) sizes.push(m);
  sizes.push(rows);
  return sizes;
}

function setupFor(options: SearchOptions, rows: number, rng: Rng): CvSetup {
  if (rows === options.dataset.nRows) return cvSetup(options.dataset, options.task, options.metric, options.folds, options.seed, options.foldAssignment);
  return cvSetup(subsetRows(options.dataset, sampleRows(options.dataset.nRows, rows, rng)), options.task, options.metric, options.folds, options.seed);
}

function sampleRows(n: number, m: number, rng: Rng): Uint32Array {
  const all = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
  return all.slice(0, m).sort();
}

function freshState(space: FamilySpace): FamilyState {
  return {
    space, incumbent: startPoint(space), best: -Infinity, step: STEP_START * Math.sqrt(space.dimensions.length), pending: null, failures: 0,
    spent: 0, spentAtBest: 0, spentAtPreviousBest: 0, lastGain: 0, tried: false,
  };
}

/**
 * FLAML's ECI: the cost a family is expected to need to improve on itself (max of the cost since its best and of
 * what its last improvement took), and for a family behind the leader, the cost to close the gap at its rate of
 * progress. The next family is drawn with probability inversely proportional to it. Untried families go first, cheapest first.
 */
function chooseFamily(states: FamilyState[], rng: Rng): FamilyState {
  const untried = states.find((s) => !s.tried);
  if (untried) return untried;
  const leader = Math.max(...states.map((s) => s.best));
  const eci = states.map((s) => {
    const selfCost = Math.max(s.spent - s.spentAtBest, s.spentAtBest - s.spentAtPreviousBest, 1);
    if (s.best >= leader || !Number.isFinite(s.best)) return Number.isFinite(s.best) ? selfCost : selfCost * 4;
    const rate = s.lastGain / Math.max(1, s.spentAtBest - s.spentAtPreviousBest);
    return Math.max(selfCost, rate > 0 ? (leader - s.best) / rate : selfCost * 4);
  });
  const weights = eci.map((e) => 1 / e);
  const total = weights.reduce((a, b) => a + b, 0);
  let draw = rng.float() * total;
  for (const [i, w] of weights.entries()) {
    draw -= w;
    if (draw <= 0) return states[i];
  }
  return states[states.length - 1];
}

/** The next point: the opposite of a direction that just failed, else a random unit direction from the incumbent. */
function propose(state: FamilyState, rng: Rng): number[] {
  const d = state.incumbent.length;
  let direction = state.pending;
  if (direction) {
    direction = direction.map((x) => -x);
    state.pending = null;
  } else {
    direction = gaussianDirection(d, rng);
    state.pending = direction;
  }
  return state.incumbent.map((x, i) => Math.min(1, Math.max(0, x + state.step * direction![i])));
}

function gaussianDirection(d: number, rng: Rng): number[] {
  const v = Array.from({ length: d }, () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float()));
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function learn(state: FamilyState, point: number[], trial: Trial, sign: number, rows: number): void {
  const cost = state.space.cost(trial.params, rows);
  state.spent += cost;
  const wasTried = state.tried;
  state.tried = true;
  const score = trial.score === null ? -Infinity : sign * trial.score;
  if (score > state.best) {
    state.lastGain = Number.isFinite(state.best) ? score - state.best : 0;
    state.best = score;
    state.incumbent = point;
    state.spentAtPreviousBest = state.spentAtBest;
    state.spentAtBest = state.spent;
    state.pending = null;
    state.failures = 0;
    return;
  }
  if (!wasTried || state.pending) return;
  // Both directions failed: after 2^(d-1) such pairs (FLAML's patience) the step halves; a step too small to move restarts the family at random.
  state.failures++;
  if (state.failures >= 2 ** (state.incumbent.length - 1)) {
    state.failures = 0;
    state.step /= 2;
    if (state.step < STEP_FLOOR) state.step = STEP_START * Math.sqrt(state.incumbent.length);
  }
}

/** The top share of the rung's successful configurations, at least each family's best among them, best first. */
function promote(onRung: readonly Trial[], states: FamilyState[], sign: number): { state: FamilyState; params: Readonly<Record<string, unknown>> }[] {
  const ok = onRung.filter((t) => t.status === 'ok').sort((a, b) => sign * (b.score! - a.score!) || a.trial - b.trial);
  const keep = ok.slice(0, Math.max(1, Math.ceil(ok.length * PROMOTED_SHARE)));
  const chosen: { state: FamilyState; params: Readonly<Record<string, unknown>> }[] = [];
  const seen = new Set<Family>();
  for (const t of keep) {
    if (seen.has(t.family)) continue;
    seen.add(t.family);
    const state = states.find((s) => s.space.family === t.family)!;
    chosen.push({ state: { ...state, incumbent: encode(state.space, t.params) }, params: t.params });
  }
  return chosen;
}

/** The best trial on the most rows: a score on all the data outranks a better one on a sample. */
export function bestTrial(trials: readonly Trial[], sign: number): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) {
    if (t.status !== 'ok') continue;
    if (!best || t.rows > best.rows || (t.rows === best.rows && sign * t.score! > sign * best.score!)) best = t;
  }
  return best;
}

/**
 * The learners poll `signal.aborted` between trees; this one also turns true when the budget runs out, so a
 * trial that would overrun stops within a tree. The first successful trial is never cut: there must be a model.
 */
function budgetedSignal(user: AbortSignal | undefined, overBudget: () => boolean): AbortSignal {
  return { get aborted() { return user?.aborted === true || overBudget(); } } as AbortSignal;
}
