/**
 * Retraining: policies that retrain a champion on new data, the gate a challenger must pass on a holdout neither
 * model trained on, and promotion, approval and rollback recorded in the registry's history. See docs/retraining.md.
 */
export { checkThreshold, checkThresholdSettings, noRegression, type MetricThreshold, type ThresholdCheck, type ThresholdFailure } from './gate';
export { runGate, type GateOptions, type GateResult } from './evaluate';
export { type Holdout } from './holdout';
export { compareTimestamps } from '../models';
export { championOf, retrainModel, type RetrainOptions, type RetrainResult } from './retrain';
export { approveVersion, latestGate, previousChampion, promote, rejectVersion, rollbackChampion, type DecisionResult } from './promotion';
export { checkPolicy, gateOptionsOf, runDuePolicies, type DriftSignal, type DueOptions, type DueOutcome } from './policy';
export { cronMatches, lastFiring, parseCron, type CronSchedule } from './schedule';
export { pipelineModel, reproduce, type ReproOptions, type ReproResult, type ReproStep, type ReproStepName } from './repro';
export { CI_FILES, ciWorkflowText, writeCiWorkflow, type CiProvider, type CiWorkflow } from './ci';
