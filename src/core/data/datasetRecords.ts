import { l10n } from '../l10n';
import { MetadataStore } from '../store';
import type { DatasetVersion } from './pointer';

/**
 * Records a new version in the store's journal (acknowledged once appended; folded into the database by the next
 * writer). A store this build cannot open (newer, damaged) does not undo the snapshot: the reason comes back.
 */
export async function recordVersionInStore(root: string, dataset: string, path: string, version: DatasetVersion): Promise<string | undefined> {
  let store: MetadataStore | undefined;
  try {
    store = await MetadataStore.open(root);
    store.append([{ type: 'dataset_version', dataset, path, ...version, version: version.id }]);
    return undefined;
  } catch (err) {
    return l10n.t('The version was not recorded in the metadata store: {0}', (err as Error).message);
  } finally {
    store?.close();
  }
}
