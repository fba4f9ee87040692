export { checkConfigText, type ConfigCheck, type ConfigProblem, type ProjectConfig, type DatasetDeclaration, type TrainingConfig,
  type FeaturesConfig, type FeatureEntityConfig, type FeatureViewConfig, type FeatureAggregateConfig, type AggregateFunction,
  type ServingConfig, type EndpointConfig, type RetrainingPolicy, type RetrainEvent, type MonitoringConfig } from './config';
export {
  CONFIG_FILE, STATE_DIR, projectPaths, findProjectRoot, openProject, openProjectForReading, checkConfigFile, initProject,
  type Project, type ProjectPaths, type InitOptions, type InitResult,
} from './project';
export { projectGit } from './git';
