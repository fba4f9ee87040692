// The message contract between the feature preview's host (src/extension/features/featurePreviewPanel.ts) and its
// webview (main.ts). Both sides import this file, so a change to a message shape fails the type check on both.
import type { PanelProtocol } from '../shared/protocol';

export interface PreviewStrings {
  title: string;
  building: string;
  rebuild: string;
  firstRows: string;
  distributions: string;
  count: string;
  histogramOf: string;
  noNumeric: string;
  /** "{0} rows built from {1} with service {2}" */
  summary: string;
}

/** One numeric feature's histogram, its bin labels already formatted for the display language. */
export interface PreviewHistogram {
  column: string;
  labels: string[];
  counts: number[];
}

export type PreviewHostMessage =
  | { type: 'building'; strings: PreviewStrings; view: string }
  | { type: 'failed'; strings: PreviewStrings; view: string; message: string }
  | {
    type: 'preview';
    strings: PreviewStrings;
    view: string;
    service: string;
    entities: string;
    totalRows: number;
    /** The header of the built set, then its first rows as written. */
    columns: string[];
    rows: string[][];
    /** The view's own columns, highlighted in the table. */
    featureColumns: string[];
    histograms: PreviewHistogram[];
    locale: string;
  };

export type PreviewPageMessage = { type: 'rebuild' };

export type FeaturePreviewProtocol = PanelProtocol<PreviewHostMessage, PreviewPageMessage>;
