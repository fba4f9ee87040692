import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncFolder, writeFileDurably, sha256 } from '../storage';
import { hexOf, ObjectCache, toDigest } from '../storage';
import { featureSetOf, MODEL_ARTIFACT, parseTrainingConfig, TRAINING_CONFIG_PARAM, type TrainingConfigRecord } from '../tracking';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import { getRun, type RunArtifact, type RunDetails } from '../tracking';
import { loadModel } from '../train';
import type { Project } from '../workspace';
import { changeAuthor } from './identity';
import { moveAliasLocked, newEvent, type AliasChange } from './lifecycle';
import { appendHistory, ensureGitattributes, readVersionRecord, versionDir, versionNumbers, withRegistryLock } from './layout';
import { generateModelCard, trainingData } from './modelCard';
import { checkAliasName, checkModelName } from './names';
import { signatureOf, type RetrainLineage, type VersionRecord } from './records';

export interface RegisterOptions {
  model: string;
  alias?: string;
  description?: string;
  reason?: string;
  /** For a retrain: what started it and the champion it rebuilt, kept in the version's lineage. */
  retrain?: RetrainLineage;
}

export interface RegisterResult {
  record: VersionRecord;
  alias?: AliasChange;
  /** Project-relative folder of the new version. */
  folder: string;
}

/**
 * Registers the model a run produced as the next version of `options.model`: the artifact (already in the cache,
 * content-addressed), its signature, the run's metrics and the lineage, and a model card. Everything is written
 * in a private folder first and renamed into place, version.json included, so a version appears whole or not at all.
 */
export async function registerModel(project: Project, store: MetadataStore, runId: string, options: RegisterOptions): Promise<RegisterResult> {
  const paths = project.paths;
  const model = checkModelName(options.model);
  if (options.alias !== undefined) checkAliasName(options.alias);
  // The editor keeps one store open: a run that ended a moment ago in a terminal must be visible.
  store.refresh();
  const run = getRun(store, runId);
  checkRunFinished(run);
  const artifact = modelArtifact(run);
  const hex = hexOf(artifact.sha256!);
  const bytes = new ObjectCache(paths.cache).readVerified(hex);
  const trained = loadModel(bytes.toString('utf8'));
  const config = trainingConfigOf(run);
  const dataset = run.inputs.find((i) => i.kind === 'dataset') ?? null;
  const seed = config?.seed ?? (run.seeds.seed !== undefined && Number.isInteger(Number(run.seeds.seed)) ? Number(run.seeds.seed) : trained.seed);
  const metricName = run.tags['mlops.metric'] ?? config?.metric;
  const author = await changeAuthor(paths.root);

  return withRegistryLock(paths, async () => {
    const existing = versionNumbers(paths, model);
    for (const n of existing) {
      const other = readVersionRecord(paths, model, n)!;
      if (other.lineage.run === run.id && other.artifact.digest === toDigest(hex)) {
        throw new MlopsError(l10n.t('Run {0} is already registered as {1}/{2}.', run.id, model, n), l10n.t('Set an alias on that version instead: `mlops alias set {0} <alias> {1}`.', model, n), 'ALREADY_REGISTERED');
      }
    }
    let version = (existing.at(-1) ?? 0) + 1;
    // A numbered folder without version.json (a card left by a merge, a hand-made folder) is skipped, not replaced.
    while (fs.existsSync(versionDir(paths, model, version))) version++;
    const record: VersionRecord = {
      schema: 1,
      model,
      version,
      created: new Date().toISOString(),
      createdBy: author,
      description: options.description?.trim() || null,
      artifact: { path: MODEL_ARTIFACT, digest: toDigest(hex), size: bytes.length, format: `${trained.format}/${trained.version}`, family: trained.family },
      signature: signatureOf(trained.features, trained.task, trained.classes),
      metrics: Object.fromEntries(Object.entries(run.metrics).map(([k, m]) => [k, m.value])),
      keyMetric: metricName && run.metrics[`cv_${metricName}`] ? `cv_${metricName}` : null,
      params: Object.fromEntries(Object.entries(run.params).filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice('model.'.length), v])),
      lineage: {
        run: run.id,
        experiment: run.experiment,
        dataset,
        commit: run.git?.commit ?? null,
        dirty: run.git?.dirty ?? null,
        seed,
        trainingConfig: config,
        featureSet: featureSetOf(run),
        ...(options.retrain ? { retrain: { ...options.retrain } } : {}),
      },
      cardSha256: '',
    };
    const card = generateModelCard(record, trainingData(project, dataset));
    record.cardSha256 = sha256(card);

    const staging = path.join(paths.tmp, `register-${process.pid}-${randomBytes(4).toString('hex')}`);
    const target = versionDir(paths, model, version);
    try {
      writeFileDurably(path.join(staging, 'MODEL_CARD.md'), card);
      writeFileDurably(path.join(staging, 'version.json'), JSON.stringify(record, null, 2) + '\n');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(staging, target);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    syncFolder(path.dirname(target));
    ensureGitattributes(paths);
    appendHistory(paths, await newEvent(paths, { event: 'register', model, version }, { reason: options.reason }));
    const alias = options.alias ? await moveAliasLocked(paths, model, options.alias, version, { reason: options.reason }) : undefined;
    return { record, ...(alias ? { alias } : {}), folder: path.relative(paths.root, target).split(path.sep).join('/') };
  });
}

function checkRunFinished(run: RunDetails): void {
  if (run.status === 'finished') return;
  if (run.status === 'running') {
    throw new MlopsError(l10n.t('Run {0} is still running.', run.id), l10n.t('Register its model once it has finished.'), 'RUN_NOT_FINISHED');
  }
  throw new MlopsError(
    l10n.t('Run {0} {1}: only a run that finished can be registered.', run.id, run.status),
    l10n.t('Fix what made it fail and train again; `mlops run show {0}` shows its output and exit code.', run.id),
    'RUN_NOT_FINISHED',
  );
}

function modelArtifact(run: RunDetails): RunArtifact {
  // The AutoML records "model.json"; a logger that resolves paths records it as an absolute path.
  const artifact = run.artifacts.find((a) => a.path === MODEL_ARTIFACT) ?? run.artifacts.find((a) => path.basename(a.path) === MODEL_ARTIFACT);
  if (!artifact?.sha256) {
    throw new MlopsError(
      l10n.t('Run {0} has no model to register: it recorded no {1} artifact with its hash.', run.id, MODEL_ARTIFACT),
      l10n.t('Register a run of the built-in AutoML (`mlops train`), whose best model is recorded as {0}.', MODEL_ARTIFACT),
      'NO_RUN_MODEL',
    );
  }
  return artifact;
}

function trainingConfigOf(run: RunDetails): TrainingConfigRecord | null {
  const text = run.params[TRAINING_CONFIG_PARAM];
  return text === undefined ? null : parseTrainingConfig(text);
}
