import type { ServiceUsage } from '../features';
import type { MetadataStore } from '../store';
import { FEATURE_SERVICE_TAG, featureSetOf, getRun, runsTagged } from '../tracking';
import type { ProjectPaths } from '../workspace';
import { listModels } from './queries';

/**
 * Per feature service, the AutoML runs trained on it (latest first) and the registered model versions whose lineage
 * names it, with the service version each used: one pass over the tagged runs and the registry's version files.
 */
export function featureUsage(store: MetadataStore, paths: ProjectPaths): Record<string, ServiceUsage> {
  const usage: Record<string, ServiceUsage> = {};
  const of = (service: string) => (usage[service] ??= { runs: [], models: [] });
  for (const run of runsTagged(store, FEATURE_SERVICE_TAG)) {
    const featureSet = featureSetOf(getRun(store, run.id));
    of(run.value).runs.push({ id: run.id, experiment: run.experiment, status: run.status, start: new Date(run.start).toISOString(), serviceVersion: featureSet?.version ?? '' });
  }
  for (const model of listModels(paths)) {
    for (const v of model.versions) {
      const featureSet = v.lineage.featureSet;
      if (featureSet) of(featureSet.service).models.push({ model: model.name, version: v.version, serviceVersion: featureSet.version, aliases: v.aliases, archived: v.archived });
    }
  }
  return usage;
}
