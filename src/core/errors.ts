/**
 * An error the user can act on: `message` says what happened, `hint` what to do about it.
 * The faces show these as plain messages; any other Error is a bug and goes to the log with its stack.
 */
export class MlopsError extends Error {
  constructor(message: string, readonly hint?: string, readonly code = 'MLOPS_ERROR') {
    super(message);
    this.name = 'MlopsError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof MlopsError) return err.hint ? `${err.message}\n${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
