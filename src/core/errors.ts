import { l10n } from './l10n';

/**
 * Every code an MlopsError carries. Faces and tests branch on codes (CANCELLED is not shown as a failure, NO_DATASET
 * offers a snapshot...), so they are one closed list: a typo is a compile error, not a branch never taken.
 */
export type ErrorCode =
  // project, configuration, usage
  | 'MLOPS_ERROR' | 'NO_PROJECT' | 'INVALID_CONFIG' | 'OUTSIDE_PROJECT' | 'BAD_PATH' | 'BAD_NAME' | 'NAME_TAKEN' | 'USAGE'
  | 'CANCELLED' | 'NO_FILE' | 'BAD_FILE' | 'CANNOT_WRITE'
  // storage and the metadata store
  | 'MISSING_OBJECT' | 'CORRUPT_OBJECT' | 'STORE_NOT_OURS' | 'STORE_TOO_NEW' | 'STORE_LOCKED' | 'STORE_DAMAGED' | 'SQLJS_UNPATCHED'
  // data
  | 'NO_DATASET' | 'NO_VERSION' | 'AMBIGUOUS_VERSION' | 'BAD_POINTER' | 'NOT_TABULAR' | 'MALFORMED_CSV' | 'MALFORMED_JSONL'
  | 'BAD_PARQUET' | 'EMPTY_DATA' | 'LOCAL_CHANGES' | 'NO_REMOTE' | 'BAD_KEY' | 'BAD_COLUMNS'
  // tracking
  | 'NO_RUN' | 'AMBIGUOUS_RUN' | 'RUN_NOT_FINISHED' | 'NO_COMMAND' | 'COMMAND_NOT_STARTED' | 'NOT_MLRUNS'
  // training and models
  | 'NO_TARGET' | 'TOO_FEW_ROWS' | 'BAD_TYPE' | 'BAD_METRIC' | 'BAD_TASK' | 'BAD_FAMILIES' | 'NO_FAMILY' | 'BAD_BUDGET'
  | 'BAD_TRAINING_CONFIG' | 'NO_MODEL_ARTIFACT' | 'NO_RUN_MODEL' | 'NO_INPUT' | 'NOT_FOUND' | 'NOT_EXPORTABLE'
  // registry
  | 'NO_MODEL' | 'NO_MODEL_VERSION' | 'NO_ALIAS' | 'BAD_ALIAS' | 'BROKEN_ALIAS' | 'BAD_REFERENCE' | 'BAD_REGISTRY_FILE'
  | 'ALREADY_REGISTERED' | 'ARCHIVED' | 'HAS_ALIASES' | 'NOT_REPRODUCIBLE'
  // monitoring
  | 'NO_COLUMNS' | 'EMPTY_CURRENT' | 'EMPTY_REFERENCE' | 'BAD_DRIFT_SHARE' | 'MISSING_COLUMN' | 'BAD_STATTEST' | 'EMPTY_COLUMN' | 'BAD_WINDOW' | 'NO_LINEAGE'
  // features
  | 'BAD_CELL' | 'BAD_ONLINE_STORE' | 'BAD_TIME' | 'DUPLICATE_COLUMN' | 'INVALID_FEATURES' | 'MISSING_KEY' | 'NOT_MATERIALIZED' | 'NO_FEATURE_SERVICE' | 'NO_FEATURE_VIEW' | 'STALE_ONLINE_STORE' | 'UNSUPPORTED_OUTPUT'
  // serving
  | 'ALREADY_SERVING' | 'BAD_FEEDBACK' | 'BAD_REQUEST' | 'NOTHING_TO_SERVE' | 'NO_TOKEN' | 'SERVER_UNREACHABLE' | 'STOP_TIMEOUT'
  // retraining, gates, promotion
  | 'BAD_GATE' | 'NO_HOLDOUT' | 'INCOMPATIBLE_MODELS' | 'NO_CHAMPION' | 'NOT_RETRAINABLE' | 'NO_NEW_DATA' | 'BAD_POLICY'
  | 'BAD_SCHEDULE' | 'GATE_FAILED' | 'NO_ROLLBACK';

/**
 * An error the user can act on: `message` says what happened, `hint` what to do about it.
 * The faces show these as plain messages; any other Error is a bug and goes to the log with its stack.
 */
export class MlopsError extends Error {
  constructor(message: string, readonly hint?: string, readonly code: ErrorCode = 'MLOPS_ERROR') {
    super(message);
    this.name = 'MlopsError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof MlopsError) return err.hint ? `${err.message}\n${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The one error for work stopped through its AbortSignal; `message` names the work when that helps the reader. */
export function cancelled(message: string = l10n.t('Cancelled.')): MlopsError {
  return new MlopsError(message, undefined, 'CANCELLED');
}

export function isCancelled(err: unknown): boolean {
  return err instanceof MlopsError && err.code === 'CANCELLED';
}
