import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileDurably } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { acquireLock } from '../storage';
import type { ProjectPaths } from '../workspace';
import { checkAliasName, checkModelName } from './names';
import type { HistoryEvent, VersionRecord } from './records';

/*
 * The registry is text under .mlops/models, committed with the code, and read back as the only source of truth:
 *
 *   .gitattributes                   history.jsonl merge=union
 *   <model>/<N>/version.json         the version, written once (last, atomically: the folder is renamed into place)
 *   <model>/<N>/MODEL_CARD.md        generated once, then the team's to edit
 *   <model>/<N>/archived.json        present when the version is archived
 *   <model>/aliases/<alias>.json     {"version": N}: one file per alias
 *   <model>/history.jsonl            the audit log, one event per line
 *
 * Why these shapes merge like code is in docs/registry.md.
 */

const VERSION_FOLDER = /^[1-9]\d{0,8}$/;
const GITATTRIBUTES = '# MLOps Workbench: audit logs gain lines on both sides of a merge; keep them all.\n*/history.jsonl merge=union\n';

export const modelDir = (paths: ProjectPaths, model: string) => path.join(paths.models, checkModelName(model));
export const versionDir = (paths: ProjectPaths, model: string, version: number) => path.join(modelDir(paths, model), String(version));
export const versionFile = (paths: ProjectPaths, model: string, version: number) => path.join(versionDir(paths, model, version), 'version.json');
export const cardFile = (paths: ProjectPaths, model: string, version: number) => path.join(versionDir(paths, model, version), 'MODEL_CARD.md');
export const archivedFile = (paths: ProjectPaths, model: string, version: number) => path.join(versionDir(paths, model, version), 'archived.json');
const aliasDir = (paths: ProjectPaths, model: string) => path.join(modelDir(paths, model), 'aliases');
export const aliasFile = (paths: ProjectPaths, model: string, alias: string) => path.join(aliasDir(paths, model), `${checkAliasName(alias)}.json`);
export const historyFile = (paths: ProjectPaths, model: string) => path.join(modelDir(paths, model), 'history.jsonl');

/** Every model with at least one version, sorted by name. */
export function modelNames(paths: ProjectPaths): string[] {
  if (!fs.existsSync(paths.models)) return [];
  return fs
    .readdirSync(paths.models, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .filter((name) => versionNumbers(paths, name).length > 0)
    .sort((a, b) => a.localeCompare(b));
}

/** The model's version numbers, ascending. A folder without its version.json is not a version. */
export function versionNumbers(paths: ProjectPaths, model: string): number[] {
  const dir = modelDir(paths, model);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => VERSION_FOLDER.test(f) && fs.existsSync(path.join(dir, f, 'version.json')))
    .map(Number)
    .sort((a, b) => a - b);
}

export function readVersionRecord(paths: ProjectPaths, model: string, version: number): VersionRecord | undefined {
  const file = versionFile(paths, model, version);
  if (!fs.existsSync(file)) return undefined;
  const record = readJson(file) as VersionRecord;
  if (record?.schema !== 1 || record.model !== model || record.version !== version || typeof record.artifact?.digest !== 'string') {
    throw new MlopsError(l10n.t('{0} is not a model version record.', file), l10n.t('Restore it from git (`git checkout -- {0}`).', file), 'BAD_REGISTRY_FILE');
  }
  return record;
}

export function isArchived(paths: ProjectPaths, model: string, version: number): boolean {
  return fs.existsSync(archivedFile(paths, model, version));
}

/** The model's aliases and the version each one holds, sorted by alias. */
export function readAliases(paths: ProjectPaths, model: string): Map<string, number> {
  const dir = aliasDir(paths, model);
  const aliases = new Map<string, number>();
  if (!fs.existsSync(dir)) return aliases;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    const value = readJson(file) as { version?: unknown };
    if (!Number.isInteger(value?.version)) {
      throw new MlopsError(l10n.t('{0} is not an alias file.', file), l10n.t('Restore it from git, or set the alias again with `mlops alias set`.'), 'BAD_REGISTRY_FILE');
    }
    aliases.set(f.slice(0, -'.json'.length), value.version as number);
  }
  return aliases;
}

// Only the version number goes in: the same move made on two branches is then the same file, which merges cleanly.
export function writeAlias(paths: ProjectPaths, model: string, alias: string, version: number): void {
  writeFileDurably(aliasFile(paths, model, alias), JSON.stringify({ version }) + '\n');
}

export function removeAliasFile(paths: ProjectPaths, model: string, alias: string): void {
  fs.rmSync(aliasFile(paths, model, alias), { force: true });
}

// Constant contents for the same reason as aliases: archiving one version on two branches merges cleanly.
export function writeArchived(paths: ProjectPaths, model: string, version: number): void {
  writeFileDurably(archivedFile(paths, model, version), JSON.stringify({ archived: true }) + '\n');
}

/** Appends one event in one write, fsynced; a previous line left without its newline is closed first. */
export function appendHistory(paths: ProjectPaths, event: HistoryEvent): void {
  const file = historyFile(paths, event.model);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  let separator = '';
  if (size > 0) {
    const last = Buffer.alloc(1);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, last, 0, 1, size - 1);
    fs.closeSync(fd);
    if (last[0] !== 0x0a) separator = '\n';
  }
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, separator + JSON.stringify(event) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The audit log sorted by time (a union merge puts the other branch's lines after ours, whatever their time).
 * Lines that are not events (a hand edit gone wrong) are skipped rather than hiding the rest of the history.
 */
export function readHistory(paths: ProjectPaths, model: string): HistoryEvent[] {
  const file = historyFile(paths, model);
  if (!fs.existsSync(file)) return [];
  const events: HistoryEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as HistoryEvent;
      if (typeof event.time === 'string' && typeof event.event === 'string') events.push(event);
    } catch {
      // see above
    }
  }
  return events.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}

/** Writes .mlops/models/.gitattributes once, so that git merges audit logs by keeping both sides' lines. */
export function ensureGitattributes(paths: ProjectPaths): void {
  const file = path.join(paths.models, '.gitattributes');
  if (!fs.existsSync(file)) writeFileDurably(file, GITATTRIBUTES);
}

/**
 * Serializes changes to the registry of one working tree (the editor and a terminal), so two registrations never
 * both take version 4 and an alias is checked and moved in one step.
 */
export async function withRegistryLock<T>(paths: ProjectPaths, work: () => Promise<T> | T): Promise<T> {
  fs.mkdirSync(paths.state, { recursive: true });
  const release = await acquireLock(path.join(paths.state, 'registry.lock'));
  try {
    return await work();
  } finally {
    release();
  }
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    const conflicted = /^<<<<<<< /m.test(text);
    throw new MlopsError(
      conflicted ? l10n.t('{0} has unresolved git merge conflict markers.', file) : l10n.t('{0} is not valid JSON.', file),
      conflicted ? l10n.t('Two branches changed it differently: keep one side, then `git add` the file.') : l10n.t('Restore it from git (`git checkout -- {0}`).', file),
      'BAD_REGISTRY_FILE',
    );
  }
}
