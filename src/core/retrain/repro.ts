import * as fs from 'node:fs';
import * as path from 'node:path';
import { configuredFeatureSource, trainInWorker, trainWithCommand } from '../automl';
import { headCommit, listVersions, resolveVersion, snapshotDataset } from '../data';
import { cancelled, MlopsError } from '../errors';
import { l10n } from '../l10n';
import { getModel, registerModel } from '../registry';
import { hashFile, sha256 } from '../storage';
import type { MetadataStore } from '../store';
import { getRun, listRuns, startRun } from '../tracking';
import type { Project, RetrainingPolicy } from '../workspace';
import { runGate } from './evaluate';
import { gateOptionsOf } from './policy';
import { promote } from './promotion';

export type ReproStepName = 'snapshot' | 'train' | 'register' | 'gate' | 'promote';

/** What one step of `mlops repro` did: ran, was skipped because its inputs matched an earlier success, or waits. */
export interface ReproStep {
  step: ReproStepName;
  /** The dataset, for a snapshot step. */
  dataset?: string;
  status: 'ran' | 'skipped' | 'waiting';
  /** sha256 of the step's inputs (data digests, training configuration, code commit, versions); null where none. */
  key: string | null;
  /** For a skipped step: the repro run that recorded the success whose key matched. */
  since?: string;
  /** What the step produced: a dataset version, a run id, a version number, a gate's verdict. */
  output: Record<string, unknown>;
  note: string;
}

export interface ReproResult {
  model: string;
  steps: ReproStep[];
  /** The version the run's model is registered as, when the loop got that far. */
  version: number | null;
  champion: number | null;
  gate: { passed: boolean; challenger: number | null; champion: number | null; reasons: string[] } | null;
}

export interface ReproOptions {
  /** Run every step, whatever was recorded. */
  force?: boolean;
  signal?: AbortSignal;
  /** Each step as it ends, for a CLI that prints as it goes. */
  onStep?: (step: ReproStep) => void;
  /** The output of the project's own training command. */
  stdout?: (chunk: Buffer) => void;
  stderr?: (chunk: Buffer) => void;
}

const REPRO_EXPERIMENT = 'repro';
const STEP_TAG = 'mlops.repro.step';
const KEY_TAG = 'mlops.repro.key';
const OUTPUT_PARAM = 'mlops.repro.output';

/** The model the loop registers: pipeline.model, else the one model with a retraining policy, else the training dataset's name. */
export function pipelineModel(project: Project): string {
  const policies = Object.keys(project.config.retraining ?? {});
  const model = project.config.pipeline?.model ?? (policies.length === 1 ? policies[0] : project.config.training?.dataset);
  if (!model) {
    throw new MlopsError(
      l10n.t('mlops.yaml does not say which model `mlops repro` registers.'),
      l10n.t('Add pipeline.model (the registered model name) to mlops.yaml.'),
      'BAD_PIPELINE',
    );
  }
  return model;
}

const keyOf = (inputs: unknown) => sha256(JSON.stringify(inputs));

/** The newest repro run that recorded a success of this step with these inputs. */
function earlierSuccess(store: MetadataStore, step: string, key: string): { run: string; output: Record<string, unknown> } | undefined {
  for (const summary of listRuns(store, REPRO_EXPERIMENT)) {
    if (summary.status !== 'finished') continue;
    const run = getRun(store, summary.id);
    if (run.tags[STEP_TAG] === step && run.tags[KEY_TAG] === key) return { run: run.id, output: JSON.parse(run.params[OUTPUT_PARAM] ?? '{}') as Record<string, unknown> };
  }
  return undefined;
}

/** A step's success, as a run of the `repro` experiment: its key is what a later repro compares with. */
async function recordSuccess(store: MetadataStore, step: ReproStepName, key: string, output: Record<string, unknown>): Promise<void> {
  const run = await startRun(store, { experiment: REPRO_EXPERIMENT, name: step });
  run.setTag(STEP_TAG, step);
  run.setTag(KEY_TAG, key);
  run.logParam(OUTPUT_PARAM, JSON.stringify(output));
  run.end('finished');
  await store.fold();
}

function runExists(store: MetadataStore, id: unknown): boolean {
  return typeof id === 'string' && listRuns(store).some((r) => r.id === id && r.status === 'finished');
}

/**
 * Runs the project's declared loop as `dvc repro` does a pipeline: snapshot the declared datasets, train as
 * mlops.yaml's `training:` says, register the run's model as challenger, gate it against the champion with the
 * model's retraining policy and promote it when the policy says so. A step whose inputs match an earlier success
 * (its key, recorded in the metadata store) is skipped and says since which run; `force` runs every step.
 */
