import { listDatasets, resolveVersion } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { getModel, modelHistory, type ModelVersion, type RetrainTrigger } from '../registry';
import { checkModel, windowBounds, type ModelHealth } from '../monitor';
import type { MetadataStore } from '../store';
import type { Project, RetrainingPolicy } from '../workspace';
import { runGate, type GateOptions, type GateResult } from './evaluate';
import { checkThresholdSettings } from './gate';
import { promote } from './promotion';
import { championOf, retrainModel } from './retrain';
import { lastFiring, parseCron } from './schedule';

/** What monitoring says about a served model; monitoring supplies it, the policy only reads it. */
export interface DriftSignal {
  datasetDrift: boolean;
  decayed?: boolean;
}

export interface DueOptions {
  now?: Date;
  /** Monitoring's latest verdict for a model; without it, `on: [drift]` never fires. */
  driftOf?: (model: string) => DriftSignal | undefined | Promise<DriftSignal | undefined>;
  signal?: AbortSignal;
}

/** What one evaluation of a model's policy found and did. */
export interface DueOutcome {
  model: string;
  /** The triggers that fired, in the order drift, new data, schedule. */
  due: RetrainTrigger[];
  /** For on: drift, what monitoring's check of the champion's recent predictions found. */
  drift?: { health: ModelHealth; reason: string; rows: number; check: string | null };
  /** The challenger a retrain registered. */
  retrained?: { version: number; trigger: RetrainTrigger; dataset: string };
  gate?: { passed: boolean; challenger: number | null; champion: number | null; reasons: string[] };
  promoted?: { from: number | null; to: number };
  /** What happened, in words, for the CLI and the editor to show. */
  notes: string[];
}

/** The model's policy after checking it names things that exist, so a typo fails before anything trains. */
export function checkPolicy(project: Project, model: string, policy: RetrainingPolicy): RetrainingPolicy {
  getModel(project.paths, model);
  if (policy.dataset && !listDatasets(project).some((d) => d.name === policy.dataset)) {
    throw new MlopsError(
      l10n.t('The retraining policy of {0} names the dataset "{1}", which does not exist.', model, policy.dataset),
      l10n.t('Fix retraining.{0}.dataset in mlops.yaml: `mlops datasets` lists the datasets.', model),
      'BAD_POLICY',
    );
  }
  const on = policy.on ?? [];
  if (on.includes('schedule') && !policy.schedule) {
    throw new MlopsError(l10n.t('The retraining policy of {0} retrains on a schedule but has none.', model), l10n.t('Add retraining.{0}.schedule, for example "0 3 * * 1".', model), 'BAD_POLICY');
  }
  if (policy.schedule) parseCron(policy.schedule);
  if (policy.window) windowBounds({ duration: policy.window });
  if (policy.gate) checkThresholdSettings({ greaterIsBetter: true, minAbsoluteChange: policy.gate.min_absolute_change, minRelativeChange: policy.gate.min_relative_change, threshold: policy.gate.floor });
  return policy;
}

/**
 * Monitoring's check of the champion on its recent predictions (the policy's window, else monitoring's): drift of
 * the inputs or a decayed metric is a drift signal; a window with no prediction says nothing, so it never fires.
 */
async function monitoredDrift(project: Project, store: MetadataStore, model: string, policy: RetrainingPolicy, outcome: DueOutcome, signal?: AbortSignal): Promise<DriftSignal | undefined> {
  const check = await checkModel(project, store, { model: `${model}@champion`, ...(policy.window ? { window: { duration: policy.window } } : {}), record: true, ...(signal ? { signal } : {}) });
  outcome.drift = { health: check.health, reason: check.reason, rows: check.window.rows, check: check.id };
  if (check.health === 'no-data') {
    outcome.notes.push(l10n.t('{0}: no prediction in the monitoring window, so drift is not judged.', model));
    return undefined;
  }
  return { datasetDrift: check.report?.datasetDrift === true || check.health === 'drift', decayed: check.decay?.alert === true };
}

/** The gate a policy asks for, as runGate's options. */
export function gateOptionsOf(policy: RetrainingPolicy): Omit<GateOptions, 'challenger'> {
  const gate = policy.gate ?? {};
  return {
    ...(gate.holdout ? { holdout: gate.holdout } : {}),
    ...(gate.metric ? { metric: gate.metric } : {}),
    ...(gate.min_absolute_change !== undefined ? { minAbsoluteChange: gate.min_absolute_change } : {}),
    ...(gate.min_relative_change !== undefined ? { minRelativeChange: gate.min_relative_change } : {}),
    ...(gate.floor !== undefined ? { floor: gate.floor } : {}),
    ...(gate.slice ? { slice: gate.slice } : {}),
  };
}

/**
 * Evaluates every policy in mlops.yaml `retraining:` once, as cron or CI would: a new version of the dataset since
 * the champion's training version, the schedule fired since the last retrain, or drift; when one is due, retrains,
 * gates the challenger and, with `promotion: auto` and no approval required, promotes it.
 */
