import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Database } from 'sql.js';
import { l10n } from '../l10n';
import type { JournalSource, PendingRecord, RecordBatch, StoreCapability } from '../store';
import { JournalWriter } from '../store';
import { isProcessAlive } from '../storage';
import { runFiles } from './runIds';
import { appendPoints, type MetricPoints } from './metricChunks';

export const RUN_STATUSES = ['running', 'finished', 'failed', 'killed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Record types a run's own log accepts from the user's code (the plain protocol of docs/tracking.md). */
export const USER_RECORD_TYPES = ['metric', 'metrics', 'param', 'tag', 'artifact', 'input', 'seed', 'note'] as const;
const RECORD_TYPES = [...USER_RECORD_TYPES, 'run_start', 'run_end', 'run_delete', 'run_import'] as const;

const migrations = [
  {
    version: 1,
    description: 'experiments, runs, params, tags, metrics, lineage, artifacts',
    up(db: Database) {
      db.run(`
        CREATE TABLE experiments (name TEXT PRIMARY KEY, created REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE runs (
          id TEXT PRIMARY KEY,
          experiment TEXT NOT NULL,
          name TEXT,
          status TEXT NOT NULL,
          start_time REAL NOT NULL,
          end_time REAL,
          exit_code INTEGER,
          signal TEXT,
          parent_id TEXT,
          command TEXT,
          git_commit TEXT,
          git_dirty INTEGER,
          git_diff_sha256 TEXT,
          environment TEXT,
          notes TEXT,
          source TEXT
        ) WITHOUT ROWID;
        CREATE INDEX runs_by_experiment ON runs (experiment, start_time);
        CREATE INDEX runs_by_status ON runs (status);
        CREATE INDEX runs_by_parent ON runs (parent_id);
        CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE TABLE tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE TABLE seeds (run_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;
        CREATE TABLE metric_latest (
          run_id TEXT NOT NULL, key TEXT NOT NULL, step REAL, value REAL, timestamp REAL, count INTEGER NOT NULL,
          PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE metric_chunks (
          run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL,
          steps BLOB NOT NULL, vals BLOB NOT NULL, times BLOB NOT NULL,
          PRIMARY KEY (run_id, key, seq)
        ) WITHOUT ROWID;
        CREATE TABLE lineage (
          run_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, digest TEXT,
          PRIMARY KEY (run_id, kind, name, version)
        ) WITHOUT ROWID;
        CREATE TABLE artifacts (run_id TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT, size INTEGER, PRIMARY KEY (run_id, path)) WITHOUT ROWID;
        CREATE TABLE deleted_runs (id TEXT PRIMARY KEY) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'the process that owns a running run',
    up(db: Database) {
      db.run('ALTER TABLE runs ADD COLUMN owner_pid INTEGER');
      db.run('ALTER TABLE runs ADD COLUMN owner_host TEXT');
    },
  },
];

export const trackingCapability: StoreCapability = {
  name: 'tracking',
  migrations,
  recordTypes: RECORD_TYPES,
  apply: applyTrackingRecords,
  journals: liveRunLogs,
  closeAbandoned: endAbandonedRuns,
};

/**
 * A run whose owning process died without ending it (kill -9, a crash, the machine's power) would show as running
 * forever. Its end is recorded as killed, at the last time its log was written.
 */
function endAbandonedRuns(db: Database, stateDir: string): boolean {
  const running = db.exec("SELECT id, owner_pid, start_time FROM runs WHERE status = 'running' AND owner_host = ?", [os.hostname()])[0]?.values ?? [];
  let ended = false;
  for (const [id, pid, start] of running) {
    if (pid === null || isProcessAlive(Number(pid))) continue;
    const log = runFiles(stateDir, String(id)).log;
    const lastWrite = fs.existsSync(log) ? fs.statSync(log).mtimeMs : Number(start);
    const journal = new JournalWriter(log);
    journal.append([{ type: 'run_end', status: 'killed', end: lastWrite }], { afterTornLine: true });
    journal.close();
    ended = true;
  }
  return ended;
}

/** A live run's log is read until the run ends; the run's end record is its last line the store reads. */
function liveRunLogs(db: Database, stateDir: string): JournalSource[] {
  const live = db.exec("SELECT id FROM runs WHERE status = 'running'")[0]?.values ?? [];
  return live.map(([id]) => ({ file: runFiles(stateDir, String(id)).log, name: `runs/${String(id)}/log.jsonl`, overrides: { run: String(id) } }));
}

type Fields = Record<string, unknown>;

/** Why a field is unusable, or undefined when it is fine. */
function text(r: Fields, field: string, required = true): string | undefined {
  const v = r[field];
  if (v === undefined || v === null) return required ? l10n.t('"{0}" is missing', field) : undefined;
  return typeof v === 'string' && v !== '' ? undefined : l10n.t('"{0}" must be a non-empty string', field);
}

/** Non-finite numbers cannot be JSON; the helpers write them as strings. */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function applyTrackingRecords(batch: RecordBatch): void {
  const applier = new TrackingApplier(batch.db);
  for (const item of batch.records) {
    const problem = applier.apply(item);
    if (problem) batch.reject(item, problem);
  }
  applier.flush();
}

/**
 * Applies one batch of records. Metric points are gathered per series and written once at the end (or before a
 * record that needs them written), so a fold of a million points writes a few hundred chunks, not a million rows.
 */
class TrackingApplier {
  private readonly pending = new Map<string, MetricPoints & { run: string; key: string }>();
  private readonly deleted = new Map<string, boolean>();

  constructor(private readonly db: Database) {}

  flush(): void {
    for (const p of this.pending.values()) appendPoints(this.db, p.run, p.key, p);
    this.pending.clear();
  }

  /** A deleted run stays deleted: records that arrive for it later (a straggling process) are dropped. */
  private isDeleted(run: string): boolean {
    if (!this.deleted.has(run)) this.deleted.set(run, this.db.exec('SELECT 1 FROM deleted_runs WHERE id = ?', [run]).length > 0);
    return this.deleted.get(run) === true;
  }

  /** Applies a record, or says why it cannot be. */
  apply(item: PendingRecord): string | undefined {
    const db = this.db;
    const r = item.record;
    const bad = text(r, 'run');
    if (bad) return bad;
    const run = r.run as string;
    if (this.isDeleted(run)) return undefined;
    switch (r.type) {
      case 'metric':
      case 'metrics': {
        const badKey = text(r, 'key');
        if (badKey) return badKey;
        const single = r.type === 'metric';
        const values = single ? [r.value] : r.values;
        const steps = single ? (r.step === undefined ? undefined : [r.step]) : r.steps;
        const times = single ? (r.timestamp === undefined ? undefined : [r.timestamp]) : r.timestamps;
        if (!Array.isArray(values)) return l10n.t('"values" must be a list of numbers');
        const n = values.length;
        if (steps !== undefined && (!Array.isArray(steps) || steps.length !== n)) return l10n.t('"steps" must be a list as long as "values"');
        if (times !== undefined && (!Array.isArray(times) || times.length !== n)) return l10n.t('"timestamps" must be a list as long as "values"');
        const id = `${run}\u0000${r.key as string}`;
        let points = this.pending.get(id);
        if (!points) {
          const count = Number(db.exec('SELECT count FROM metric_latest WHERE run_id = ? AND key = ?', [run, r.key as string])[0]?.values[0][0] ?? 0);
          points = { run, key: r.key as string, steps: [], values: [], timestamps: [], firstStep: count };
          this.pending.set(id, points);
        }
        const before = points.values.length;
        for (let i = 0; i < n; i++) {
          const value = toNumber(values[i]);
          const step = steps ? toNumber(steps[i]) : points.firstStep + points.values.length;
          const time = times ? toNumber(times[i]) : NaN;
          if (value === undefined || step === undefined || time === undefined || !Number.isFinite(step)) {
            points.steps.length = points.values.length = points.timestamps.length = before;
            return single ? l10n.t('"value", "step" and "timestamp" must be numbers') : l10n.t('point {0}: "values", "steps" and "timestamps" must hold numbers', i);
          }
          points.steps.push(step);
          points.values.push(value);
          points.timestamps.push(time);
        }
        return undefined;
      }
      case 'param':
      case 'tag': {
        const badKey = text(r, 'key');
        if (badKey) return badKey;
        if (r.value === undefined) return l10n.t('"{0}" is missing', 'value');
        db.run(`INSERT OR REPLACE INTO ${r.type === 'param' ? 'params' : 'tags'} (run_id, key, value) VALUES (?, ?, ?)`, [run, r.key as string, asText(r.value)]);
        return undefined;
      }
      case 'seed': {
        if (r.value === undefined) return l10n.t('"{0}" is missing', 'value');
        db.run('INSERT OR REPLACE INTO seeds (run_id, name, value) VALUES (?, ?, ?)', [run, typeof r.name === 'string' ? r.name : 'seed', asText(r.value)]);
        return undefined;
      }
      case 'note': {
        if (typeof r.text !== 'string') return l10n.t('"{0}" must be a string', 'text');
        db.run('UPDATE runs SET notes = ? WHERE id = ?', [r.text, run]);
        return undefined;
      }
      case 'input': {
        const badField = text(r, 'kind') ?? text(r, 'name') ?? text(r, 'version');
        if (badField) return badField;
        db.run('INSERT OR REPLACE INTO lineage (run_id, kind, name, version, digest) VALUES (?, ?, ?, ?, ?)', [
          run, r.kind as string, r.name as string, asText(r.version), typeof r.digest === 'string' ? r.digest : null,
        ]);
        return undefined;
      }
      case 'artifact': {
        const badPath = text(r, 'path') ?? text(r, 'sha256', false);
        if (badPath) return badPath;
        db.run('INSERT OR REPLACE INTO artifacts (run_id, path, sha256, size) VALUES (?, ?, ?, ?)', [
          run, r.path as string, (r.sha256 as string | undefined) ?? null, typeof r.size === 'number' ? r.size : null,
        ]);
        return undefined;
      }
      case 'run_start':
        return startRun(db, run, r);
      case 'run_end': {
        if (!RUN_STATUSES.includes(r.status as RunStatus) || r.status === 'running') return l10n.t('"status" must be finished, failed or killed');
        db.run('UPDATE runs SET status = ?, end_time = ?, exit_code = ?, signal = ? WHERE id = ?', [
          r.status as string, toNumber(r.end) ?? null, typeof r.exitCode === 'number' ? r.exitCode : null, typeof r.signal === 'string' ? r.signal : null, run,
        ]);
        return undefined;
      }
      case 'run_delete':
        this.flush();
        for (const table of ['params', 'tags', 'seeds', 'metric_latest', 'metric_chunks', 'lineage', 'artifacts']) db.run(`DELETE FROM ${table} WHERE run_id = ?`, [run]);
        db.run('DELETE FROM runs WHERE id = ?', [run]);
        db.run('INSERT OR IGNORE INTO deleted_runs (id) VALUES (?)', [run]);
        this.deleted.set(run, true);
        return undefined;
      case 'run_import':
        this.flush();
        return importRun(db, run, r);
      default:
        return l10n.t('unknown record type "{0}"', r.type);
    }
  }
}

function startRun(db: Database, run: string, r: Fields): string | undefined {
  const bad = text(r, 'experiment');
  if (bad) return bad;
  const start = toNumber(r.start);
  if (start === undefined) return l10n.t('"{0}" must be a number', 'start');
  const git = (r.git ?? {}) as { commit?: string; dirty?: boolean; diffSha256?: string };
  const owner = (r.owner ?? {}) as { pid?: number; host?: string };
  db.run('INSERT OR IGNORE INTO experiments (name, created) VALUES (?, ?)', [r.experiment as string, start]);
  db.run(
    `INSERT OR IGNORE INTO runs (id, experiment, name, status, start_time, parent_id, command, git_commit, git_dirty, git_diff_sha256, environment, source, owner_pid, owner_host)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      run, r.experiment as string, typeof r.name === 'string' ? r.name : null, start, typeof r.parent === 'string' ? r.parent : null,
      r.command === undefined ? null : asText(r.command), git.commit ?? null, git.dirty === undefined ? null : Number(git.dirty),
      git.diffSha256 ?? null, r.environment === undefined ? null : JSON.stringify(r.environment), typeof r.source === 'string' ? r.source : null,
      typeof owner.pid === 'number' ? owner.pid : null, typeof owner.host === 'string' ? owner.host : null,
    ],
  );
  return undefined;
}

/** A whole run from another tracker, applied at once so importing it twice changes nothing. */
function importRun(db: Database, run: string, r: Fields): string | undefined {
  if (db.exec('SELECT 1 FROM runs WHERE id = ?', [run]).length) return undefined;
  if (!RUN_STATUSES.includes(r.status as RunStatus)) return l10n.t('"status" must be one of {0}', RUN_STATUSES.join(', '));
  const problem = startRun(db, run, r);
  if (problem) return problem;
  db.run('UPDATE runs SET status = ?, end_time = ? WHERE id = ?', [r.status as string, toNumber(r.end) ?? null, run]);
  for (const [table, values] of [['params', r.params], ['tags', r.tags]] as const) {
    for (const [key, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      db.run(`INSERT OR REPLACE INTO ${table} (run_id, key, value) VALUES (?, ?, ?)`, [run, key, asText(value)]);
    }
  }
  for (const [key, series] of Object.entries((r.metrics ?? {}) as Record<string, { steps: number[]; values: unknown[]; timestamps: number[] }>)) {
    appendPoints(db, run, key, { steps: series.steps, values: series.values.map((v) => toNumber(v) ?? NaN), timestamps: series.timestamps, firstStep: 0 });
  }
  return undefined;
}
