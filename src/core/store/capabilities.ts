import { datasetsCapability } from '../data/datasetsCapability';
import { trackingCapability } from '../tracking/schema';
import type { StoreCapability } from './capability';
import { storeTables } from './migrations';

/**
 * Every capability that keeps tables in .mlops/metadata.db. A new one (dataset versions, the model registry)
 * defines its migrations and record types in its own folder and adds one line here.
 */
export const capabilities: readonly StoreCapability[] = [storeTables, trackingCapability, datasetsCapability];
