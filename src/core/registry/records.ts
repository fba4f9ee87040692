import type { FeatureSetRecord, TrainingConfigRecord } from '../tracking';
import { inputColumns, type FeatureSpec } from '../train';

/** One input column the model reads, and for a category the values it saw in training. */
export interface SignatureInput {
  name: string;
  /** date: text in ISO 8601, which the model reads as the `parts` it names. */
  type: 'numeric' | 'categorical' | 'date';
  categories?: string[];
  parts?: string[];
}

/** What a version takes and gives: enough to check a request before predicting, and to write an API contract. */
export interface ModelSignature {
  inputs: SignatureInput[];
  output: { task: 'classification' | 'regression'; target: string; classes?: string[] };
}

export interface ModelLineage {
  run: string;
  experiment: string;
  dataset: { name: string; version: string; digest: string | null } | null;
  /** The commit the run's code was at, and whether the tree had uncommitted changes. */
  commit: string | null;
  dirty: boolean | null;
  seed: number | null;
  /** The AutoML's `mlops.trainingConfig`: what `mlops reproduce` trains again. Null for a run of the user's own code. */
  trainingConfig: TrainingConfigRecord | null;
  /** For a model trained on a feature service (`mlops train --features`): the service, its version, the views' versions. */
  featureSet: FeatureSetRecord | null;
  /** For a version a retrain made: what started it and the champion it was rebuilt from. */
  retrain?: RetrainLineage;
}

/** What starts a retrain: a person, drift seen by monitoring, a new version of the training data, or the clock. */
export type RetrainTrigger = 'manual' | 'drift' | 'new-data' | 'schedule';

export interface RetrainLineage {
  trigger: RetrainTrigger;
  /** The champion version whose lineage was rebuilt on new data. */
  from: number;
}

/** One model's score on the holdout, overall or on one slice; null when it could not be computed. */
export interface SliceScore {
  value: string;
  rows: number;
  challenger: number | null;
  champion: number | null;
  passed: boolean;
}

/**
 * A gate's evaluation of a challenger against the champion on one holdout, as recorded in the audit log and
 * appended to the challenger's model card: both scores overall and per slice, the bounds, and why it failed.
 */
export interface GateEvaluation {
  /** The champion version it was compared with. */
  against: number;
  metric: string;
  greaterIsBetter: boolean;
  holdout: { source: string; rows: number };
  challenger: number | null;
  champion: number | null;
  floor?: number;
  minAbsoluteChange?: number;
  minRelativeChange?: number;
  slices?: { column: string; values: SliceScore[] };
  passed: boolean;
  reasons: string[];
}

/**
 * .mlops/models/<name>/<N>/version.json: written once, when the version is registered, and never changed after
 * (archiving adds a file beside it), so two branches can only disagree about a version by both creating it.
 */
export interface VersionRecord {
  schema: 1;
  model: string;
  version: number;
  /** ISO 8601, UTC. */
  created: string;
  createdBy: string;
  description: string | null;
  artifact: { path: 'model.json'; digest: string; size: number; format: string; family: string };
  signature: ModelSignature;
  /** The run's latest metrics. */
  metrics: Record<string, number | null>;
  /** The metric the AutoML optimized (`cv_<metric>`), shown first. */
  keyMetric: string | null;
  /** The model's parameters (the run's `model.*` params without the prefix). */
  params: Record<string, string>;
  lineage: ModelLineage;
  /** sha256 of MODEL_CARD.md as generated: a different file means someone edited it, and it is theirs. */
  cardSha256: string;
}

export type HistoryEventKind = 'register' | 'alias-set' | 'alias-remove' | 'archive' | 'retrain' | 'gate' | 'approve' | 'reject';

/** Why an alias moved, when the retraining loop moved it rather than a plain `mlops alias set`. */
export type AliasCause = 'promotion' | 'approval' | 'rollback';

/** One line of .mlops/models/<name>/history.jsonl. */
export interface HistoryEvent {
  time: string;
  event: HistoryEventKind;
  model: string;
  version: number;
  alias?: string;
  /** For alias-set: the version the alias held before, if any. */
  previous?: number;
  /** For alias-set: a promotion, an approval or a rollback. */
  cause?: AliasCause;
  /** For retrain: what started it. */
  trigger?: RetrainTrigger;
  /** For gate: the evaluation of `version` against the champion. */
  evaluation?: GateEvaluation;
  by: string;
  reason: string | null;
  /** Unique, so that a union merge never folds two events that happen to look alike. */
  id: string;
}

export function signatureOf(features: readonly FeatureSpec[], task: { type: 'classification' | 'regression'; target: string }, classes: readonly string[] | null): ModelSignature {
  return {
    inputs: inputColumns(features).map((name): SignatureInput => {
      const parts = features.flatMap((f) => (f.kind === 'numeric' && f.datePart?.column === name ? [f.datePart.part] : []));
      if (parts.length) return { name, type: 'date', parts };
      const f = features.find((x) => x.name === name)!;
      return f.kind === 'categorical' ? { name, type: f.kind, categories: [...f.vocabulary] } : { name, type: f.kind };
    }),
    output: { task: task.type, target: task.target, ...(classes ? { classes: [...classes] } : {}) },
  };
}
