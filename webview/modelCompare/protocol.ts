// The message contract of the Compare Model Versions panel, imported by the extension host (src/extension/models)
// and the page (webview/modelCompare/main.ts): a change one side does not follow fails to compile. Types only.
import type { PanelProtocol } from '../shared/protocol';
import type { VersionDiff } from '../../src/core/data/diff';
import type { CompareRow, DiffStrings } from '../shared/diffTables';

export type { CompareRow };

/** Words the page shows, translated by the extension and sent with the data. */
export interface CompareStrings extends DiffStrings {
  title: string;
  version: string;
  registered: string;
  family: string;
  run: string;
  commit: string;
  data: string;
  metrics: string;
  params: string;
  trainingConfig: string;
  inputs: string;
  dataDiff: string;
  identicalData: string;
  archived: string;
}

export interface CompareSide {
  version: number;
  aliases: string[];
  archived: boolean;
  created: string;
  family: string;
  run: string;
  commit: string | null;
  data: string | null;
}

export interface CompareData {
  model: string;
  sides: [CompareSide, CompareSide];
  metrics: CompareRow[];
  params: CompareRow[];
  config: CompareRow[];
  inputs: CompareRow[];
  /** How the training data changed from the first version's to the second's, or why that is not shown. */
  dataDiff: { diff: VersionDiff } | { note: string };
}

export type HostMessage = { type: 'show'; data: CompareData; strings: CompareStrings };
export type WebviewMessage = { type: 'ready' };

export type ModelCompareProtocol = PanelProtocol<HostMessage, WebviewMessage>;
