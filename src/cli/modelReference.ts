import { MlopsError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { ModelRef } from '../core/models';
import { formatReference, parseModelReference } from '../core/registry';
import { UsageError } from './args';

/**
 * A model version as typed on the command line (`name/3`, `name@champion`), checked for its form before any work
 * starts: `weather` without a version is a usage mistake (exit 2), while a version that does not exist is found by
 * the work itself (exit 1).
 */
export function versionReference(raw: string): string {
  try {
    return formatReference(parseModelReference(raw));
  } catch (err) {
    if (err instanceof MlopsError && err.code === 'BAD_REFERENCE') throw new UsageError(err.message, err.hint);
    throw err;
  }
}

/** The model `--run` or `--model` names, for resolveModel(): exactly one of the two. */
export function modelChoice(options: { readonly run?: string; readonly model?: string }): ModelRef {
  if (options.run !== undefined && options.model !== undefined) throw new UsageError(l10n.t('Give --run or --model, not both.'));
  if (options.model !== undefined) return { model: versionReference(options.model) };
  if (options.run === undefined) throw new UsageError(l10n.t('Give the model: --run RUN_ID or --model NAME@ALIAS.'));
  return { run: options.run };
}
