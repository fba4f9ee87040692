import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { hexOf, type ObjectCache } from '../storage';
import type { DatasetVersion } from './pointer';
import type { DatasetProfile } from './profile';

export interface ManifestEntry {
  /** Relative to the dataset's folder, with forward slashes. */
  path: string;
  sha256: string;
  size: number;
}

/** A folder version: its files, sorted by path. Its SHA-256 is the version's digest. */
export interface FolderManifest {
  schema: 1;
  files: ManifestEntry[];
}

/** The profiles of a folder's tabular files, by path; each is itself an object in the cache. */
export interface FolderProfile {
  schema: 1;
  files: Record<string, string>;
}

/** The one serialization whose hash is a folder's digest: same files, same bytes, on every machine. */
export function manifestText(entries: ManifestEntry[]): string {
  const files = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify({ schema: 1, files } satisfies FolderManifest);
}

export function readJsonObject<T>(cache: ObjectCache, digest: string): T {
  return JSON.parse(cache.readVerified(hexOf(digest)).toString('utf8')) as T;
}

export function readManifest(cache: ObjectCache, version: DatasetVersion): FolderManifest {
  if (version.kind !== 'folder') throw new Error('a file version has no manifest');
  return readJsonObject<FolderManifest>(cache, version.digest);
}

/** A file version's profile, or a folder version's profiles by path; undefined when the data is not tabular. */
export function readProfiles(cache: ObjectCache, version: DatasetVersion): Map<string, DatasetProfile> | undefined {
  if (!version.profile) return undefined;
  if (version.kind === 'file') return new Map([['', readJsonObject<DatasetProfile>(cache, version.profile)]]);
  const folder = readJsonObject<FolderProfile>(cache, version.profile);
  return new Map(Object.entries(folder.files).map(([p, d]) => [p, readJsonObject<DatasetProfile>(cache, d)]));
}

/**
 * Every object a version needs, data first: what push, pull and gc work from. A folder's manifest and profile
 * index must be present locally to list the rest; without them only they are returned.
 */
export function objectsOfVersion(cache: ObjectCache, version: DatasetVersion): string[] {
  const hexes = [hexOf(version.digest)];
  if (version.kind === 'folder' && cache.has(hexes[0])) hexes.push(...readManifest(cache, version).files.map((f) => f.sha256));
  if (version.profile) {
    const profile = hexOf(version.profile);
    hexes.push(profile);
    if (version.kind === 'folder' && cache.has(profile)) hexes.push(...Object.values(readJsonObject<FolderProfile>(cache, version.profile).files).map(hexOf));
  }
  return hexes;
}

export function notTabular(name: string): MlopsError {
  return new MlopsError(
    l10n.t('{0} has no profile: CSV, TSV, JSON lines and Parquet files are profiled, other files are not.', name),
    l10n.t('A Parquet version snapshotted by an older MLOps Workbench has none either: snapshot a new version to get one.'),
    'NOT_TABULAR',
  );
}
