import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { requireService, requestValue } from './offline';
import { OnlineFeatures } from './online';
import type { Value } from './typing';

/** What a model trained on a service was trained on: the lineage's feature set, as much of it as a lookup needs. */
export interface TrainedFeatureSet {
  service: string;
  keys: string[];
  request: string[];
  /** The feature columns the model reads, `<view>__<feature>`, in training order. */
  columns: string[];
}

/** One entity's features for a model: values in `columns` order, and whether any was missing or expired. */
export interface EntityVector {
  values: Value[];
  incomplete: boolean;
}

/**
 * The features a model trained on a service reads, looked up by entity key in the online store: the one path
 * `mlops predict` and the model server share, ending in the same vector function as the training set. The service
 * must still give the columns the model was trained on; stores are loaded once.
 */
/** Refuses a service that no longer gives, in order, the columns a model was trained on: its inputs would not be those. */
export function checkServiceColumns(project: Project, set: Pick<TrainedFeatureSet, 'service' | 'columns'>): void {
  const now = requireService(project, set.service).map((f) => `${f.view}__${f.feature}`);
  if (now.join('\n') !== set.columns.join('\n')) {
    throw new MlopsError(
      l10n.t('The feature service {0} now gives {1}; the model was trained on {2}.', set.service, now.join(', '), set.columns.join(', ')),
      l10n.t('Train the model again on the service, or restore the service\'s definition in mlops.yaml.'),
      'MISSING_FEATURES',
    );
  }
}

export class EntityFeatures {
  /** The columns a caller gives instead of features: the key columns, then the request inputs. */
  readonly inputs: string[];
  private readonly online: OnlineFeatures;

  constructor(project: Project, readonly set: TrainedFeatureSet) {
    checkServiceColumns(project, set);
    this.inputs = [...set.keys, ...set.request];
    this.online = new OnlineFeatures(project);
  }

  /** `cells` holds each input by name (text from a file, or a JSON value); `at` is the lookup time, now by default. */
  lookup(cells: Readonly<Record<string, string | number | boolean | null>>, at?: number): EntityVector {
    const keys: Record<string, string | number> = {};
    for (const k of this.set.keys) {
      const v = cells[k];
      if (v === null || v === undefined || v === '') throw new MlopsError(l10n.t('The entity key {0} is empty.', k), l10n.t('Give every row a value for {0}.', this.set.keys.join(', ')), 'MISSING_KEY');
      keys[k] = typeof v === 'boolean' ? String(v) : v;
    }
    const request: Record<string, Value> = {};
    for (const name of this.set.request) {
      const v = cells[name];
      request[name] = typeof v === 'string' ? requestValue(v) : v ?? null;
    }
    const vector = this.online.lookup(this.set.service, keys, { at, request });
    return { values: vector.map((v) => v.value), incomplete: vector.some((v) => v.status !== 'present') };
  }
}
