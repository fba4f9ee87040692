import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMA, cellText, profileInWorkers, readDelimitedFile, type ColumnProfile } from '../../core/data';
import { describeError, MlopsError } from '../../core/errors';
import { buildTrainingSetInWorker, type FeatureListing } from '../../core/features';
import type { Project } from '../../core/workspace';
import type { FeaturePreviewProtocol, PreviewHistogram, PreviewStrings } from '../../../webview/featurePreview/protocol';
import { PanelHost } from '../webviews/panelHost';
import type { ProjectContext } from '../projectContext';

/** Rows the table shows: enough to see what the features look like, few enough to read at a glance. */
const SHOWN_ROWS = 20;
/** The first rows are read from the start of the file only: a wide set's 20 rows fit many times over in 1 MiB. */
const HEAD_BYTES = 1 << 20;

type ListedView = FeatureListing['views'][number];

/**
 * The feature preview: a training set of a service holding the view, built on a worker thread with the view's
 * own source rows as the entity rows (each row gets the features as of its own time), then the set's first rows and
 * a histogram of each numeric feature of the view (profiled on worker threads). The set is a temporary file,
 * removed once read. One panel, reused for the next view.
 */
export class FeaturePreviewPanel implements vscode.Disposable {
  private static current: FeaturePreviewPanel | undefined;
  private readonly host: PanelHost<FeaturePreviewProtocol>;
  private building: AbortController | undefined;
  private view: ListedView | undefined;
  /** Settles with what the page shows once the last preview is built (or failed): the integration tests wait on it. */
  done: Promise<'preview' | 'failed' | 'replaced'> = Promise.resolve('replaced');

  static show(extensionUri: vscode.Uri, project: ProjectContext, view: ListedView, services: FeatureListing['services']): FeaturePreviewPanel {
    const panel = FeaturePreviewPanel.current ?? new FeaturePreviewPanel(extensionUri, project, services);
    FeaturePreviewPanel.current = panel;
    panel.services = services;
    panel.host.reveal();
    panel.preview(view);
    return panel;
  }

  private constructor(extensionUri: vscode.Uri, private readonly project: ProjectContext, private services: FeatureListing['services']) {
    this.host = new PanelHost<FeaturePreviewProtocol>(
      extensionUri, { viewType: 'mlops.featurePreview', page: 'featurePreview', title: vscode.l10n.t('Feature Preview') }, project.output,
      (message) => {
        if (message.type === 'rebuild' && this.view) this.preview(this.view);
      },
    );
    this.host.onDidDispose(() => this.dispose());
  }

  private preview(view: ListedView): void {
    this.building?.abort();
    const building = new AbortController();
    this.building = building;
    this.view = view;
    this.host.title = vscode.l10n.t('Preview: {0}', view.name);
    const strings = previewStrings();
    this.host.show({ type: 'building', strings, view: view.name });
    this.done = (async () => {
      try {
        const shown = await this.build(this.project.requireProject(), view, building.signal);
        if (building.signal.aborted) return 'replaced';
        this.host.show({ type: 'preview', strings, view: view.name, locale: vscode.env.language, ...shown });
        return 'preview';
      } catch (err) {
        if (building.signal.aborted) return 'replaced';
        this.project.output.warn(`Feature preview of ${view.name}: ${describeError(err)}`);
        this.host.show({ type: 'failed', strings, view: view.name, message: describeError(err) });
        return 'failed';
      }
    })();
  }

  private async build(project: Project, view: ListedView, signal: AbortSignal) {
    // the service that holds most of the view's features shows the most of it
    const holding = (s: FeatureListing['services'][number]) => s.features.filter((f) => f.startsWith(`${view.name}:`)).length;
    const service = this.services.filter((s) => holding(s) > 0).sort((a, b) => holding(b) - holding(a))[0];
    if (!service) {
      throw new MlopsError(vscode.l10n.t('No feature service includes the view {0}, so there is no set to preview.', view.name), vscode.l10n.t('List it under `features.services` in mlops.yaml.'), 'NO_FEATURE_SERVICE');
    }
    if (!view.sourceVersion) {
      throw new MlopsError(vscode.l10n.t('The dataset {0} has no version yet.', view.source), vscode.l10n.t('Snapshot it first ("MLOps: Snapshot Dataset").'), 'NO_DATASET');
    }
    const timestamp = project.config.features?.views?.[view.name]?.timestamp;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-preview-'));
    try {
      const output = path.join(folder, `${view.name}.csv`);
      const built = await buildTrainingSetInWorker(project.paths.root, service.name, view.sourceVersion, { output, signal, ...(timestamp ? { timestamp } : {}) });
      const featureColumns = built.columns.filter((c) => c.view === view.name).map((c) => c.name);
      const profile = await profileInWorkers(output, 'csv', { signal });
      const { columns, rows } = firstRows(output);
      // by what the set holds: a feature passing a request input on has no declared type, yet its values are numbers
      const ofView = new Set(featureColumns);
      const histograms = profile.columns.filter((c) => ofView.has(c.name) && (c.type === 'integer' || c.type === 'float')).flatMap((c) => histogramOf(c));
      return { service: service.name, entities: view.sourceVersion, totalRows: built.rows, columns, rows, featureColumns, histograms };
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  dispose(): void {
    if (FeaturePreviewPanel.current === this) FeaturePreviewPanel.current = undefined;
    this.building?.abort();
    this.host.dispose();
  }
}

/** The header and the first rows as written in the file. */
function firstRows(file: string): { columns: string[]; rows: string[][] } {
  const records: string[][] = [];
  let record: string[] = [];
  readDelimitedFile(file, COMMA, {
    cell: (buffer, start, end, escaped) => {
      if (records.length <= SHOWN_ROWS) record.push(cellText(buffer, start, end, escaped));
    },
    endRecord: () => {
      if (records.length <= SHOWN_ROWS) records.push(record);
      record = [];
    },
  }, undefined, { start: 0, end: Math.min(fs.statSync(file).size, HEAD_BYTES) });
  const [columns = [], ...rows] = records;
  return { columns, rows };
}

function histogramOf(column: ColumnProfile): PreviewHistogram[] {
  const h = column.histogram;
  if (h?.kind !== 'bins') return [];
  const label = (n: number) => Number(n.toPrecision(3)).toLocaleString(vscode.env.language);
  return [{ column: column.name, labels: h.edges.slice(0, -1).map(label), counts: h.counts }];
}

function previewStrings(): PreviewStrings {
  return {
    title: vscode.l10n.t('Preview of {0}'),
    building: vscode.l10n.t('Building a training set of these features…'),
    rebuild: vscode.l10n.t('Build Again'),
    firstRows: vscode.l10n.t('First rows'),
    distributions: vscode.l10n.t('Distributions'),
    count: vscode.l10n.t('count'),
    histogramOf: vscode.l10n.t('Histogram of {0}'),
    noNumeric: vscode.l10n.t('The view has no numeric feature to draw.'),
    summary: vscode.l10n.t('{0} rows built from {1} with the service {2}.'),
  };
}
