/**
 * The feature store: feature definitions from mlops.yaml (entities, views, services) compiled and type-checked,
 * point-in-time correct training sets, and an online store with in-process lookups. Training rows and online
 * lookups go through one vector function. See docs/features.md.
 */
export { parseExpression, tokenize, ExpressionError, type Expression, type BinaryOperator } from './expression';
export { compileExpression, FUNCTIONS, type ValueType, type Value, type Scope, type TypedExpression, type NameResolver } from './typing';
export {
  compileView, viewVersion, serviceVersion, serviceFeatures, parseDuration, entityKeys,
  type CompiledView, type CompiledFeature, type FeatureStage, type FeatureProblem, type ServiceFeature, type SourceColumns,
} from './definitions';
export { checkFeatureDefinitions, checkProjectText, keyPosition } from './check';
export { resolveSource, compileForBuild, type SourceVersion } from './source';
export { parseTimestamp, valueAt, type StoredColumn } from './table';
export { assembleVector, vectorBuffer, type FeatureStatus, type VectorInputs, type VectorBuffer } from './vector';
export { buildTrainingSet, cellFormatter, columnText, writeCsv, requestValue, type BuildOptions, type BuildProgress, type TrainingSet, type TrainingColumn, type EntityInputs, type EntityRows } from './offline';
export { materialize, getOnlineFeatures, OnlineFeatures, onlineDir, type MaterializeResult, type OnlineValue, type LookupOptions } from './online';
export { buildTrainingSetInWorker, type WorkerBuildResult, type FeatureWorkerData, type FeatureWorkerMessage } from './buildWorker';
export { featureTypeText, listFeatures, type FeatureListing, type ServiceUsage } from './listing';
export { snapshotTrainingSet, trainingSetLineage } from './snapshotSet';
export { checkServiceColumns, EntityFeatures, type TrainedFeatureSet, type EntityVector } from './entityFeatures';
