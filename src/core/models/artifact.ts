import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { ObjectCache } from '../storage';
import type { MetadataStore } from '../store';
import { getRun, MODEL_ARTIFACT, type RunDetails } from '../tracking';

export interface ModelBytes {
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
}

/** The model bytes an AutoML run recorded, checked against their hash. Run ids may be abbreviated. */
export function modelOfRun(store: MetadataStore, runIdOrPrefix: string): ModelBytes & { runId: string } {
  const { run, bytes, sha256: hex } = runArtifactBytes(store, runIdOrPrefix, MODEL_ARTIFACT);
  return { runId: run.id, bytes, sha256: hex };
}

/** An artifact a run recorded by its sha256, read from the object cache and verified. */
export function runArtifactBytes(store: MetadataStore, runIdOrPrefix: string, name: string): { run: RunDetails; bytes: Buffer; sha256: string } {
  const run = getRun(store, runIdOrPrefix);
  const artifact = run.artifacts.find((a) => a.path === name);
  if (!artifact?.sha256) {
    throw new MlopsError(
      l10n.t('Run {0} has no {1} artifact.', run.id, name),
      l10n.t('Give the id of a finished `mlops train` (AutoML) run; `mlops runs` lists them.'),
      'NO_MODEL_ARTIFACT',
    );
  }
  return { run, bytes: new ObjectCache(store.paths.cache).readVerified(artifact.sha256), sha256: artifact.sha256 };
}
