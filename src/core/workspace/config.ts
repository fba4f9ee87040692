import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import schema from '../../../schemas/mlops.schema.json';
import { l10n } from '../l10n';

/** The parsed mlops.yaml. Sections that later capabilities own are typed loosely until they exist. */
export interface ProjectConfig {
  version: 1;
  project: string;
  description?: string;
  datasets?: Record<string, DatasetDeclaration>;
  data?: { git?: 'commit' | 'stage' | 'off'; remote?: string };
  features?: FeaturesConfig;
  training?: TrainingConfig;
  serving?: ServingConfig;
  monitoring?: MonitoringConfig;
  /** Per registered model: when to retrain it, the gate its challenger must pass, and how it is promoted. */
  retraining?: Record<string, RetrainingPolicy>;
  /** What `mlops repro` runs beyond datasets:, training: and retraining:. */
  pipeline?: PipelineConfig;
}

export interface PipelineConfig {
  /** The registered model `mlops repro` registers the trained model as; default the one model of retraining:, else training.dataset. */
  model?: string;
}

export type RetrainEvent = 'drift' | 'new_data' | 'schedule';

export interface RetrainingPolicy {
  /** The dataset whose new versions trigger a retrain; default the champion's training dataset. */
  dataset?: string;
  on?: RetrainEvent[];
  /** Cron, five fields (minute hour day-of-month month day-of-week), in UTC. */
  schedule?: string;
  /** For on: drift, the recent predictions monitoring checks (a duration: 12h, 7d); default monitoring.window. */
  window?: string;
  gate?: {
    metric?: 'accuracy' | 'f1' | 'roc_auc' | 'log_loss' | 'rmse' | 'mae' | 'r2';
    min_absolute_change?: number;
    min_relative_change?: number;
    slice?: string;
    floor?: number;
    /** DATASET[@V] or a file; default the newest slice neither model trained on. */
    holdout?: string;
  };
  promotion?: 'auto' | 'manual';
  governance?: { approval?: 'required' | 'none' };
}

export interface DatasetDeclaration {
  path: string;
  description?: string;
  format?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
  entity?: string;
  timestamp?: string;
}

/** The `features:` section: entities, feature views over datasets, and the services models are trained on. */
export interface FeaturesConfig {
  entities?: Record<string, FeatureEntityConfig>;
  views?: Record<string, FeatureViewConfig>;
  /** Each service lists whole views (`view`) or single features (`view:feature`). */
  services?: Record<string, string[]>;
}

export interface FeatureEntityConfig {
  /** One key column, or several that together identify the entity. */
  key: string | string[];
  description?: string;
}

export interface FeatureViewConfig {
  entity: string;
  /** A dataset name (its latest version) or `name@version`. */
  source: string;
  /** Column of the event time (ISO 8601 date or date-time). */
  timestamp: string;
  /** Column that breaks ties between rows of one entity sharing an event time: the larger wins. */
  created?: string;
  /** How long a value stays valid: a number and s, m, h or d; 0 or absent means no limit. */
  ttl?: string | number;
  description?: string;
  /** A source column, an expression, or a window aggregate, by feature name. */
  features: Record<string, string | FeatureAggregateConfig>;
}

export type AggregateFunction = 'sum' | 'mean' | 'min' | 'max' | 'count' | 'last';

export interface FeatureAggregateConfig {
  aggregate: AggregateFunction;
  /** The column or row feature aggregated; `count` without it counts rows. */
  of?: string;
  /** Trailing window (t - window, t]: a number and s, m, h or d. */
  window: string;
}

/** `serving:`: the local model server (`mlops serve`). See docs/serving.md. */
export interface ServingConfig {
  host?: string;
  port?: number;
  /** One model to serve, as name@alias or name/version: the shorthand of a single endpoint named after it. */
  model?: string;
  auth?: { tokenEnv?: string };
  log?: { maxBytes?: number; maxFiles?: number; fsync?: boolean };
  endpoints?: Record<string, EndpointConfig>;
}

/** `monitoring:`: how model checks compare a window of predictions with the training data. See docs/monitoring.md. */
export interface MonitoringConfig {
  /** The dataset drifts when at least this share of its columns drift (default 0.5). */
  drift_share?: number;
  /** The window a check reads when none is given: a duration up to now (default 1d). */
  window?: string;
  /** Per input column: the test and its threshold, instead of the default choice. */
  columns?: Record<string, { stattest?: 'ks' | 'wasserstein' | 'psi' | 'jensenshannon' | 'chisquare' | 'z'; threshold?: number }>;
  /** Alert when the measured or estimated metric is worse than the validation score by more than `threshold`. */
  decay?: { threshold?: number };
}

export interface EndpointConfig {
  routes: { model: string; weight?: number }[];
  /** Gets a copy of each request after the answer is sent; its answer is logged, never returned. */
  shadow?: string;
  /** A column or a request header whose value always reaches the same route. */
  sticky?: string;
}

