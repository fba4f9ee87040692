import * as vscode from 'vscode';
import { describeError, MlopsError } from '../core/errors';

/** Errors the user can act on are shown as such; anything else is a bug, and its stack goes to the log. */
export function reportError(output: vscode.LogOutputChannel, err: unknown): void {
  if (err instanceof MlopsError) {
    void vscode.window.showErrorMessage(describeError(err));
    output.warn(describeError(err));
    return;
  }
  output.error(err instanceof Error ? err : String(err));
  const show = vscode.l10n.t('Show Log');
  void vscode.window.showErrorMessage(vscode.l10n.t('MLOps: {0}', describeError(err)), show).then((c) => {
    if (c === show) output.show();
  });
}

/**
 * Wraps a command so that whatever it throws reaches the user through reportError: VS Code would otherwise show a
 * bare "command failed" with the stack, or nothing at all for a command run from a tree item.
 */
export function guarded<A extends unknown[], R>(output: vscode.LogOutputChannel, run: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R | undefined> => {
    try {
      return await run(...args);
    } catch (err) {
      reportError(output, err);
      return undefined;
    }
  };
}
