/**
 * The model registry: versions registered from runs, aliases, archiving, an audit log and model cards, all as text
 * under .mlops/models that git shares and merges. See docs/registry.md.
 */
export { checkAliasName, checkModelName, formatReference, parseModelReference, type ModelReference } from './names';
export type { AliasCause, GateEvaluation, HistoryEvent, HistoryEventKind, ModelLineage, ModelSignature, RetrainLineage, RetrainTrigger, SignatureInput, SliceScore, VersionRecord } from './records';
export { findVersion, getModel, keyMetric, listModels, modelHistory, readModelArtifact, resolveModelVersion, type ModelSummary, type ModelVersion } from './queries';
export { archiveVersion, recordEvent, removeAlias, setAlias, type AliasChange, type ChangeOptions } from './lifecycle';
export { registerModel, type RegisterOptions, type RegisterResult } from './register';
export { appendCardEvaluation, ensureModelCard, evaluationMarkdown } from './modelCard';
export { aliasFile, cardFile, modelDir, versionDir } from './layout';
export { featureUsage } from './featureUsage';
