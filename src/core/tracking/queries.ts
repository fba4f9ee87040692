import type { Database, SqlValue } from 'sql.js';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import { readSeries, type MetricSeries } from './metricChunks';
import type { RunStatus } from './schema';

export interface ExperimentSummary {
  name: string;
  runs: number;
  /** Start of its latest run, ms since the epoch. */
  lastStart: number | null;
}

export interface RunSummary {
  id: string;
  experiment: string;
  name: string | null;
  status: RunStatus;
  start: number;
  end: number | null;
  parentId: string | null;
}

export interface LatestMetric {
  value: number | null;
  step: number;
  timestamp: number | null;
  count: number;
}

export interface RunInput {
  kind: string;
  name: string;
  version: string;
  digest: string | null;
}

export interface RunArtifact {
  path: string;
  sha256: string | null;
  size: number | null;
}

export interface RunDetails extends RunSummary {
  exitCode: number | null;
  signal: string | null;
  command: string | null;
  notes: string | null;
  /** Where the run came from when it was not logged here ("mlflow:<path>"). */
  source: string | null;
  git: { commit: string; dirty: boolean | null; diffSha256: string | null } | null;
  environment: Record<string, unknown> | null;
  params: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  tags: Record<string, string>;
  seeds: Record<string, string>;
  inputs: RunInput[];
  artifacts: RunArtifact[];
  children: string[];
}

const num = (v: SqlValue) => (v === null ? null : Number(v));
const str = (v: SqlValue) => (v === null ? null : String(v));

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  return db.exec(sql, params)[0]?.values ?? [];
}

export function listExperiments(store: MetadataStore): ExperimentSummary[] {
  return rows(
    store.database,
    `SELECT e.name, count(r.id), max(r.start_time) FROM experiments e LEFT JOIN runs r ON r.experiment = e.name
     GROUP BY e.name ORDER BY e.name`,
  ).map(([name, runs, lastStart]) => ({ name: String(name), runs: Number(runs), lastStart: num(lastStart) }));
}

/** Runs newest first; with `experiment`, only that experiment's. */
export function listRuns(store: MetadataStore, experiment?: string): RunSummary[] {
  const where = experiment === undefined ? '' : 'WHERE experiment = ?';
  return rows(
    store.database,
    `SELECT id, experiment, name, status, start_time, end_time, parent_id FROM runs ${where} ORDER BY start_time DESC, id DESC`,
    experiment === undefined ? [] : [experiment],
  ).map(([id, exp, name, status, start, end, parent]) => ({
    id: String(id), experiment: String(exp), name: str(name), status: status as RunStatus, start: Number(start), end: num(end), parentId: str(parent),
  }));
}

/** The runs that carry the tag `key`, with its value, latest first (the runs trained on each feature service...). */
export function runsTagged(store: MetadataStore, key: string): (RunSummary & { value: string })[] {
  return rows(
    store.database,
    `SELECT r.id, r.experiment, r.name, r.status, r.start_time, r.end_time, r.parent_id, t.value FROM runs r JOIN tags t ON t.run_id = r.id
     WHERE t.key = ? ORDER BY r.start_time DESC, r.id DESC`,
    [key],
  ).map(([id, exp, name, status, start, end, parent, value]) => ({
    id: String(id), experiment: String(exp), name: str(name), status: status as RunStatus, start: Number(start), end: num(end), parentId: str(parent), value: String(value),
  }));
}

/** The latest value of every metric of every run (of `experiment`), by run id: what a list shows beside each run. */
/**
 * How many trials each run started, as its leaderboard counts them: a child ended `killed` is the trial the time
 * budget (or Ctrl-C) cut off before it scored, kept in the store but on no leaderboard.
 */
export function trialCounts(runs: readonly RunSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.parentId !== null && r.status !== 'killed') counts.set(r.parentId, (counts.get(r.parentId) ?? 0) + 1);
  return counts;
}

export function latestMetricValues(store: MetadataStore, experiment?: string): Map<string, Record<string, number | null>> {
  const where = experiment === undefined ? '' : 'WHERE r.experiment = ?';
  const byRun = new Map<string, Record<string, number | null>>();
  for (const [run, key, value] of rows(
    store.database,
    `SELECT m.run_id, m.key, m.value FROM metric_latest m JOIN runs r ON r.id = m.run_id ${where} ORDER BY m.run_id, m.key`,
    experiment === undefined ? [] : [experiment],
  )) {
    const metrics = byRun.get(String(run)) ?? {};
    metrics[String(key)] = num(value);
    byRun.set(String(run), metrics);
  }
  return byRun;
}

