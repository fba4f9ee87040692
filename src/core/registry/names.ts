import { MlopsError } from '../errors';
import { l10n } from '../l10n';

// Names become folder and file names under .mlops/models, shared through git between Windows, macOS and Linux:
// no separators, no dot-dot, nothing a file system treats specially.
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// Lower case only: "Champion" and "champion" would be one file on macOS and Windows and two on Linux.
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
/** `latest` is computed (the newest version not archived) and `v3` reads as a version: neither can be set. */
const RESERVED_ALIAS = /^(latest|v\d+)$/;

export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw new MlopsError(
      l10n.t('"{0}" is not a valid model name.', name),
      l10n.t('Use up to 100 letters, digits, dots, dashes and underscores, starting with a letter or digit.'),
      'BAD_NAME',
    );
  }
  return name;
}

export function checkAliasName(alias: string): string {
  if (!ALIAS_NAME.test(alias) || RESERVED_ALIAS.test(alias)) {
    throw new MlopsError(
      l10n.t('"{0}" is not a valid alias.', alias),
      l10n.t('Use lower-case letters, digits, dashes and underscores, starting with a letter (champion, challenger, staging...); "latest" and v<number> are reserved.'),
      'BAD_ALIAS',
    );
  }
  return alias;
}

/** A version as people type it: `name/3`, `name@champion`, or `name@latest` (the newest version not archived). */
export type ModelReference = { model: string; version: number } | { model: string; alias: string };

export function parseModelReference(reference: string): ModelReference {
  const slash = reference.lastIndexOf('/');
  const at = reference.lastIndexOf('@');
  if (slash > 0 && at === -1) {
    const version = reference.slice(slash + 1);
    if (/^[1-9]\d{0,8}$/.test(version)) return { model: checkModelName(reference.slice(0, slash)), version: Number(version) };
  } else if (at > 0 && slash === -1) {
    const alias = reference.slice(at + 1);
    return { model: checkModelName(reference.slice(0, at)), alias: alias === 'latest' ? alias : checkAliasName(alias) };
  }
  throw new MlopsError(
    l10n.t('"{0}" does not name a model version.', reference),
    l10n.t('Write <model>/<version> (churn/3) or <model>@<alias> (churn@champion, churn@latest).'),
    'BAD_REFERENCE',
  );
}

export function formatReference(reference: ModelReference): string {
  return 'version' in reference ? `${reference.model}/${reference.version}` : `${reference.model}@${reference.alias}`;
}
