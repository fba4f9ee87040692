// The message contract between the dataset panel's host (src/extension/datasets/datasetPanels.ts) and its webview
// (main.ts). Both sides import this file, so a change to a message shape fails the type check on both.
import type { PanelProtocol } from '../shared/protocol';
import type { ColumnProfile, TableDiff } from '../../src/core/data';

export interface VersionInfo {
  id: number;
  /** Already formatted for the display language. */
  created: string;
  message?: string;
  rows?: number;
  columns?: number;
  /** The first hex digits of the digest. */
  digest: string;
  commit?: string;
}

/** One table: a file dataset's only table, or one tabular file of a folder dataset. */
export interface TableView {
  /** The file's path inside a folder dataset; '' for a file dataset. */
  path: string;
  /** Row count in each version, in the order of DatasetView.versions; null where the file is absent. */
  rows: (number | null)[];
  columns: ColumnView[];
  /** What changed between the two versions (compare only, and only when the table is in both). */
  diff?: TableDiff;
}

export interface ColumnView {
  name: string;
  /** The column's profile in each version; null where the column is absent. */
  profiles: (ColumnProfile | null)[];
}

/** A profile shows one version; a comparison shows two, older first. */
export interface DatasetView {
  dataset: string;
  path: string;
  versions: VersionInfo[];
  identical?: boolean;
  files?: { added: string[]; removed: string[]; modified: string[] };
  tables: TableView[];
}

/** Every text the webview shows, translated by the host; `{0}` placeholders are filled in by the webview. */
export const STRING_KEYS = [
  'versions', 'version', 'created', 'message', 'rows', 'digest', 'commit', 'identical', 'files', 'added', 'removed', 'modified',
  'schema', 'change', 'noSchemaChange', 'columnAdded', 'columnRemoved', 'typeChanged', 'rowCount', 'statistics', 'column', 'type',
  'values', 'nulls', 'distinct', 'min', 'max', 'mean', 'std', 'median', 'distributions', 'histogramOf', 'otherValues',
  'noHistogram', 'sharedAxis', 'notTabular', 'absent', 'table', 'count',
] as const;
export type StringKey = (typeof STRING_KEYS)[number];
export type Strings = Record<StringKey, string>;

export type HostMessage = { type: 'show'; title: string; view: DatasetView; strings: Strings; locale: string };

/** The webview asks for its content when its script starts, which is also after VS Code reloads a hidden panel. */
export type WebviewMessage = { type: 'ready' };

export type DatasetPanelProtocol = PanelProtocol<HostMessage, WebviewMessage>;