/**
 * The metric a run is judged by: the project's training metric (mlops.yaml `training.metric`) when the run logged
 * it, otherwise its first metric by name, so the runs of one experiment show the same one.
 */
export function runKeyMetric(metrics: Record<string, unknown>, preferred: string | undefined): string | undefined {
  if (preferred && preferred in metrics) return preferred;
  return Object.keys(metrics).sort()[0];
}

/** The full id of the run `idOrPrefix` names; a unique prefix is enough, as with git commits. */
export function resolveRunId(store: MetadataStore, idOrPrefix: string): string {
  const exact = rows(store.database, 'SELECT id FROM runs WHERE id = ?', [idOrPrefix]);
  if (exact.length) return idOrPrefix;
  const matches = rows(store.database, "SELECT id FROM runs WHERE substr(id, 1, length(?)) = ? LIMIT 2", [idOrPrefix, idOrPrefix]);
  if (matches.length === 1) return String(matches[0][0]);
  if (matches.length === 0) {
    throw new MlopsError(l10n.t('There is no run "{0}".', idOrPrefix), l10n.t('Run `mlops runs` to list the runs and their ids.'), 'NO_RUN');
  }
  throw new MlopsError(l10n.t('"{0}" names more than one run.', idOrPrefix), l10n.t('Give more characters of the run id.'), 'AMBIGUOUS_RUN');
}

const keyed = (db: Database, sql: string, id: string) => Object.fromEntries(rows(db, sql, [id]).map(([k, v]) => [String(k), String(v)]));

export function getRun(store: MetadataStore, idOrPrefix: string): RunDetails {
  const db = store.database;
  const id = resolveRunId(store, idOrPrefix);
  const [r] = rows(
    db,
    `SELECT id, experiment, name, status, start_time, end_time, parent_id, exit_code, signal, command, notes, source,
            git_commit, git_dirty, git_diff_sha256, environment FROM runs WHERE id = ?`,
    [id],
  );
  return {
    id, experiment: String(r[1]), name: str(r[2]), status: r[3] as RunStatus, start: Number(r[4]), end: num(r[5]), parentId: str(r[6]),
    exitCode: num(r[7]), signal: str(r[8]), command: str(r[9]), notes: str(r[10]), source: str(r[11]),
    git: r[12] === null ? null : { commit: String(r[12]), dirty: r[13] === null ? null : r[13] === 1, diffSha256: str(r[14]) },
    environment: r[15] === null ? null : (JSON.parse(String(r[15])) as Record<string, unknown>),
    params: keyed(db, 'SELECT key, value FROM params WHERE run_id = ? ORDER BY key', id),
    tags: keyed(db, 'SELECT key, value FROM tags WHERE run_id = ? ORDER BY key', id),
    seeds: keyed(db, 'SELECT name, value FROM seeds WHERE run_id = ? ORDER BY name', id),
    metrics: Object.fromEntries(
      rows(db, 'SELECT key, value, step, timestamp, count FROM metric_latest WHERE run_id = ? ORDER BY key', [id]).map(([key, value, step, timestamp, count]) => [
        String(key), { value: num(value), step: Number(step), timestamp: num(timestamp), count: Number(count) },
      ]),
    ),
    inputs: rows(db, 'SELECT kind, name, version, digest FROM lineage WHERE run_id = ? ORDER BY kind, name, version', [id]).map(([kind, name, version, digest]) => ({
      kind: String(kind), name: String(name), version: String(version), digest: str(digest),
    })),
    artifacts: rows(db, 'SELECT path, sha256, size FROM artifacts WHERE run_id = ? ORDER BY path', [id]).map(([p, sha256, size]) => ({
      path: String(p), sha256: str(sha256), size: num(size),
    })),
    children: rows(db, 'SELECT id FROM runs WHERE parent_id = ? ORDER BY start_time, id', [id]).map(([c]) => String(c)),
  };
}

/** One metric of one run as typed arrays, for charts. Empty arrays when the run never logged `key`. */
export function metricSeries(store: MetadataStore, runId: string, key: string): MetricSeries {
  return readSeries(store.database, runId, key);
}

export function metricKeys(store: MetadataStore, runId: string): string[] {
  return rows(store.database, 'SELECT key FROM metric_latest WHERE run_id = ? ORDER BY key', [runId]).map(([k]) => String(k));
}