export async function reproduce(project: Project, store: MetadataStore, options: ReproOptions = {}): Promise<ReproResult> {
  const model = pipelineModel(project);
  const policy: RetrainingPolicy = project.config.retraining?.[model] ?? {};
  const training = project.config.training ?? {};
  const features = configuredFeatureSource(training);
  if (!training.dataset && !features) {
    throw new MlopsError(l10n.t('mlops.yaml has no training.dataset: `mlops repro` does not know what to train on.'), l10n.t('Set training.dataset to a dataset declared under datasets:, or training.service and training.entities to train on a feature service.'), 'BAD_PIPELINE');
  }
  const steps: ReproStep[] = [];
  const done = (step: ReproStep) => {
    steps.push(step);
    options.onStep?.(step);
    return step;
  };
  const checkpoint = () => {
    if (options.signal?.aborted) throw cancelled();
  };
  const result: ReproResult = { model, steps, version: null, champion: null, gate: null };

  for (const [name, declaration] of Object.entries(project.config.datasets ?? {})) {
    checkpoint();
    done(await snapshotStep(project, name, declaration.path, options.signal));
  }

  checkpoint();
  // What the training reads: the dataset version, or for a feature service its entity rows and its views' sources
  // (and their definitions, in mlops.yaml's features:)
  const data = features ? featureInputs(project, features.entities) : datasetInput(project, training.dataset!);
  const commit = await headCommit(project.paths.root);
  const trainKey = keyOf({ data: data.digest, training, commit });
  const earlierTrain = options.force ? undefined : earlierSuccess(store, 'train', trainKey);
  let runId: string;
  if (earlierTrain && runExists(store, earlierTrain.output.run)) {
    runId = String(earlierTrain.output.run);
    done({ step: 'train', status: 'skipped', key: trainKey, since: earlierTrain.run, output: { run: runId }, note: l10n.t('train: unchanged since run {0}, skipped.', runId.slice(0, 12)) });
  } else {
    const dataset = data.reference;
    if (training.command && !training.target && !features) {
      const trained = await trainWithCommand(store, { stdout: options.stdout ?? (() => undefined), stderr: options.stderr ?? (() => undefined) });
      if (trained.status !== 'finished') {
        throw new MlopsError(l10n.t('train: the training command ended {0} (exit code {1}).', trained.status, trained.exitCode ?? '-'), l10n.t('Run `mlops train` to see its output, fix it, and run `mlops repro` again.'), 'TRAINING_FAILED');
      }
      runId = trained.runId;
    } else {
      runId = features
        ? (await trainInWorker(project.paths.root, { experiment: REPRO_EXPERIMENT }, { signal: options.signal }, features)).runId
        : (await trainInWorker(project.paths.root, { dataset, experiment: REPRO_EXPERIMENT }, { signal: options.signal })).runId;
    }
    await recordSuccess(store, 'train', trainKey, { run: runId });
    done({ step: 'train', status: 'ran', key: trainKey, output: { run: runId, dataset }, note: l10n.t('train: run {0} on {1}.', runId.slice(0, 12), dataset) });
  }

  checkpoint();
  const registeredAs = getModelOrNone(project, model)?.versions.find((v) => v.lineage.run === runId);
  let version: number;
  if (registeredAs) {
    version = registeredAs.version;
    done({ step: 'register', status: 'skipped', key: keyOf({ run: runId, model }), output: { version }, note: l10n.t('register: run {0} is already {1}/{2}, skipped.', runId.slice(0, 12), model, version) });
  } else {
    version = (await registerModel(project, store, runId, { model, alias: 'challenger', reason: l10n.t('mlops repro') })).record.version;
    done({ step: 'register', status: 'ran', key: keyOf({ run: runId, model }), output: { version }, note: l10n.t('register: {0}/{1}, alias challenger.', model, version) });
  }
  result.version = version;

  checkpoint();
  const aliases = getModel(project.paths, model).aliases;
  const autoPromote = policy.promotion === 'auto' && policy.governance?.approval !== 'required';
  if (aliases.champion === undefined) {
    if (!autoPromote) {
      done({ step: 'gate', status: 'waiting', key: null, output: {}, note: l10n.t('gate: {0} has no champion yet to compare with; `mlops alias set {0} champion {1}` makes {0}/{1} the first.', model, version) });
      return result;
    }
    const moved = await promote(project.paths, model, version, l10n.t('the first version, with no champion to beat'));
    result.champion = version;
    done({ step: 'promote', status: 'ran', key: null, output: { from: moved.previous, to: version }, note: l10n.t('promote: {0}/{1} is the first champion (there was none to gate against).', model, version) });
    return result;
  }
  result.champion = aliases.champion;
  if (aliases.champion === version) {
    done({ step: 'gate', status: 'skipped', key: null, output: {}, note: l10n.t('gate: {0}/{1} is the champion already, skipped.', model, version) });
    return result;
  }
  const gateKey = keyOf({ challenger: version, champion: aliases.champion, gate: policy.gate ?? {}, data: data.digest });
  const earlierGate = options.force ? undefined : earlierSuccess(store, 'gate', gateKey);
  let passed: boolean;
  if (earlierGate) {
    result.gate = earlierGate.output as ReproResult['gate'];
    passed = result.gate?.passed === true;
    done({ step: 'gate', status: 'skipped', key: gateKey, since: earlierGate.run, output: earlierGate.output, note: l10n.t('gate: unchanged since run {0} ({1}), skipped.', earlierGate.run.slice(0, 12), passed ? l10n.t('passed') : l10n.t('failed')) });
  } else {
    try {
      const gate = await runGate(project, { challenger: `${model}/${version}`, ...gateOptionsOf(policy), signal: options.signal });
      result.gate = { passed: gate.passed, challenger: gate.challenger, champion: gate.champion, reasons: gate.reasons };
    } catch (err) {
      if (!(err instanceof MlopsError) || err.code !== 'NO_HOLDOUT') throw err;
      done({ step: 'gate', status: 'waiting', key: gateKey, output: {}, note: l10n.t('gate: did not run: {0} {1}/{2} waits.', err.message, model, version) });
      return result;
    }
    passed = result.gate.passed;
    await recordSuccess(store, 'gate', gateKey, result.gate);
    const verdict = passed ? l10n.t('passed against {0}/{1}', model, aliases.champion) : l10n.t('failed against {0}/{1}: {2}', model, aliases.champion, result.gate.reasons.join(' '));
    done({ step: 'gate', status: 'ran', key: gateKey, output: result.gate, note: l10n.t('gate: {0}/{1} {2}.', model, version, verdict) });
  }

  checkpoint();
  if (!passed) {
    done({ step: 'promote', status: 'waiting', key: null, output: {}, note: l10n.t('promote: the gate failed; champion stays {0}/{1}.', model, aliases.champion) });
  } else if (policy.governance?.approval === 'required') {
    done({ step: 'promote', status: 'waiting', key: null, output: {}, note: l10n.t('promote: {0}/{1} waits for approval: `mlops approve {0}/{1} --reason ...`.', model, version) });
  } else if (!autoPromote) {
    done({ step: 'promote', status: 'waiting', key: null, output: {}, note: l10n.t('promote: promotion is manual: `mlops alias set {0} champion {1}`.', model, version) });
  } else {
    const moved = await promote(project.paths, model, version, l10n.t('the gate passed in mlops repro'));
    result.champion = version;
    done({ step: 'promote', status: 'ran', key: null, output: { from: moved.previous, to: version }, note: l10n.t('promote: champion moved from {0}/{1} to {0}/{2}.', model, moved.previous ?? '-', version) });
  }
  return result;
}

