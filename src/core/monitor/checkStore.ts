import type { Database } from 'sql.js';
import { l10n } from '../l10n';
import type { MetadataStore, RecordBatch, StoreCapability } from '../store';
import type { MonitorCheck } from './modelCheck';

/** The record a recorded check hands the store: the whole check, histograms included, so history needs no log. */
export type MonitorCheckRecord = { type: 'monitor_check' } & MonitorCheck;

declare module '../store' {
  interface StoreRecordTypes {
    monitor: MonitorCheckRecord;
  }
}

/**
 * Recorded model checks: one row per check, the fields history is filtered and sorted by in columns, the check itself
 * as JSON (per-column scores, thresholds and histograms, prediction drift, decay) for whoever draws it.
 */
export const monitorCapability: StoreCapability = {
  name: 'monitor',
  migrations: [
    {
      version: 1,
      description: 'model checks: drift, decay and health per window',
      up(db: Database) {
        db.run(`
          CREATE TABLE monitor_checks (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            health TEXT NOT NULL,
            check_json TEXT NOT NULL
          ) WITHOUT ROWID;
          CREATE INDEX monitor_checks_by_model ON monitor_checks (model, at);
        `);
      },
    },
  ],
  recordTypes: ['monitor_check'],
  apply: applyChecks,
};

function applyChecks(batch: RecordBatch): void {
  for (const item of batch.records) {
    const { type: _type, ...check } = item.record;
    if (typeof check.id !== 'string' || typeof check.at !== 'string' || typeof check.model !== 'string' || !Number.isInteger(check.version) || typeof check.health !== 'string') {
      batch.reject(item, l10n.t('a model check needs "id", "at", "model", "version" and "health"'));
      continue;
    }
    batch.db.run('INSERT OR REPLACE INTO monitor_checks VALUES (?, ?, ?, ?, ?, ?)', [check.id, check.at, check.model, check.version as number, check.health, JSON.stringify(check)]);
  }
}

/** Records a check in the store (acknowledged once in the journal). */
export function recordCheck(store: MetadataStore, check: MonitorCheck): void {
  store.append([{ type: 'monitor_check', ...check }]);
}

/** Recorded checks, newest first: all of them, or one model's (`name`, or any reference to it: `name@alias`, `name/2`). */
export function monitorChecks(store: MetadataStore, options: { model?: string; limit?: number } = {}): MonitorCheck[] {
  const model = options.model?.split(/[@/]/)[0];
  const limit = options.limit ?? -1;
  const result = model === undefined
    ? store.database.exec('SELECT check_json FROM monitor_checks ORDER BY at DESC, id DESC LIMIT ?', [limit])
    : store.database.exec('SELECT check_json FROM monitor_checks WHERE model = ? ORDER BY at DESC, id DESC LIMIT ?', [model, limit]);
  return (result[0]?.values ?? []).map(([json]) => JSON.parse(String(json)) as MonitorCheck);
}

/** One column's reference and current histograms in counts, as a dashboard draws them side by side. */
export interface CheckHistogram {
  column: string;
  /** Sturges bin edges (one more than the counts) of a numeric column binned by range... */
  edges?: number[];
  /** ...or the values or categories, one per count. */
  categories?: string[];
  reference: number[];
  current: number[];
  test: string;
  statistic: number;
  threshold: number;
  drift: boolean;
}

/**
 * The histograms of a recorded check in counts, its input columns then the prediction: the report keeps shares of
 * the non-missing values, which times the non-missing rows are the counts the report binned.
 */
export function checkHistograms(check: MonitorCheck): CheckHistogram[] {
  if (!check.report) return [];
  const referenceRows = check.report.referenceRows;
  const currentRows = check.report.currentRows;
  const columns = [...check.report.columns, ...(check.predictionDrift ? [check.predictionDrift] : [])];
  return columns.map((c) => {
    const counts = (shares: number[], rows: number, missing: number) => shares.map((s) => Math.round(s * rows * (1 - missing)));
    return {
      column: c.name, ...(c.histogram.edges ? { edges: c.histogram.edges } : { categories: c.histogram.categories }),
      reference: counts(c.histogram.reference, referenceRows, c.missingShare.reference),
      current: counts(c.histogram.current, currentRows, c.missingShare.current),
      test: c.test, statistic: c.statistic, threshold: c.threshold, drift: c.drift,
    };
  });
}
