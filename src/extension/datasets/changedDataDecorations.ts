import * as path from 'node:path';
import * as vscode from 'vscode';
import { changedSinceSnapshot, listDatasets } from '../../core/data';
import { describeError } from '../../core/errors';
import type { ProjectContext } from '../projectContext';

/** Long enough to fold a save, a formatter's write and a burst of copies into one look at the files. */
const DEBOUNCE_MS = 400;

/**
 * Marks, in the Explorer, data files whose contents differ from their dataset's latest snapshot. The engine answers
 * from file stats alone, and only after changes settle, so typing and saving never wait on it.
 */
export class ChangedDataDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private decorations = new Map<string, { uri: vscode.Uri; decoration: vscode.FileDecoration }>();
  /** Absolute paths of the versioned data, so that file events elsewhere cost nothing. */
  private dataPaths: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly project: ProjectContext) {
    this.subscription = project.onDidChange(() => this.refresh());
    this.refresh();
  }

  /** Whether a changed file could change a decoration: it is versioned data, or lies inside a versioned folder. */
  covers(file: string): boolean {
    return this.dataPaths.some((p) => file === p || file.startsWith(p + path.sep));
  }

  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, DEBOUNCE_MS);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== DATASET_ROW_SCHEME) return this.decorations.get(uri.toString())?.decoration;
    // A dataset's row is marked when its file, or anything in its folder, changed.
    const data = uri.path;
    const changed = [...this.decorations.values()].find((d) => d.uri.path === data || d.uri.path.startsWith(data + '/'));
    return changed && { badge: changed.decoration.badge, tooltip: changed.decoration.tooltip };
  }

  private update(): void {
    const project = this.project.project;
    const next = new Map<string, { uri: vscode.Uri; decoration: vscode.FileDecoration }>();
    try {
      if (project) {
        const datasets = listDatasets(project).filter((d) => d.latest);
        this.dataPaths = datasets.map((d) => path.resolve(project.paths.root, d.path));
        const latest = new Map(datasets.map((d) => [d.name, d.latest!.id]));
        for (const change of changedSinceSnapshot(project)) {
          // A removed file has no entry in the Explorer to decorate.
          if (change.status === 'removed') continue;
          const uri = vscode.Uri.file(path.resolve(project.paths.root, change.path));
          const reference = `${change.dataset}@${latest.get(change.dataset)}`;
          const tooltip = change.status === 'modified'
            ? vscode.l10n.t('Changed since the last snapshot ({0})', reference)
            : vscode.l10n.t('New since the last snapshot ({0})', reference);
          // Inside a folder dataset, the mark climbs to the folders so a collapsed tree still shows it.
          next.set(uri.toString(), { uri, decoration: { badge: 'Δ', tooltip, propagate: change.path !== datasets.find((d) => d.name === change.dataset)?.path } });
        }
      } else {
        this.dataPaths = [];
      }
    } catch (err) {
      // A pointer being rewritten by git can be unreadable for a moment; the next change looks again.
      this.project.output.warn(describeError(err));
      return;
    }
    const rows = this.dataPaths.map(datasetRowUri);
    const touched = [...this.decorations.values(), ...next.values()].map((d) => d.uri);
    if (touched.length) touched.push(...rows);
    this.decorations = next;
    if (touched.length) this.changed.fire(touched);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * The URI of a dataset's row in the Datasets view: its data's path under a scheme of our own. With the data's own
 * file: URI, git's decoration dimmed the row of every dataset (the data is gitignored, by design) as if disabled.
 */
export const DATASET_ROW_SCHEME = 'mlops-dataset';

export function datasetRowUri(absolute: string): vscode.Uri {
  return vscode.Uri.file(absolute).with({ scheme: DATASET_ROW_SCHEME });
}