/**
 * The inputs of a training set built from a feature service, as one digest: the entity rows (a dataset's newest
 * version, or a file's bytes), each view's source version and the features' definitions.
 */
function featureInputs(project: Project, entities: string): TrainingInput {
  const file = path.resolve(project.paths.root, entities);
  const rows = fs.existsSync(file) ? { reference: entities, digest: hashFile(file).sha256 } : datasetInput(project, entities);
  const config = project.config.features ?? {};
  const sources = Object.values(config.views ?? {}).map((v) => resolveVersion(project, v.source).version.digest);
  return { reference: rows.reference, digest: keyOf({ rows: rows.digest, sources, features: config }) };
}

/** What a training reads, named for the output (`name@N`, a file) and as the digest its step's key holds. */
interface TrainingInput {
  reference: string;
  digest: string;
}

function datasetInput(project: Project, reference: string): TrainingInput {
  const { pointer, version } = resolveVersion(project, reference);
  return { reference: `${pointer.dataset}@${version.id}`, digest: version.digest };
}

function getModelOrNone(project: Project, model: string) {
  try {
    return getModel(project.paths, model);
  } catch (err) {
    if (err instanceof MlopsError && err.code === 'NO_MODEL') return undefined;
    throw err;
  }
}

/**
 * Snapshots a declared dataset; the snapshot's own hashing (a file unchanged since the last snapshot is not read
 * again) is its skip. A fresh clone whose data came by `mlops pull` has no working copy: its newest version stands.
 */
async function snapshotStep(project: Project, name: string, dataPath: string, signal?: AbortSignal): Promise<ReproStep> {
  if (!fs.existsSync(path.resolve(project.paths.root, dataPath))) {
    const latest = listVersions(project, name).at(-1);
    if (!latest) {
      throw new MlopsError(l10n.t('snapshot: {0} ({1}) is not here and has no version.', name, dataPath), l10n.t('Put the data at {0}, or fix datasets.{1}.path in mlops.yaml.', dataPath, name), 'NOT_FOUND');
    }
    return { step: 'snapshot', dataset: name, status: 'skipped', key: latest.digest, output: { version: latest.id, digest: latest.digest }, note: l10n.t('snapshot {0}: {1} is not in the working tree; using {0}@{2}.', name, dataPath, latest.id) };
  }
  const snap = await snapshotDataset(project, dataPath, { name, signal });
  const output = { version: snap.version.id, digest: snap.version.digest };
  if (!snap.created) return { step: 'snapshot', dataset: name, status: 'skipped', key: snap.version.digest, output, note: l10n.t('snapshot {0}: unchanged since {0}@{1}, skipped.', name, snap.version.id) };
  return { step: 'snapshot', dataset: name, status: 'ran', key: snap.version.digest, output, note: l10n.t('snapshot {0}: {0}@{1}.', name, snap.version.id) };
}
