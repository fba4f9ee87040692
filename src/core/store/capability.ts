import type { Database } from 'sql.js';

/** One step of a capability's schema. Versions of a capability run 1, 2, 3... and are never edited once released. */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

/**
 * The records capabilities write, by capability. The store names none of them: each capability adds its union here
 * from its own folder (`declare module '../store' { interface StoreRecordTypes { tracking: TrackingRecord } }`), so
 * append() accepts exactly the records some capability declared.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StoreRecordTypes {}
export type StoreRecord = StoreRecordTypes[keyof StoreRecordTypes];

/** A line of a journal, parsed but not yet checked; `type` says which capability applies it. */
export interface JournalRecord {
  type: string;
  [field: string]: unknown;
}

/** Where a record came from, so a skipped one can be reported by file and line. */
export interface RecordSource {
  journal: string;
  line: number;
}

export interface PendingRecord {
  record: JournalRecord;
  source: RecordSource;
}

/** Records of one type family, in journal order, to apply inside the store's transaction. */
export interface RecordBatch {
  db: Database;
  records: readonly PendingRecord[];
  /** Skips a record that cannot be applied; the store reports it with its file and line. */
  reject(record: PendingRecord, message: string): void;
}

/**
 * What a capability (tracking, dataset versions, the registry...) brings to the store: its own numbered migrations
 * and the journal record types it applies. Adding one to src/core/store/capabilities.ts is all it takes.
 */
export interface StoreCapability {
  name: string;
  migrations: readonly Migration[];
  recordTypes: readonly string[];
  apply?(batch: RecordBatch): void;
  /** Journals of its own besides the store's, found from the current state (tracking: the logs of live runs). */
  journals?(db: Database, stateDir: string): JournalSource[];
  /**
   * Called while folding, under the lock: the moment to close what a dead process left open (a run whose process
   * was killed) by appending records. Returns whether it appended any.
   */
  closeAbandoned?(db: Database, stateDir: string): boolean;
}

/** A journal the store folds: a file, its name relative to .mlops/, and fields forced onto each of its records. */
export interface JournalSource {
  file: string;
  name: string;
  overrides?: Readonly<Record<string, unknown>>;
}
