export type { Migration, JournalRecord, JournalSource, PendingRecord, RecordBatch, RecordSource, StoreCapability } from './capability';
export { MetadataStore, type StoreOptions, type FoldResult } from './metadataStore';
export { JournalWriter, type JournalProblem } from './journal';
export { APPLICATION_ID } from './migrations';
export { acquireLock, isProcessAlive, type LockOptions } from './lock';
