export { startRun, RunLogger, setRunNote, setRunTag, DEFAULT_EXPERIMENT, type StartRunOptions } from './runLogger';
export {
  listExperiments, listRuns, getRun, resolveRunId, metricSeries, metricKeys, latestMetricValues, runKeyMetric,
  type ExperimentSummary, type RunSummary, type RunDetails, type LatestMetric, type RunInput, type RunArtifact,
} from './queries';
export type { MetricSeries } from './metricChunks';
export { decimateSeries, type DecimatedSeries, type StepRange } from './decimate';
export { RUN_STATUSES, type RunStatus } from './schema';
export { newRunId, runFiles } from './runIds';
export { runCommand, shellExitCode, type RunCommandOptions, type RunCommandResult } from './runCommand';
export { deleteRun } from './runAdmin';
export { importMlflow, type MlflowImportResult } from './mlflowImport';
