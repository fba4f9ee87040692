/**
 * Training: built-in AutoML (cross-validated, cost-aware search, leaderboard, refit), the model artifact contract the
 * registry builds on, predictions for a file, and the project's own training command. See docs/training.md.
 */
export { runAutoml, datasetColumns, convergenceText, type AutomlRequest, type AutomlResult, type AutomlProgress, type AutomlHooks, type Leaderboard, type LeaderboardEntry } from './automl';
export { trainInWorker } from './automlWorker';
export { configurationKey, type Trial, type Convergence } from './search';
export { HOLDOUT_SHARE, baselineWarnings, type Evaluation, type ClassFigures, type ResidualFigures, type TimeHoldout } from './evaluation';
export { refitFromConfig, readLeaderboard, fitConfig, configDataset } from './refit';
export { reproduceVersion, type Refit, type ReproduceResult } from './reproduce';
export { trainWithCommand, splitCommand, type CommandTrainingOptions, type CommandTrainingResult } from './commandTraining';
export { CLASSIFICATION_METRICS, REGRESSION_METRICS, crossValidate, cvSetup } from './crossValidation';
export { type AutomlWorkerData, type AutomlWorkerMessage } from './automlWorker';
export { trainOnFeatures, trainingDatasetOf, featureSetRecord, configuredFeatureSource, type FeatureTrainingSource } from './featureTraining';