export async function runDuePolicies(project: Project, store: MetadataStore, options: DueOptions = {}): Promise<DueOutcome[]> {
  const policies = Object.entries(project.config.retraining ?? {}).map(([model, policy]) => [model, checkPolicy(project, model, policy)] as const);
  const outcomes: DueOutcome[] = [];
  for (const [model, policy] of policies) outcomes.push(await runPolicy(project, store, model, policy, options));
  return outcomes;
}

async function runPolicy(project: Project, store: MetadataStore, model: string, policy: RetrainingPolicy, options: DueOptions): Promise<DueOutcome> {
  const now = options.now ?? new Date();
  const on = policy.on ?? [];
  const champion = championOf(project, model);
  const summary = getModel(project.paths, model);
  const outcome: DueOutcome = { model, due: [], notes: [] };
  // A champion trained on a feature service is fed by its entity rows' dataset; its own training set, a build of
  // those rows, gets a new version only when retraining makes one.
  const entities = champion.lineage.featureSet?.entities?.dataset;
  const datasetName = policy.dataset ?? entities ?? champion.lineage.trainingConfig?.dataset ?? champion.lineage.dataset?.name;
  const newest = datasetName ? resolveVersion(project, datasetName).version : undefined;
  const trainedOn = (v: ModelVersion) => {
    const rows = v.lineage.featureSet?.entities;
    if (rows?.dataset === datasetName && rows?.version !== undefined) return rows.version === newest!.id;
    return (v.lineage.trainingConfig?.digest ?? v.lineage.dataset?.digest) === newest!.digest;
  };
  const trainedOnNewest = newest && summary.versions.find(trainedOn);

  if (on.includes('drift')) {
    const drift = options.driftOf ? await options.driftOf(model) : await monitoredDrift(project, store, model, policy, outcome, options.signal);
    if (drift?.datasetDrift || drift?.decayed) outcome.due.push('drift');
  }
  if (on.includes('new_data') && newest && !trainedOnNewest) outcome.due.push('new-data');
  if (on.includes('schedule') && policy.schedule) {
    const lastRetrain = modelHistory(project.paths, model).filter((e) => e.event === 'retrain').at(-1)?.time ?? champion.created;
    const fired = lastFiring(parseCron(policy.schedule), new Date(lastRetrain), now);
    if (fired) outcome.due.push('schedule');
  }
  if (outcome.due.length === 0) {
    outcome.notes.push(l10n.t('{0}: nothing is due.', model));
    return outcome;
  }
  if (trainedOnNewest) {
    outcome.notes.push(l10n.t('{0}: due ({1}), but {0}/{2} was already trained on the newest data, {3}@{4}.', model, outcome.due.join(', '), trainedOnNewest.version, datasetName!, newest!.id));
    return outcome;
  }
  const trigger = outcome.due[0];
  const retrained = await retrainModel(project, store, { model, trigger, ...(policy.dataset ? { dataset: policy.dataset } : {}), signal: options.signal });
  outcome.retrained = { version: retrained.version, trigger, dataset: `${retrained.dataset.name}@${retrained.dataset.version}` };
  outcome.notes.push(l10n.t('{0}: retrained on {1} ({2}) as {0}/{3}, alias challenger.', model, outcome.retrained.dataset, trigger, retrained.version));

  let gate: GateResult;
  try {
    gate = await runGate(project, { challenger: `${model}/${retrained.version}`, ...gateOptionsOf(policy), signal: options.signal });
  } catch (err) {
    if (!(err instanceof MlopsError) || err.code !== 'NO_HOLDOUT') throw err;
    outcome.notes.push(l10n.t('{0}: the gate did not run: {1} The challenger waits.', model, err.message));
    return outcome;
  }
  outcome.gate = { passed: gate.passed, challenger: gate.challenger, champion: gate.champion, reasons: gate.reasons };
  if (!gate.passed) {
    outcome.notes.push(l10n.t('{0}: the gate failed ({1}); champion stays {0}/{2}.', model, gate.reasons.join(' '), champion.version));
    return outcome;
  }
  if (policy.governance?.approval === 'required') {
    outcome.notes.push(l10n.t('{0}: the gate passed; {0}/{1} waits for approval: `mlops approve {0}/{1} --reason ...`.', model, retrained.version));
    return outcome;
  }
  if ((policy.promotion ?? 'manual') !== 'auto') {
    outcome.notes.push(l10n.t('{0}: the gate passed; promotion is manual: `mlops alias set {0} champion {1}`.', model, retrained.version));
    return outcome;
  }
  const moved = await promote(project.paths, model, retrained.version, l10n.t('the gate passed after a retrain ({0})', trigger));
  outcome.promoted = { from: moved.previous, to: retrained.version };
  outcome.notes.push(l10n.t('{0}: the gate passed; champion moved from {0}/{1} to {0}/{2}.', model, moved.previous ?? '-', retrained.version));
  return outcome;
}
