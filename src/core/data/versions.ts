import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { readProfiles } from './manifest';
import { ObjectCache } from '../storage';
import { checkDatasetName, readAllPointers, readPointer, type DatasetPointer, type DatasetVersion } from './pointer';
import type { DatasetProfile } from './profile';

/** A dataset as the Datasets view lists it: declared in mlops.yaml, snapshotted, or both. */
export interface DatasetSummary {
  name: string;
  /** Project-relative path of the data. */
  path: string;
  declared: boolean;
  description?: string;
  versions: number;
  latest?: DatasetVersion;
}

export function listDatasets(project: Project): DatasetSummary[] {
  const byName = new Map<string, DatasetSummary>();
  for (const [name, d] of Object.entries(project.config.datasets ?? {})) {
    byName.set(name, { name, path: d.path.split(path.sep).join('/'), declared: true, ...(d.description ? { description: d.description } : {}), versions: 0 });
  }
  for (const p of readAllPointers(project.paths)) {
    const declared = byName.get(p.dataset);
    byName.set(p.dataset, { ...(declared ?? { declared: false }), name: p.dataset, path: p.path, versions: p.versions.length, latest: p.versions.at(-1) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function requirePointer(project: Project, name: string): DatasetPointer {
  const pointer = readPointer(project.paths, checkDatasetName(name));
  if (!pointer || pointer.versions.length === 0) {
    throw new MlopsError(
      l10n.t('The dataset "{0}" has no versions.', name),
      l10n.t('Run `mlops datasets` to list datasets, or `mlops snapshot <path> --name {0}` to make its first version.', name),
      'NO_DATASET',
    );
  }
  return pointer;
}

export function listVersions(project: Project, name: string): DatasetVersion[] {
  return requirePointer(project, name).versions;
}

export interface ResolvedVersion {
  pointer: DatasetPointer;
  version: DatasetVersion;
}

/**
 * Finds `name@N`, `name@latest`, `name@<digest prefix>` (at least 4 hex digits, `sha256:` optional), or `name`
 * (the latest).
 */
export function resolveVersion(project: Project, reference: string): ResolvedVersion {
  const at = reference.lastIndexOf('@');
  const name = at === -1 ? reference : reference.slice(0, at);
  const selector = at === -1 ? 'latest' : reference.slice(at + 1);
  const pointer = requirePointer(project, name);
  const versions = pointer.versions;
  let matches: DatasetVersion[];
  if (selector === 'latest') matches = [versions[versions.length - 1]];
  else if (/^\d+$/.test(selector) && selector.length < 10) matches = versions.filter((v) => v.id === Number(selector));
  else {
    const prefix = selector.replace(/^sha256:/, '').toLowerCase();
    if (!/^[0-9a-f]{4,64}$/.test(prefix)) matches = [];
    else matches = versions.filter((v) => v.digest.slice(7).startsWith(prefix));
  }
  if (matches.length === 1) return { pointer, version: matches[0] };
  if (matches.length > 1) {
    throw new MlopsError(l10n.t('"{0}" matches {1} versions of {2}.', selector, matches.length, name), l10n.t('Give more digits of the digest, or the version number ({0}@N).', name), 'AMBIGUOUS_VERSION');
  }
  throw new MlopsError(
    l10n.t('{0} has no version "{1}".', name, selector),
    l10n.t('Versions are addressed as {0}@N (1 to {1}), {0}@latest, or {0}@ and a digest prefix; `mlops versions {0}` lists them.', name, versions.length),
    'NO_VERSION',
  );
}

/**
 * A version's profile: for a file, its one profile; for a folder, one per tabular file, by path. Undefined when
 * the data is not tabular.
 */
export function versionProfiles(project: Project, version: DatasetVersion): Map<string, DatasetProfile> | undefined {
  return readProfiles(new ObjectCache(project.paths.cache), version);
}
