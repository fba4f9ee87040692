/**
 * A model is a model, whoever trained it: the artifact of a run or of a registered version, resolved by reference,
 * loaded, asked for predictions on rows and files, exported to ONNX. The registry's readers, the model server and
 * monitoring build on this, never on the AutoML that happens to train most models.
 */
export { modelOfRun, runArtifactBytes, type ModelBytes } from './artifact';
export { resolveModel, resolveRegisteredModel, type ModelRef, type ResolvedModel } from './resolveModel';
export { predictFile, predictChecked, type PredictFileResult, type PredictFileOptions, type CheckedPredictions } from './predictFile';
export { exportOnnxFile, type ExportFileResult } from './exportFile';
export { readTrainingFile, readFileColumns, trainingFormat, trainingHeader, compareTimestamps, DELIMITER, type LoadedTable, type TableOptions, type FileColumns } from './tabularFile';
export { exportTritonRepository, type TritonRepositoryResult, type TritonTensor } from './tritonRepository';
