import { cloneOrCopyHashing, copyHashing, hashFile, type HashedFile } from './hashing';
import { diffByKey, type KeyedRowDiff, type KeyedSide } from './keyedDiff';
import { ObjectCache } from './objectCache';
import { profileFile, type DatasetProfile, type TabularFormat } from './profile';

/** Work a data worker thread does. Plain data, since it crosses a thread boundary. */
export type DataTask =
  | { kind: 'ingest'; source: string; cacheDir: string; temporary: string }
  | { kind: 'hash'; file: string }
  | { kind: 'copy'; source: string; target: string }
  | { kind: 'profile'; file: string; format: TabularFormat }
  | { kind: 'keyDiff'; a: KeyedSide; b: KeyedSide; key: string };

export type DataTaskResult = HashedFile | DatasetProfile | KeyedRowDiff;

/** Runs one task; `onBytes` reports progress as bytes go by. */
export async function runDataTask(task: DataTask, onBytes: (n: number) => void): Promise<DataTaskResult> {
  switch (task.kind) {
    case 'ingest': {
      const hashed = await cloneOrCopyHashing(task.source, task.temporary, onBytes);
      new ObjectCache(task.cacheDir).adopt(task.temporary, hashed.sha256);
      return hashed;
    }
    case 'copy':
      return copyHashing(task.source, task.target, onBytes);
    case 'hash':
      return hashFile(task.file, onBytes);
    case 'profile':
      return profileFile(task.file, task.format, onBytes);
    case 'keyDiff':
      return diffByKey(task.a, task.b, task.key);
  }
}
