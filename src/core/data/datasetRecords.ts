import { l10n } from '../l10n';
import { appendToJournal } from '../store';
import type { ProjectPaths } from '../workspace';
import type { DatasetVersion } from './pointer';

/** The record a snapshot hands the store: the version as its pointer file holds it, named by dataset and path. */
export type DatasetRecord = { type: 'dataset_version'; dataset: string; path: string; version: number } & Omit<DatasetVersion, 'id'>;

declare module '../store' {
  interface StoreRecordTypes {
    datasets: DatasetRecord;
  }
}

/**
 * Records a new version in the store's journal (acknowledged once appended; folded into the database by the next
 * writer). A journal that cannot be written does not undo the snapshot: the reason comes back.
 */
export function recordVersionInStore(paths: ProjectPaths, dataset: string, path: string, version: DatasetVersion): string | undefined {
  try {
    const { id, ...fields } = version;
    appendToJournal(paths, [{ type: 'dataset_version', dataset, path, ...fields, version: id }]);
    return undefined;
  } catch (err) {
    return l10n.t('The version was not recorded in the metadata store: {0}', (err as Error).message);
  }
}
