import { snapshotDataset, type DatasetLineage, type SnapshotResult } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import type { TrainingSet } from './offline';

/** The lineage a training set's dataset version records: the service's version and each view's version and source. */
export function trainingSetLineage(set: Pick<TrainingSet, 'service' | 'serviceVersion' | 'views'>): DatasetLineage {
  return { featureService: { name: set.service, version: set.serviceVersion, views: set.views.map((v) => ({ ...v })) } };
}

/**
 * Records a built training set (its output file, inside the project) as a version of `dataset`, with lineage to
 * the service and its views, so a run trained on it has a data version that `mlops reproduce` reads back.
 */
export function snapshotTrainingSet(project: Project, set: Pick<TrainingSet, 'service' | 'serviceVersion' | 'views' | 'output'>, dataset: string, signal?: AbortSignal): Promise<SnapshotResult> {
  if (!set.output) {
    throw new MlopsError(l10n.t('The training set of {0} was not written to a file, so it cannot be snapshotted.', set.service), l10n.t('Give --output FILE (inside the project) with --snapshot.'), 'NO_OUTPUT');
  }
  return snapshotDataset(project, set.output, {
    name: dataset,
    signal,
    lineage: trainingSetLineage(set),
    message: l10n.t('Training set of the feature service {0} (version {1}).', set.service, set.serviceVersion),
  });
}
