/**
 * The shapes `--json` prints: a stable contract that scripts and CI read (docs/cli-json.md names these types).
 * Fields are added, never renamed or removed. Each command prints through printJson() under its own key of
 * CliJson, so a change to a shape is a change to this file, seen in review.
 */
import type { AutomlResult, ReproduceResult } from '../core/automl';
import type { DatasetSummary, DatasetVersion, GcResult, GitOutcome, RestoreResult, TransferResult, VersionDiff } from '../core/data';
import type { AliasChange, HistoryEvent, ModelSummary, ModelVersion, VersionRecord } from '../core/registry';
import type { MlflowImportResult, RunDetails, RunSummary } from '../core/tracking';
import type { Model } from '../core/train';
import type { ConfigProblem, InitResult } from '../core/workspace';
import type { FeatureListing, MaterializeResult, OnlineValue, TrainingColumn, TrainingSet } from '../core/features';
import type { ColumnDrift, DriftReport, MonitorCheck } from '../core/monitor';
import type { DecisionResult, DueOutcome, GateResult, RetrainResult } from '../core/retrain';
import type { EndpointStatus, FeedbackImport, ServerMetrics } from '../core/serve';

/** A run as every run listing prints it: `durationMs` is null while it runs. */
export interface RunSummaryJson extends RunSummary {
  durationMs: number | null;
}

/** `mlops runs --json`: top-level runs, newest first, with how many trials each started; with --all, the trials too. */
export interface RunsJson {
  runs: (RunSummaryJson & { trials: number })[];
}

export interface MetricPointJson {
  step: number;
  value: number | null;
  timestamp: number | null;
}

/** `mlops run show <id> --json`. */
export type RunShowJson = RunSummaryJson & RunDetails & { metricHistory: Record<string, MetricPointJson[]> };

/** `mlops run compare <id> <id>... --json`: values by key, then by run id. */
export interface RunCompareJson {
  runs: RunSummaryJson[];
  params: Record<string, Record<string, string | null>>;
  metrics: Record<string, Record<string, number | null>>;
  differentParams: string[];
}

/** `mlops validate --json`. Without a project, one problem with its message only. */
export interface ValidateJson {
  valid: boolean;
  file: string | null;
  problems: (ConfigProblem | { message: string })[];
}

/** `mlops snapshot <path> --json`. */
export interface SnapshotJson {
  dataset: string;
  version: number;
  digest: string;
  created: boolean;
  path: string;
  pointer: string;
  kind: DatasetVersion['kind'];
  size: number;
  files: number;
  rows: number | null;
  columns: number | null;
  profile: string | null;
  commit: string | null;
  git: { status: GitOutcome['status']; commit: string | null; notes: string[] } | null;
  hashedFiles: number;
  reusedFiles: number;
  notes: string[];
}

/** `mlops train --json` running mlops.yaml's training.command. */
export interface CommandTrainJson {
  runId: string;
  status: string;
  exitCode: number | null;
  command: string[];
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  dataset: { name: string; version: number; digest: string } | null;
  warnings: string[];
}

/** `mlops predict --json`. `model` is `run:<id>` or `model:<name>/<version>`. */
export interface PredictJson {
  model: string;
  sha256: string;
  input: string;
  output: string;
  rows: number;
  columns: string[];
}

/** `mlops export --json`: what a program needs to feed the ONNX file. */
export interface ExportJson {
  model: string;
  sha256: string;
  family: Model['family'];
  output: string;
  bytes: number;
  input: 'X';
  features: Model['features'];
  classes: readonly string[] | null;
  outputs: string[];
}

/** `mlops register --json`. */
export interface RegisterJson {
  model: string;
  version: number;
  folder: string;
  aliases: string[];
  record: VersionRecord;
}

/** Every command's `--json` shape, by command. */
/** `mlops features build --json`. `output` is null when no --output was given. */
export interface FeaturesBuildJson {
  service: string;
  rows: number;
  columns: { name: string; type: TrainingColumn['type']; view: string | null; feature: string | null }[];
  views: TrainingSet['views'];
  output: string | null;
}

/** `mlops drift --json`: the versions compared, then the report. */
export type DriftJson = { reference: string; current: string } & DriftReport;

/**
 * `mlops drift --model --json`: the check, with the report's verdict and columns on top as for two versions (null
 * and empty when the window holds no predictions).
 */
export type ModelDriftJson = { datasetDrift: boolean | null; driftShare: number | null; columns: ColumnDrift[] } & MonitorCheck;

/** `mlops serve --json`: one line once the server listens. */
export interface ServeJson {
  pid: number;
  url: string;
  endpoints: Pick<EndpointStatus, 'name' | 'url' | 'routes'>[];
}

export interface CliJson {
  init: InitResult;
  validate: ValidateJson;
  snapshot: SnapshotJson;
  datasets: { datasets: DatasetSummary[] };
  versions: { dataset: string; versions: DatasetVersion[] };
  restore: RestoreResult;
  diff: VersionDiff;
  gc: GcResult;
  transfer: TransferResult;
  runs: RunsJson;
  'run show': RunShowJson;
  'run compare': RunCompareJson;
  'run delete': { deleted: string };
  'import mlflow': MlflowImportResult;
  train: AutomlResult;
  'train command': CommandTrainJson;
  predict: PredictJson;
  export: ExportJson;
  register: RegisterJson;
  models: { models: ModelSummary[] };
  'model show': ModelVersion;
  'model history': { events: HistoryEvent[] };
  'model archive': { model: string; version: number; changed: boolean };
  alias: AliasChange;
  reproduce: ReproduceResult;
  'features build': FeaturesBuildJson;
  'features materialize': { views: MaterializeResult[] };
  'features get': { service: string; entity: Record<string, string>; features: OnlineValue[] };
  'features list': FeatureListing;
  drift: DriftJson;
  serve: ServeJson;
  'serve status': { running: false } | ({ running: true } & ServerMetrics);
  'serve stop': { stopped: boolean; pid: number | null };
  feedback: FeedbackImport;
  gate: GateResult;
  retrain: RetrainResult;
  'retrain due': { outcomes: DueOutcome[] };
  decision: DecisionResult;
  rollback: AliasChange;
  'drift model': ModelDriftJson;
  monitor: MonitorCheck;
  'monitor history': { checks: MonitorCheck[] };
}