export interface TrainingConfig {
  dataset?: string;
  target?: string;
  task?: 'auto' | 'classification' | 'regression';
  metric?: 'accuracy' | 'f1' | 'roc_auc' | 'log_loss' | 'rmse' | 'mae' | 'r2';
  timeBudget?: number;
  maxTrials?: number;
  seed?: number;
  /** Model families AutoML may try; the schema lists the names. */
  families?: string[];
  /** The columns AutoML trains on; every one but the target when absent. */
  features?: string[];
  /** Columns AutoML leaves out of the features. */
  ignore?: string[];
  command?: string;
  params?: string;
  metrics?: string;
  /** A feature service to train on instead of `dataset`, its training set built from `entities` as of `timestamp`. */
  service?: string;
  entities?: string;
  timestamp?: string;
}

/** A problem in mlops.yaml, with 1-based line and column as editors and compilers print them. */
export interface ConfigProblem {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ConfigCheck {
  config?: ProjectConfig;
  problems: ConfigProblem[];
}

// Compiled on first use: compiling costs tens of milliseconds that the editor's activation should not pay.
let compiled: ValidateFunction | undefined;
function validateSchema(value: unknown): { valid: boolean; errors: ErrorObject[] } {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  const valid = compiled(value);
  return { valid, errors: compiled.errors ?? [] };
}

/**
 * Parses and validates the text of an mlops.yaml. Never throws: every problem comes back with its position,
 * so the CLI can print file:line and the editor can underline the exact node. The schema only: checkProjectText()
 * of src/core/features adds the checks of the feature definitions against their source datasets.
 */
export function checkConfigText(text: string): ConfigCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number, endOffset: number) => {
    const start = lineCounter.linePos(offset);
    const end = lineCounter.linePos(Math.max(offset, endOffset));
    return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
  };

  const problems: ConfigProblem[] = [];
  // One slip (a missing bracket) makes the parser report every line after it too: the first error is the slip,
  // the others its echoes, which only bury it.
  const slip = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (slip) problems.push({ ...at(slip.pos[0], slip.pos[1]), message: l10n.t('YAML syntax: {0}', firstLine(slip.message)), severity: 'error' });
  for (const w of doc.warnings) {
    problems.push({ ...at(w.pos[0], w.pos[1]), message: l10n.t('YAML: {0}', firstLine(w.message)), severity: 'warning' });
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };

  const value: unknown = doc.toJS();
  if (value === null || value === undefined) {
    problems.push({ ...at(0, 0), message: l10n.t('mlops.yaml is empty: it needs at least `version: 1` and `project: <name>`.'), severity: 'error' });
    return { problems };
  }
  const { valid, errors } = validateSchema(value);
  if (!valid) {
    for (const err of dedupeErrors(errors)) {
      const range = rangeOfError(doc, err);
      problems.push({ ...at(range[0], range[1]), message: describeSchemaError(err), severity: 'error' });
    }
    // In the order of the file, as the user reads and fixes it (Ajv reports them in the schema's order).
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems };
  }
  return { config: value as unknown as ProjectConfig, problems };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/**
 * Ajv reports some problems twice: a bad key name both as `propertyNames` and as the inner `pattern` error (which
 * carries `propertyName`), and identical errors from several schema branches. The user needs each once.
 */
function dedupeErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function pathOf(err: ErrorObject): (string | number)[] {
  return err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Points at the offending key for unknown properties, at the value otherwise, at the parent for missing keys. */
function rangeOfError(doc: Document, err: ErrorObject): [number, number] {
  const path = pathOf(err);
  if (err.keyword === 'additionalProperties' || err.keyword === 'propertyNames') {
    const parent = path.length ? doc.getIn(path, true) : doc.contents;
    const name = (err.params as { additionalProperty?: string; propertyName?: string });
    const key = name.additionalProperty ?? name.propertyName;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === key);
      if (pair && isNode(pair.key) && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
    }
  }
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (isNode(node) && node.range) {
    // A missing key is reported on the map that lacks it: underline only the map's first line, not all of it.
    if (err.keyword === 'required' && isMap(node)) {
      const first = node.items[0];
      if (first && isNode(first.key) && first.key.range) return [first.key.range[0], first.key.range[1]];
    }
    return [node.range[0], node.range[1]];
  }
  return [0, 0];
}

function describeSchemaError(err: ErrorObject): string {
  const where = err.instancePath ? pathOf(err).join('.') : l10n.t('top level');
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return l10n.t('{0}: missing required key `{1}`.', where, String(p.missingProperty));
    case 'additionalProperties':
      return l10n.t('{0}: unknown key `{1}`. Check its spelling against the schema.', where, String(p.additionalProperty));
    case 'propertyNames':
      return l10n.t('{0}: `{1}` is not a valid name: use letters, digits, dot, dash and underscore, starting with a letter or digit.', where, String(p.propertyName));
    case 'enum':
      return l10n.t('{0}: must be one of {1}.', where, (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', '));
    case 'const':
      return l10n.t('{0}: must be {1}.', where, JSON.stringify(p.allowedValue));
    case 'type':
      return l10n.t('{0}: must be of type {1}.', where, String(p.type));
    case 'pattern':
      return l10n.t('{0}: use letters, digits, dot, dash and underscore, starting with a letter or digit.', where);
    case 'dependencies':
      return l10n.t('{0}: `{1}` goes with `{2}`; add `{2}`, or remove `{1}`.', where, String(p.property), String(p.missingProperty));
    default:
      return l10n.t('{0}: {1}.', where, err.message ?? err.keyword);
  }
}
