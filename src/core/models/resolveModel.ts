import { hexOf } from '../storage';
import type { MetadataStore } from '../store';
import { readModelArtifact, resolveModelVersion, type ModelVersion } from '../registry';
import { featureSetOf, getRun, type FeatureSetRecord } from '../tracking';
import type { Project } from '../workspace';
import { modelOfRun, type ModelBytes } from './artifact';

/** A model found by reference: its bytes, and where they came from as the CLI's --json prints it. */
export interface ResolvedModel extends ModelBytes {
  /** `run:<id>` or `model:<name>/<version>`. */
  source: string;
  /** The registered version, when the reference named one. */
  version?: ModelVersion;
  /** The training run, when the reference named one. */
  runId?: string;
  /** For a model trained on a feature service: what it was trained on, and the entity inputs it is called with. */
  featureSet: FeatureSetRecord | null;
}

/** How a model is named: a run (id or unique prefix), or a registered version (`name@alias`, `name/3`). */
export type ModelRef = { run: string } | { model: string };

/**
 * The one way every face turns a reference into a model's bytes: the CLI's --run/--model, the editor's items, the
 * model server's endpoints. A registered version is read from the cache and checked against its recorded digest.
 */
export function resolveModel(project: Project, store: MetadataStore, ref: ModelRef): ResolvedModel {
  if ('model' in ref) return resolveRegisteredModel(project, ref.model);
  const model = modelOfRun(store, ref.run);
  return { ...model, source: `run:${model.runId}`, runId: model.runId, featureSet: featureSetOf(getRun(store, model.runId)) };
}

/** A registered version (`name@alias`, `name/3`) and its bytes; no store needed, as the model server has none. */
export function resolveRegisteredModel(project: Project, reference: string): ResolvedModel & { version: ModelVersion } {
  const version = resolveModelVersion(project.paths, reference);
  return { bytes: readModelArtifact(project, version), sha256: hexOf(version.artifact.digest), source: `model:${version.model}/${version.version}`, version, featureSet: version.lineage.featureSet };
}
