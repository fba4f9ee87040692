/**
 * Built-in learners of the AutoML: typed-array datasets, six model families with their preprocessing inside,
 * versioned JSON artifacts, ONNX export, metrics and cross-validation folds. See docs/training.md.
 */
export { datasetFromCsv, datasetFromRows, parseCsv, subsetRows } from './dataset';
export type { Cell, CategoricalColumn, Column, Dataset, LoadOptions, NumericColumn, RowInput, TableRows } from './dataset';
export { inputColumns, type FeatureSpec, type SeenInTraining, type Task } from './schema';
export { DATE_PARTS, datePartFeatureName, datePartValues, datePartsOfTexts, type DatePart, type DatePartSource } from './dateParts';
export { ENSEMBLE, FAMILIES, MODEL_FORMAT, MODEL_VERSION, fitModel, loadModel, predict, serializeModel } from './model';
export type { EnsembleParams, Family, Model, ModelFamily, Predictions } from './model';
export { trainingCancelled, type FitProgress } from './fitting';
export { exportOnnx } from './onnx';
export { METRIC_DIRECTION, accuracy, f1Macro, logLoss, mae, r2, rmse, rocAuc } from './metrics';
export type { MetricName } from './metrics';
export { foldRows, kFoldAssignment } from './folds';
export { Rng } from './random';
export { DEFAULT_MAX_CATEGORIES, categorize, cellNumber, isMissingCell } from './dataset';
export { inputWarnings, mergeInputWarnings, rangesChecked, type InputWarning } from './inputWarnings';
