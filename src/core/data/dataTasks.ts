import type { ByteRange } from './delimitedReader';
import { cloneOrCopyHashing, copyHashing, hashFile, type HashedFile } from '../storage';
import { diffByKey, type KeyedRowDiff, type KeyedSide } from './keyedDiff';
import { ObjectCache } from '../storage';
import { profileParquet } from './parquet';
import { profileFile, profilePart, type DatasetProfile, type ProfilePart, type TabularFormat } from './profile';

/** Work a data worker thread does. Plain data, since it crosses a thread boundary. */
export type DataTask =
  | { kind: 'ingest'; source: string; cacheDir: string; temporary: string }
  | { kind: 'hash'; file: string }
  | { kind: 'copy'; source: string; target: string }
  | { kind: 'profile'; file: string; format: TabularFormat }
  | { kind: 'profilePart'; file: string; format: 'csv' | 'tsv'; range: ByteRange; header?: string[] }
  | { kind: 'keyDiff'; a: KeyedSide; b: KeyedSide; key: string[] };

/** A file ingested into the cache; `added` is false when the cache held its contents already. */
export interface IngestedFile extends HashedFile {
  added: boolean;
}

export type DataTaskResult = IngestedFile | HashedFile | DatasetProfile | ProfilePart | KeyedRowDiff;

/** Runs one task; `onBytes` reports progress as bytes go by. */
export async function runDataTask(task: DataTask, onBytes: (n: number) => void): Promise<DataTaskResult> {
  switch (task.kind) {
    case 'ingest': {
      const hashed = await cloneOrCopyHashing(task.source, task.temporary, onBytes);
      return { ...hashed, added: new ObjectCache(task.cacheDir).adopt(task.temporary, hashed.sha256) };
    }
    case 'copy':
      return copyHashing(task.source, task.target, onBytes);
    case 'hash':
      return hashFile(task.file, onBytes);
    case 'profile':
      return task.format === 'parquet' ? profileParquet(task.file, onBytes) : profileFile(task.file, task.format, onBytes);
    case 'profilePart':
      return profilePart(task.file, task.format, task.range, task.header, onBytes);
    case 'keyDiff':
      return diffByKey(task.a, task.b, task.key);
  }
}
