import { listModels } from '../../core/registry';
import type { MetadataStore } from '../../core/store';
import { getRun, listRuns } from '../../core/tracking';
import type { ProjectPaths } from '../../core/workspace';

/** The runs that trained on a feature service, and the registered model versions those runs became. */
export interface ServiceUsage {
  runs: { id: string; label: string }[];
  models: { model: string; version: number }[];
}

/** The tag a training run on a feature service carries: the service's name. */
export const FEATURE_SERVICE_TAG = 'mlops.featureService';

/**
 * Who used each service, from the runs' tags and the registry's lineage (a version names the run it came from).
 * One pass over the runs for all services: the tree and the CodeLenses ask for several at once.
 */
export function serviceUsage(store: MetadataStore, paths: ProjectPaths): Map<string, ServiceUsage> {
  const byService = new Map<string, ServiceUsage>();
  const serviceOfRun = new Map<string, string>();
  for (const summary of listRuns(store)) {
    const service = getRun(store, summary.id).tags[FEATURE_SERVICE_TAG];
    if (!service) continue;
    serviceOfRun.set(summary.id, service);
    usageOf(byService, service).runs.push({ id: summary.id, label: summary.name ?? summary.id.slice(0, 8) });
  }
  for (const model of listModels(paths)) {
    for (const v of model.versions) {
      const service = serviceOfRun.get(v.lineage.run);
      if (service) usageOf(byService, service).models.push({ model: v.model, version: v.version });
    }
  }
  return byService;
}

function usageOf(byService: Map<string, ServiceUsage>, service: string): ServiceUsage {
  let usage = byService.get(service);
  if (!usage) byService.set(service, (usage = { runs: [], models: [] }));
  return usage;
}
