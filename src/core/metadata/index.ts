import { datasetsCapability } from '../data';
import { MetadataStore, storeTables, type StoreCapability, type StoreOptions } from '../store';
import { trackingCapability } from '../tracking';
import { monitorCapability } from '../monitor';

/**
 * Every capability that keeps tables in .mlops/metadata.db. This list sits above the capabilities, so the store
 * knows none of them by name: a new one defines its migrations and record types in its own folder and adds one
 * line here.
 */
export const STORE_CAPABILITIES: readonly StoreCapability[] = [storeTables, trackingCapability, datasetsCapability, monitorCapability];

/** The project's metadata store with every capability's tables: what the faces and the workers open. */
export function openMetadataStore(root: string, options: Partial<StoreOptions> = {}): Promise<MetadataStore> {
  return MetadataStore.open(root, { ...options, capabilities: options.capabilities ?? STORE_CAPABILITIES });
}
