import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { ProjectPaths } from '../workspace';
import { writeFileDurably } from '../storage';

/** One snapshot of a dataset, as recorded in its pointer file. */
export interface DatasetVersion {
  /** 1, 2, 3... in order of creation; `name@N` addresses it. */
  id: number;
  /** ISO 8601, UTC. */
  created: string;
  message?: string;
  /** `sha256:` of the file, or of the folder's manifest (the sorted list of its files and their hashes). */
  digest: string;
  kind: 'file' | 'folder';
  /** Bytes of data (all files, for a folder). */
  size: number;
  files: number;
  /** Rows and columns of tabular data (summed over a folder's tabular files), when it was profiled. */
  rows?: number;
  columns?: number;
  /** `sha256:` of the profile in the cache: one profile for a file, a map of path to profile for a folder. */
  profile?: string;
  /** The commit HEAD pointed at when the snapshot was taken: the code that goes with this data. */
  commit?: string;
  /** For data MLOps Workbench derived itself (a training set): what it was made from. */
  lineage?: DatasetLineage;
}

/** A training set built from a feature service: the service's version and each view's version and source. */
export interface DatasetLineage {
  featureService: { name: string; version: string; views: { name: string; version: string; source: string }[] };
}

/** The text file .mlops/datasets/<name>.json, committed with git: what a fresh clone needs to find the data. */
export interface DatasetPointer {
  schema: 1;
  dataset: string;
  /** The data's path relative to the project root, with forward slashes. */
  path: string;
  versions: DatasetVersion[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkDatasetName(name: string): string {
  if (!NAME.test(name)) {
    throw new MlopsError(
      l10n.t('"{0}" is not a valid dataset name.', name),
      l10n.t('Use letters, digits, dot, dash and underscore, starting with a letter or digit (--name NAME).'),
      'BAD_NAME',
    );
  }
  return name;
}

export function pointerPath(paths: ProjectPaths, name: string): string {
  return path.join(paths.datasets, `${checkDatasetName(name)}.json`);
}

/**
 * The absolute path of data named relative to the project root. A pointer is shared through git, so one that
 * names a path outside the project (`../../etc`, `/home/...`) could make a restore write anywhere: refused.
 */
export function resolveInsideProject(root: string, relative: string, what: string): string {
  const absolute = path.resolve(root, relative);
  const rel = path.relative(root, absolute);
  if (path.isAbsolute(relative) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new MlopsError(
      l10n.t('{0} names the path "{1}", which is not inside the project {2}.', what, relative, root),
      l10n.t('Dataset paths are relative to the folder of mlops.yaml and stay inside it; fix the path.'),
      'OUTSIDE_PROJECT',
    );
  }
  return absolute;
}

export function toProjectRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

export function readPointer(paths: ProjectPaths, name: string): DatasetPointer | undefined {
  const file = pointerPath(paths, name);
  if (!fs.existsSync(file)) return undefined;
  return parsePointer(file, fs.readFileSync(file, 'utf8'), paths.root);
}

function parsePointer(file: string, text: string, root: string): DatasetPointer {
  let value: DatasetPointer;
  try {
    value = JSON.parse(text) as DatasetPointer;
  } catch {
    throw new MlopsError(l10n.t('{0} is not valid JSON.', file), l10n.t('Restore it from git (`git checkout -- {0}`).', file), 'BAD_POINTER');
  }
  if (value?.schema !== 1 || typeof value.dataset !== 'string' || typeof value.path !== 'string' || !Array.isArray(value.versions)) {
    throw new MlopsError(l10n.t('{0} is not a dataset pointer file.', file), l10n.t('Restore it from git (`git checkout -- {0}`).', file), 'BAD_POINTER');
  }
  resolveInsideProject(root, value.path, file);
  return value;
}

export function writePointer(paths: ProjectPaths, pointer: DatasetPointer): string {
  const file = pointerPath(paths, pointer.dataset);
  writeFileDurably(file, JSON.stringify(pointer, null, 2) + '\n');
  return file;
}

/** Every pointer file of the project, by dataset name. */
export function readAllPointers(paths: ProjectPaths): DatasetPointer[] {
  if (!fs.existsSync(paths.datasets)) return [];
  return fs
    .readdirSync(paths.datasets)
    .filter((f) => f.endsWith('.json') && NAME.test(f.slice(0, -5)))
    .sort()
    .map((f) => readPointer(paths, f.slice(0, -5)))
    .filter((p): p is DatasetPointer => p !== undefined);
}
