/**
 * The model server: MLflow scoring and Open Inference Protocol v2 endpoints over registered models, live switching
 * when an alias moves, canary and shadow routes, a prediction log and feedback. See docs/serving.md.
 */
export { startServer, exposureWarning, DEFAULT_PORT, type ServeOptions, type ServerEvent, type RunningServer, type ServerMetrics, type EndpointStatus, type RouteStatus } from './server';
export { endpointSpecs, chooseRoute, type EndpointSpec } from './endpoints';
export { loadServedModel, type ServedModel, type ServedPrediction } from './modelSource';
export { readPredictionLog, logDir, servingDir, type PredictionBatch, type PredictionLogQuery, type PredictionRecord } from './predictionLog';
export { importFeedbackFile, readFeedbackLabels, type FeedbackImport } from './feedback';
export { runningServer, stopServer, fetchServerJson, stateFile, type ServerState } from './serverState';
export type { CounterSnapshot } from './liveCounters';
