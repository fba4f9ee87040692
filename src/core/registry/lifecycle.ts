import { randomBytes } from 'node:crypto';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { ProjectPaths } from '../workspace';
import { changeAuthor } from './identity';
import { appendHistory, ensureGitattributes, readAliases, removeAliasFile, withRegistryLock, writeAlias, writeArchived } from './layout';
import { checkAliasName } from './names';
import { findVersion, getModel, type ModelSummary } from './queries';
import type { AliasCause, HistoryEvent } from './records';

export interface ChangeOptions {
  /** Why, for the audit log. */
  reason?: string;
  /** For an alias move made by the retraining loop: a promotion, an approval or a rollback. */
  cause?: AliasCause;
}

export interface AliasChange {
  model: string;
  alias: string;
  version: number | null;
  previous: number | null;
  /** False when the alias already held that version (nothing was written). */
  changed: boolean;
}

export async function newEvent(paths: ProjectPaths, fields: Omit<HistoryEvent, 'time' | 'by' | 'id' | 'reason'>, options: ChangeOptions): Promise<HistoryEvent> {
  return {
    time: new Date().toISOString(),
    ...fields,
    by: await changeAuthor(paths.root),
    reason: options.reason?.trim() || null,
    id: randomBytes(6).toString('hex'),
  };
}

/** Points `alias` at `version`, moving it if another version held it. An archived version holds no alias. */
export async function setAlias(paths: ProjectPaths, model: string, alias: string, version: number, options: ChangeOptions = {}): Promise<AliasChange> {
  checkAliasName(alias);
  return withRegistryLock(paths, () => moveAliasLocked(paths, model, alias, version, options));
}

/** setAlias for a caller that already holds the registry lock (registering with --alias). */
export async function moveAliasLocked(paths: ProjectPaths, model: string, alias: string, version: number, options: ChangeOptions): Promise<AliasChange> {
  const summary = getModel(paths, model);
  if (findVersion(summary, version).archived) {
    throw new MlopsError(l10n.t('{0}/{1} is archived and cannot hold an alias.', model, version), l10n.t('Choose a version that is not archived.'), 'ARCHIVED');
  }
  const previous = summary.aliases[alias] ?? null;
  if (previous === version) return { model, alias, version, previous, changed: false };
  ensureGitattributes(paths);
  writeAlias(paths, model, alias, version);
  appendHistory(paths, await newEvent(paths, { event: 'alias-set', model, version, alias, ...(previous !== null ? { previous } : {}), ...(options.cause ? { cause: options.cause } : {}) }, options));
  return { model, alias, version, previous, changed: true };
}

/**
 * Appends an event that moves nothing (a retrain, a gate, an approval, a rejection) to the model's audit log,
 * after checking that the version exists; `check` runs under the registry lock, before the line is written.
 */
export async function recordEvent(
  paths: ProjectPaths,
  fields: Omit<HistoryEvent, 'time' | 'by' | 'id' | 'reason'>,
  options: ChangeOptions = {},
  check?: (summary: ModelSummary) => void,
): Promise<HistoryEvent> {
  return withRegistryLock(paths, async () => {
    const summary = getModel(paths, fields.model);
    findVersion(summary, fields.version);
    check?.(summary);
    ensureGitattributes(paths);
    const event = await newEvent(paths, fields, options);
    appendHistory(paths, event);
    return event;
  });
}

export async function removeAlias(paths: ProjectPaths, model: string, alias: string, options: ChangeOptions = {}): Promise<AliasChange> {
  checkAliasName(alias);
  return withRegistryLock(paths, async () => {
    const previous = readAliases(paths, model).get(alias);
    if (previous === undefined) {
      getModel(paths, model); // an unknown model says so before an unknown alias does
      throw new MlopsError(l10n.t('{0} has no alias "{1}".', model, alias), l10n.t('`mlops model show {0}@latest` lists its aliases.', model), 'NO_ALIAS');
    }
    removeAliasFile(paths, model, alias);
    appendHistory(paths, await newEvent(paths, { event: 'alias-remove', model, version: previous, alias }, options));
    return { model, alias, version: null, previous, changed: true };
  });
}

/**
 * Archives a version: it stays readable (and reproducible) but `@latest` skips it and no alias may point at it.
 * A version that holds aliases is refused, so a serving alias never vanishes as a side effect.
 */
export async function archiveVersion(paths: ProjectPaths, model: string, version: number, options: ChangeOptions = {}): Promise<{ model: string; version: number; changed: boolean }> {
  return withRegistryLock(paths, async () => {
    const summary = getModel(paths, model);
    const target = findVersion(summary, version);
    if (target.archived) return { model, version, changed: false };
    if (target.aliases.length) {
      throw new MlopsError(
        target.aliases.length === 1
          ? l10n.t('{0}/{1} holds the alias {2}; archiving it would leave it pointing at an archived version.', model, version, target.aliases[0])
          : l10n.t('{0}/{1} holds the aliases {2}; archiving it would leave them pointing at an archived version.', model, version, target.aliases.join(', ')),
        l10n.t('Move them (`mlops alias set {0} <alias> <version>`) or remove them (`mlops alias rm {0} <alias>`) first.', model),
        'HAS_ALIASES',
      );
    }
    ensureGitattributes(paths);
    writeArchived(paths, model, version);
    appendHistory(paths, await newEvent(paths, { event: 'archive', model, version }, options));
    return { model, version, changed: true };
  });
}
