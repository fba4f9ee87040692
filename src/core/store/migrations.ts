import type { Database } from 'sql.js';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { StoreCapability } from './capability';

/** Marks the file as ours in the SQLite header (offset 68), so a foreign database is recognised and left alone. */
export const APPLICATION_ID = 0x4d4c4f50; // "MLOP"

/** The store's own bookkeeping: which schema each capability is at, and how far each journal was folded. */
export const storeTables: StoreCapability = {
  name: 'store',
  recordTypes: [],
  migrations: [
    {
      version: 1,
      description: 'journal offsets',
      up(db) {
        db.run(`CREATE TABLE journal_offsets (
          journal TEXT PRIMARY KEY,
          offset INTEGER NOT NULL,
          line INTEGER NOT NULL
        ) WITHOUT ROWID`);
      },
    },
  ],
};

/** Reports a registration mistake (two migrations with one number, a gap) at once rather than on a user's file. */
export function checkCapabilities(capabilities: readonly StoreCapability[]): void {
  const names = new Set<string>();
  for (const c of capabilities) {
    if (names.has(c.name)) throw new Error(`store capability "${c.name}" is registered twice`);
    names.add(c.name);
    c.migrations.forEach((m, i) => {
      if (m.version !== i + 1) throw new Error(`migration ${i + 1} of "${c.name}" has version ${m.version}; versions run 1, 2, 3... in order`);
    });
  }
}

function recordedVersions(db: Database): Map<string, number> {
  db.run('CREATE TABLE IF NOT EXISTS schema_versions (capability TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID');
  const versions = new Map<string, number>();
  const rows = db.exec('SELECT capability, version FROM schema_versions');
  for (const [name, version] of rows[0]?.values ?? []) versions.set(String(name), Number(version));
  return versions;
}

/**
 * Brings `db` to the newest schema of every capability; returns whether anything changed. A database written by a
 * newer version (a capability at a higher version, or one this build does not know) is refused: an older build
 * would misread or damage tables it does not understand.
 */
export function migrate(db: Database, capabilities: readonly StoreCapability[], file: string): boolean {
  const versions = recordedVersions(db);
  const known = new Map(capabilities.map((c) => [c.name, c]));
  for (const [name, version] of versions) {
    const capability = known.get(name);
    const latest = capability?.migrations.length ?? 0;
    if (version > latest) {
      throw new MlopsError(
        l10n.t('{0} was written by a newer MLOps Workbench: its "{1}" schema is at version {2}, this version knows up to {3}.', file, name, version, latest),
        l10n.t('Update MLOps Workbench (the extension and the mlops CLI) to open it; the file was left untouched.'),
        'STORE_TOO_NEW',
      );
    }
  }
  let changed = false;
  for (const capability of capabilities) {
    const from = versions.get(capability.name) ?? 0;
    const pending = capability.migrations.slice(from);
    if (pending.length === 0) continue;
    db.run('BEGIN');
    try {
      for (const m of pending) m.up(db);
      db.run('INSERT OR REPLACE INTO schema_versions (capability, version) VALUES (?, ?)', [capability.name, capability.migrations.length]);
      db.run('COMMIT');
    } catch (err) {
      db.run('ROLLBACK');
      throw err;
    }
    changed = true;
  }
  return changed;
}
