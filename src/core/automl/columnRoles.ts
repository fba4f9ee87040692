import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { LoadedTable } from '../models';
import type { ColumnDecision, FeatureSetRecord } from '../tracking';
import type { DatasetDeclaration, TrainingConfig } from '../workspace';

/** A column mlops.yaml keeps out of the features, before the file is read. */
export interface ConfiguredExclusion {
  column: string;
  reason: 'ignored' | 'not listed' | 'entity rows';
}

/**
 * The columns training.ignore and training.features leave out. Those lists name the columns the feature store will
 * use too, so a name the file does not have is a mistake to report, not to skip. The target is never left out.
 */
export function configuredExclusions(header: readonly string[], target: string, training: Pick<TrainingConfig, 'features' | 'ignore'>): ConfiguredExclusion[] {
  const unknown = [...(training.features ?? []), ...(training.ignore ?? [])].filter((c) => !header.includes(c));
  if (unknown.length) {
    throw new MlopsError(
      l10n.t('mlops.yaml names columns the data does not have: {0}.', [...new Set(unknown)].join(', ')),
      l10n.t('Fix training.features or training.ignore; the columns are: {0}.', header.join(', ')),
      'BAD_COLUMNS',
    );
  }
  const listed = training.features ? new Set(training.features) : undefined;
  const ignored = new Set(training.ignore ?? []);
  const out: ConfiguredExclusion[] = [];
  for (const column of header) {
    if (column === target) continue;
    if (ignored.has(column)) out.push({ column, reason: 'ignored' });
    else if (listed && !listed.has(column)) out.push({ column, reason: 'not listed' });
  }
  return out;
}

/** A training set of a feature service: every column but its features and the target is the entity rows' own. */
export function entityColumns(header: readonly string[], target: string, featureSet: Pick<FeatureSetRecord, 'columns'>): ConfiguredExclusion[] {
  const features = new Set(featureSet.columns);
  return header.filter((c) => c !== target && !features.has(c)).map((column) => ({ column, reason: 'entity rows' }));
}

/**
 * What became of every column of the file, in file order: the target, a feature and how it is encoded, or left
 * out and why. Recorded on the run so that nobody has to guess what the model saw.
 */
export function columnDecisions(loaded: LoadedTable, target: string, configured: readonly ConfiguredExclusion[], declaration: DatasetDeclaration | undefined): ColumnDecision[] {
  return loaded.header.map((column): ColumnDecision => {
    const role = column === declaration?.timestamp ? 'timestamp' : column === declaration?.entity ? 'entity' : undefined;
    const decision = decide(column);
    return role ? { ...decision, role } : decision;
  });

  function decide(column: string): ColumnDecision {
    if (column === target) return { column, use: 'target' };
    const exclusion = configured.find((c) => c.column === column);
    if (exclusion) return { column, use: 'excluded', reason: exclusion.reason };
    if (loaded.dropped.includes(column)) return { column, use: 'excluded', reason: column === declaration?.timestamp ? 'not a date' : 'identifier' };
    const dated = loaded.dated.find((d) => d.column === column);
    if (dated) return { column, use: 'feature', encoding: 'date parts', parts: dated.parts };
    const data = loaded.dataset.columns.find((c) => c.name === column);
    if (data?.kind === 'categorical') return { column, use: 'feature', encoding: 'categories', categories: data.vocabulary.length };
    return { column, use: 'feature', encoding: 'number' };
  }
}

/**
 * The table without a declared timestamp that is text but not ISO dates: as categories its values would only name
 * the days of the training data. It joins the dropped columns, so a refit leaves it out the same way.
 */
export function withoutRawTimestamp(loaded: LoadedTable, declaration: DatasetDeclaration | undefined): LoadedTable {
  const timestamp = declaration?.timestamp;
  if (!timestamp || !loaded.dataset.columns.some((c) => c.name === timestamp && c.kind === 'categorical')) return loaded;
  return {
    ...loaded,
    dataset: { nRows: loaded.dataset.nRows, columns: loaded.dataset.columns.filter((c) => c.name !== timestamp) },
    dropped: loaded.header.filter((c) => c === timestamp || loaded.dropped.includes(c)),
  };
}
