import { headCommit, resolveVersion } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { readModelArtifact, resolveModelVersion } from '../registry';
import { hexOf, missingObject, ObjectCache, toDigest, sha256 } from '../storage';
import type { TrainingConfigRecord } from '../tracking';
import { loadModel, type Model } from '../train';
import type { Project } from '../workspace';
import { refitFromConfig } from './refit';

/** Trains again from a recorded configuration; the AutoML's `refitFromConfig` unless a caller brings its own. */
export type Refit = (root: string, config: TrainingConfigRecord, signal?: AbortSignal) => Promise<{ bytes: Uint8Array; sha256: string }>;

export interface ReproduceResult {
  model: string;
  version: number;
  identical: boolean;
  registered: string;
  reproduced: string;
  /** What differs, in words, when not identical; also notes that explain a difference (another commit). */
  differences: string[];
  notes: string[];
}

/**
 * Rebuilds a version from its lineage (the same data version from the cache, configuration and seed) and compares
 * the new artifact with the registered one byte for byte; when they differ, says which parts of the model do.
 */
export async function reproduceVersion(project: Project, reference: string, options: { refit?: Refit; signal?: AbortSignal } = {}): Promise<ReproduceResult> {
  const version = resolveModelVersion(project.paths, reference);
  const config = version.lineage.trainingConfig;
  const name = `${version.model}/${version.version}`;
  if (!config) {
    throw new MlopsError(
      l10n.t('{0} was not trained by the built-in AutoML: there is no training configuration to reproduce it from.', name),
      l10n.t('Run its training code again at commit {0}, then compare the artifacts.', version.lineage.commit ?? '?'),
      'NOT_REPRODUCIBLE',
    );
  }
  // Check the data is here before training, so the error names the data and not some file the trainer opened.
  const { version: data } = resolveVersion(project, `${config.dataset}@${config.digest}`);
  const cache = new ObjectCache(project.paths.cache);
  if (data.kind === 'file' && !cache.has(hexOf(data.digest))) throw missingObject(hexOf(data.digest), cache.dir);

  const rebuilt = await (options.refit ?? refitFromConfig)(project.paths.root, config, options.signal);
  const registered = hexOf(version.artifact.digest);
  const reproduced = hexOf(rebuilt.sha256);
  const notes: string[] = [];
  const head = await headCommit(project.paths.root);
  if (version.lineage.commit && head && head !== version.lineage.commit) {
    notes.push(l10n.t('The code is at commit {0}; the version was trained at {1}.', head.slice(0, 12), version.lineage.commit.slice(0, 12)));
  }
  if (version.lineage.dirty) notes.push(l10n.t('The version was trained with uncommitted changes, which the commit does not hold.'));
  const identical = registered === reproduced;
  const differences = identical ? [] : describeDifferences(loadModel(readModelArtifact(project, version).toString('utf8')), loadModel(Buffer.from(rebuilt.bytes).toString('utf8')));
  return { model: version.model, version: version.version, identical, registered: toDigest(registered), reproduced: toDigest(reproduced), differences, notes };
}

/** Which parts of two models differ, from the outside in: a different input schema explains a different body. */
function describeDifferences(a: Model, b: Model): string[] {
  const same = (x: unknown, y: unknown) => hashOf(x) === hashOf(y);
  const out: string[] = [];
  if (a.family !== b.family) out.push(l10n.t('family: {0} then {1}', a.family, b.family));
  if (a.seed !== b.seed) out.push(l10n.t('seed: {0} then {1}', a.seed, b.seed));
  if (!same(a.task, b.task)) out.push(l10n.t('task: {0} then {1}', JSON.stringify(a.task), JSON.stringify(b.task)));
  if (!same(a.classes, b.classes)) out.push(l10n.t('classes: {0} then {1}', (a.classes ?? []).join(', '), (b.classes ?? []).join(', ')));
  const featureNames = (m: Model) => m.features.map((f) => f.name).join(', ');
  if (featureNames(a) !== featureNames(b)) out.push(l10n.t('input columns: {0} then {1}', featureNames(a), featureNames(b)));
  else if (!same(a.features, b.features)) out.push(l10n.t('category vocabularies of the input columns'));
  for (const key of new Set([...Object.keys(a.params), ...Object.keys(b.params)])) {
    if (!same(a.params[key], b.params[key])) out.push(l10n.t('parameter {0}: {1} then {2}', key, JSON.stringify(a.params[key]), JSON.stringify(b.params[key])));
  }
  if (!same(a.body, b.body)) out.push(l10n.t('the fitted model itself (trees, weights...)'));
  if (out.length === 0) out.push(l10n.t('the artifact format (the models are the same once loaded)'));
  return out;
}

function hashOf(value: unknown): string {
  return sha256(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v)) ?? 'undefined');
}
