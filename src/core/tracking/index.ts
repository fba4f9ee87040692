export { startRun, RunLogger, setRunNote, setRunTag, DEFAULT_EXPERIMENT, type StartRunOptions } from './runLogger';
export {
  listExperiments, listRuns, runsTagged, trialCounts, getRun, resolveRunId, metricSeries, metricKeys, latestMetricValues, runKeyMetric,
  type ExperimentSummary, type RunSummary, type RunDetails, type LatestMetric, type RunInput, type RunArtifact,
} from './queries';
export type { MetricSeries } from './metricChunks';
export { decimateSeries, type DecimatedSeries, type StepRange } from './decimate';
export { RUN_STATUSES, type RunStatus } from './schema';
export { newRunId, runFiles } from './runIds';
export { runCommand, shellExitCode, type RunCommandOptions, type RunCommandResult } from './runCommand';
export { deleteRun } from './runAdmin';
export { importMlflow, type MlflowImportResult } from './mlflowImport';
export {
  RUN_KIND_TAG, RUN_KINDS, runKind, isAutomlRun, MODEL_ARTIFACT, LEADERBOARD_ARTIFACT, TRAINING_CONFIG_PARAM, parseTrainingConfig,
  type RunKind, type TrainingConfigRecord, type TrainingFormat, type TrainingWindow, type ColumnDecision, type DatedColumn, columnDecisionText,
  FEATURE_SERVICE_TAG, FEATURE_SET_PARAM, featureSetOf, featureSetText, type FeatureSetRecord, type EntitySource,
} from './trainingRun';
export { captureEnvironment, captureGit, type RunEnvironment, type GitState } from './environment';
export { trackingCapability } from './schema';
export type { TrackingRecord } from './records';
