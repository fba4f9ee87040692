import type { Database } from 'sql.js';
import { l10n } from '../l10n';
import type { RecordBatch, StoreCapability } from '../store';

/**
 * Dataset versions in the metadata store, beside tracking's lineage table: a run's input (kind `dataset`, name,
 * version N, digest) joins to its dataset_versions row, so a model traces back to the exact data. The pointer files
 * remain the source of truth shared through git; this table is the local, queryable copy.
 */
export const datasetsCapability: StoreCapability = {
  name: 'datasets',
  migrations: [
    {
      version: 1,
      description: 'dataset versions',
      up(db: Database) {
        db.run(`
          CREATE TABLE dataset_versions (
            dataset TEXT NOT NULL,
            version INTEGER NOT NULL,
            digest TEXT NOT NULL,
            created TEXT NOT NULL,
            path TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            files INTEGER NOT NULL,
            rows INTEGER,
            columns INTEGER,
            profile TEXT,
            message TEXT,
            git_commit TEXT,
            PRIMARY KEY (dataset, version)
          ) WITHOUT ROWID;
          CREATE INDEX dataset_versions_by_digest ON dataset_versions (digest);
        `);
      },
    },
  ],
  recordTypes: ['dataset_version'],
  apply: applyDatasetVersions,
};

function applyDatasetVersions(batch: RecordBatch): void {
  for (const item of batch.records) {
    const r = item.record;
    if (typeof r.dataset !== 'string' || !Number.isInteger(r.version) || typeof r.digest !== 'string' || typeof r.path !== 'string') {
      batch.reject(item, l10n.t('a dataset version needs "dataset", "version", "digest" and "path"'));
      continue;
    }
    batch.db.run('INSERT OR REPLACE INTO dataset_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      r.dataset, r.version as number, r.digest, String(r.created), r.path, String(r.kind), Number(r.size), Number(r.files),
      (r.rows as number | undefined) ?? null, (r.columns as number | undefined) ?? null, (r.profile as string | undefined) ?? null,
      (r.message as string | undefined) ?? null, (r.commit as string | undefined) ?? null,
    ]);
  }
}
