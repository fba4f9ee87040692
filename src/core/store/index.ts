export type { Migration, JournalRecord, JournalSource, PendingRecord, RecordBatch, RecordSource, StoreCapability, StoreRecord, StoreRecordTypes } from './capability';
export { MetadataStore, appendToJournal, type StoreOptions, type FoldResult } from './metadataStore';
export { JournalWriter, type JournalProblem } from './journal';
export { APPLICATION_ID, storeTables } from './migrations';
