import * as fs from 'node:fs';
import { hexOf, ObjectCache, sha256 } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project, ProjectPaths } from '../workspace';
import { EVALUATION_MARKER } from './modelCard';
import { cardFile, isArchived, modelNames, readAliases, readHistory, readVersionRecord, versionNumbers } from './layout';
import { checkModelName, formatReference, parseModelReference } from './names';
import type { HistoryEvent, VersionRecord } from './records';

/** A version as the views and `mlops model show` present it: the record and its current state. */
export interface ModelVersion extends VersionRecord {
  archived: boolean;
  aliases: string[];
  /** Whether MODEL_CARD.md differs from what was generated (someone wrote in it); null when the file is missing. */
  cardEdited: boolean | null;
}

export interface ModelSummary {
  name: string;
  versions: ModelVersion[];
  aliases: Record<string, number>;
  /**
   * States no single command can make but a merge of two branches can, such as an alias on a version the other
   * branch archived. Shown to people rather than silently resolved.
   */
  problems: string[];
}

export function getModel(paths: ProjectPaths, name: string): ModelSummary {
  checkModelName(name);
  const aliases = readAliases(paths, name);
  const numbers = versionNumbers(paths, name);
  if (numbers.length === 0) throw noModel(paths, name);
  const versions = numbers.map((n) => {
    const record = readVersionRecord(paths, name, n)!;
    return {
      ...record,
      archived: isArchived(paths, name, n),
      aliases: [...aliases].filter(([, v]) => v === n).map(([a]) => a),
      cardEdited: cardState(paths, record),
    };
  });
  const problems: string[] = [];
  for (const [alias, v] of aliases) {
    const target = versions.find((x) => x.version === v);
    if (!target) problems.push(l10n.t('The alias {0} points at version {1}, which does not exist (a merge kept the alias but not the version).', alias, v));
    else if (target.archived) problems.push(l10n.t('The alias {0} points at version {1}, which is archived (one branch archived it while another set the alias).', alias, v));
  }
  return { name, versions, aliases: Object.fromEntries(aliases), problems };
}

export function listModels(paths: ProjectPaths): ModelSummary[] {
  return modelNames(paths).map((name) => getModel(paths, name));
}

/**
 * The version `reference` names (`name/3`, `name@champion`, `name@latest`). An alias is read from its file at every
 * call, so a model server or `mlops predict` follows an alias the moment it moves.
 */
export function resolveModelVersion(paths: ProjectPaths, reference: string): ModelVersion {
  const ref = parseModelReference(reference);
  const model = getModel(paths, ref.model);
  let version: ModelVersion | undefined;
  if ('version' in ref) {
    return findVersion(model, ref.version);
  }
  if (ref.alias === 'latest') {
    version = model.versions.filter((v) => !v.archived).at(-1);
    if (!version) throw new MlopsError(l10n.t('Every version of {0} is archived.', ref.model), l10n.t('Name an archived version explicitly ({0}/N), or register a new one.', ref.model), 'NO_MODEL_VERSION');
    return version;
  }
  const target = model.aliases[ref.alias];
  if (target === undefined) {
    const known = Object.keys(model.aliases);
    throw new MlopsError(
      l10n.t('{0} has no alias "{1}".', ref.model, ref.alias),
      known.length
        ? l10n.t('Its aliases are {0}; set one with `mlops alias set {1} {2} <version>`.', known.join(', '), ref.model, ref.alias)
        : l10n.t('It has no aliases yet; set one with `mlops alias set {0} {1} <version>`.', ref.model, ref.alias),
      'NO_ALIAS',
    );
  }
  version = model.versions.find((v) => v.version === target);
  if (!version || version.archived) {
    throw new MlopsError(
      l10n.t('{0} points at version {1}, which is {2}.', formatReference(ref), target, version ? l10n.t('archived') : l10n.t('missing')),
      l10n.t('A merge probably combined two changes: move the alias with `mlops alias set {0} {1} <version>` or remove it with `mlops alias rm {0} {1}`.', ref.model, ref.alias),
      'BROKEN_ALIAS',
    );
  }
  return version;
}

export function findVersion(model: ModelSummary, version: number): ModelVersion {
  const found = model.versions.find((v) => v.version === version);
  if (!found) {
    throw new MlopsError(
      l10n.t('{0} has no version {1}.', model.name, version),
      l10n.t('Its versions are {0}; `mlops model show {1}@latest` shows the newest.', model.versions.map((v) => v.version).join(', '), model.name),
      'NO_MODEL_VERSION',
    );
  }
  return found;
}

/** The metric a version is judged by: the one the search optimized, else the first it logged. */
export function keyMetric(version: VersionRecord): { key: string; value: number | null } | undefined {
  const key = version.keyMetric ?? Object.keys(version.metrics)[0];
  return key === undefined ? undefined : { key, value: version.metrics[key] };
}

/** The artifact's bytes from the project's cache, checked against the digest the version recorded. */
export function readModelArtifact(project: Project, version: VersionRecord): Buffer {
  return new ObjectCache(project.paths.cache).readVerified(hexOf(version.artifact.digest));
}

export function modelHistory(paths: ProjectPaths, name: string): HistoryEvent[] {
  if (versionNumbers(paths, checkModelName(name)).length === 0) throw noModel(paths, name);
  return readHistory(paths, name);
}

function cardState(paths: ProjectPaths, record: VersionRecord): boolean | null {
  const file = cardFile(paths, record.model, record.version);
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const marker = text.indexOf(EVALUATION_MARKER);
  // The evaluations the gate appended are not an edit; the blank line before the marker is the gate's too.
  const written = marker === -1 ? text : text.slice(0, marker).replace(/\n\n$/, '\n');
  return sha256(written) !== record.cardSha256;
}

function noModel(paths: ProjectPaths, name: string): MlopsError {
  const known = modelNames(paths);
  return new MlopsError(
    l10n.t('There is no model "{0}" in the registry.', name),
    known.length ? l10n.t('Registered models: {0}.', known.join(', ')) : l10n.t('Register one from a run with `mlops register <run-id> --model {0}`.', name),
    'NO_MODEL',
  );
}
