import * as vscode from 'vscode';

/**
 * Watches `glob` under the folder `base` and calls `onChange` once per burst of events: a registration or a
 * materialization writes several files, and the view that follows them should read them once, after the last.
 */
export function watchDebounced(base: string, glob: string, delayMs: number, onChange: () => void): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), glob));
  let timer: NodeJS.Timeout | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, delayMs);
  };
  watcher.onDidCreate(later);
  watcher.onDidChange(later);
  watcher.onDidDelete(later);
  return { dispose: () => {
    clearTimeout(timer);
    watcher.dispose();
  } };
}
