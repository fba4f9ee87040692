import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscodeL10n from '@vscode/l10n';

/**
 * The engine's messages reach people through both the editor and the CLI, so the engine translates them itself
 * with @vscode/l10n (as `l10n.t(...)`, the call `vscode-l10n-dev export` extracts), from the same bundles (l10n/bundle.l10n.<locale>.json) the extension gives VS Code.
 */
export const l10n = { t: vscodeL10n.t };

/** Loads the bundle for `locale` ("fr", "fr-CA", "fr_FR.UTF-8"...) from `bundleDir`; English needs none. */
export function useLocale(locale: string | undefined, bundleDir: string): void {
  const language = (locale ?? '').toLowerCase().split(/[._@]/)[0];
  const candidates = [language, language.split('-')[0]].filter((l) => l && l !== 'en' && l !== 'c' && l !== 'posix');
  for (const candidate of candidates) {
    const file = path.join(bundleDir, `bundle.l10n.${candidate}.json`);
    if (fs.existsSync(file)) {
      useBundle(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>);
      return;
    }
  }
}

/** Used by the extension, which receives the bundle VS Code picked for the editor's display language. */
export function useBundle(contents: Record<string, string> | undefined): void {
  if (contents) vscodeL10n.config({ contents });
}

/** The locale a command line user asked for, in POSIX precedence order. */
export function localeFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MLOPS_LOCALE || env.LC_ALL || env.LC_MESSAGES || env.LANG || undefined;
}
