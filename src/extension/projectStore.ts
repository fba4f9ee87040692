import * as vscode from 'vscode';
import type { MetadataStore } from '../core/store';
import { listRuns } from '../core/tracking';
import { openMetadataStore } from '../core/metadata';

/** Bursts of journal appends (a training loop logging every step) become one refresh of the views. */
const DEBOUNCE_MS = 300;
/** While a run is live, the store is also polled: file watchers can miss appends (network drives, some containers). */
const POLL_MS = 1000;

/**
 * The open project's metadata store, owned by ProjectContext: opened once per project root, kept current by a file
 * watcher on .mlops/ (the database, the journals, each run's log) and by the store's own change token while a run is
 * in progress, announcing changes at most every DEBOUNCE_MS, and closed when the project changes or the extension
 * stops. The extension only reads through it: refresh() applies journal tails in memory and never takes the writer's
 * lock; commands that write hand it to the engine, which appends through the journal.
 */
export class ProjectStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired after the store has refreshed with something new, or when it was opened for another root. */
  readonly onDidChange = this.changed.event;
  private opened: { root: string; store: Promise<MetadataStore>; watcher: vscode.FileSystemWatcher } | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private token = '';

  constructor(private readonly output: vscode.LogOutputChannel) {}

  /** The store of the open project, or undefined without one. Rejects when the store cannot be read (see hint). */
  async store(): Promise<MetadataStore | undefined> {
    return this.opened?.store;
  }

  /** Refreshes now rather than after the debounce: for commands that just changed the store themselves. */
  async refreshNow(): Promise<void> {
    clearTimeout(this.debounce);
    this.debounce = undefined;
    await this.check(true);
  }

  /** Opens the store of `root` (closing the previous one), or only closes it when no project is open. */
  follow(root: string | undefined): void {
    if (this.opened?.root === root) return;
    this.closeStore();
    if (root) {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(root), '.mlops/{metadata.db,journal/*.jsonl,runs/*/log.jsonl}'),
      );
      const onFile = () => this.schedule();
      watcher.onDidCreate(onFile);
      watcher.onDidChange(onFile);
      watcher.onDidDelete(onFile);
      const store = openMetadataStore(root);
      // The views show the failure themselves; the log keeps the details.
      store.catch((err: unknown) => this.output.warn(`metadata store of ${root}: ${err instanceof Error ? err.message : String(err)}`));
      this.opened = { root, store, watcher };
      void store.then((s) => this.afterRefresh(s), () => undefined);
    }
    this.changed.fire();
  }

  private schedule(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.check(false);
    }, DEBOUNCE_MS);
  }

  private async check(force: boolean): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    let store: MetadataStore;
    try {
      store = await opened.store;
    } catch {
      return;
    }
    if (opened !== this.opened) return;
    const changed = store.refresh() || force;
    this.afterRefresh(store);
    if (changed) this.changed.fire();
  }

  /** Remembers what was seen, and polls only while some run is still running. */
  private afterRefresh(store: MetadataStore): void {
    this.token = store.changeToken();
    const live = listRuns(store).some((r) => r.status === 'running');
    if (live && !this.poll) {
      this.poll = setInterval(() => {
        if (store.changedSince(this.token)) this.schedule();
      }, POLL_MS);
    } else if (!live && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private closeStore(): void {
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    this.debounce = this.poll = undefined;
    if (!this.opened) return;
    this.opened.watcher.dispose();
    void this.opened.store.then((s) => s.close(), () => undefined);
    this.opened = undefined;
  }

  dispose(): void {
    this.closeStore();
    this.changed.dispose();
  }
}
