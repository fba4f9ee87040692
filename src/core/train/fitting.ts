import { cancelled, MlopsError } from '../errors';
import { l10n } from '../l10n';

/** What a long fit reports: `done` of `total` steps (trees, iterations, epochs) of one model. */
export interface FitProgress {
  readonly family: string;
  readonly done: number;
  readonly total: number;
}

export interface FitContext {
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FitProgress) => void;
}

/** Training stopped through its AbortSignal. */
export const trainingCancelled = (): MlopsError => cancelled(l10n.t('Training was cancelled.'));

/** Called between trees and iterations: a cancelled fit stops within one step. */
export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw trainingCancelled();
}

export function invalidParam(family: string, name: string, value: unknown, expected: string): MlopsError {
  return new MlopsError(l10n.t('Parameter {0} of {1} is {2}; it must be {3}.', name, family, JSON.stringify(value), expected), l10n.t('Fix the parameter or leave it out to use the default.'));
}

/** Checks a numeric parameter the user may have written, so a typo fails clearly instead of training nonsense. */
export function numberParam(family: string, name: string, value: unknown, fallback: number, min: number, max = Infinity, integer = false): number {
  if (value === undefined || value === null) return fallback;
  const ok = typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value) || value === Infinity);
  if (!ok) throw invalidParam(family, name, value, integer ? l10n.t('an integer from {0} to {1}', min, max) : l10n.t('a number from {0} to {1}', min, max));
  return value as number;
}
