// The message contract of the promotion review panel, imported by the extension host (src/extension/retraining)
// and the page (webview/promotionReview/main.ts). Types only.
import type { PanelProtocol } from '../shared/protocol';
import type { VersionDiff } from '../../src/core/data/diff';
import type { GateEvaluation } from '../../src/core/registry';
import type { DiffStrings } from '../shared/diffTables';

/** Words the page shows, translated by the extension and sent with the data. */
export interface ReviewStrings extends DiffStrings {
  champion: string;
  challenger: string;
  version: string;
  trainedOn: string;
  trigger: string;
  gate: string;
  passed: string;
  failed: string;
  holdout: string;
  overall: string;
  perSlice: string;
  slice: string;
  higherIsBetter: string;
  lowerIsBetter: string;
  noGate: string;
  dataDiff: string;
  identicalData: string;
  approve: string;
  reject: string;
  decided: string;
}

export interface ReviewSide {
  version: number;
  aliases: string[];
  created: string;
  /** `weather@3`, or null without recorded training data. */
  data: string | null;
}

export interface ReviewData {
  model: string;
  challenger: ReviewSide & { trigger: string | null };
  champion: ReviewSide | null;
  /** The newest gate of the challenger, or why there is none (no holdout, no champion...). */
  gate: { evaluation: GateEvaluation; time: string } | { note: string };
  /** How the champion's training data became the challenger's, or why that is not shown. */
  dataDiff: { diff: VersionDiff } | { note: string };
  /** The challenger's standing now: a decision already made disables the buttons. */
  decision: { kind: 'approve' | 'reject'; by: string; time: string; reason: string | null } | null;
  /** Approval is possible: not the champion already, not archived, and no failed gate. */
  canApprove: boolean;
}

export type HostMessage = { type: 'show'; data: ReviewData; strings: ReviewStrings };
/** The buttons: the host asks for a reason and records the decision with the git user. */
export type WebviewMessage = { type: 'decide'; decision: 'approve' | 'reject'; model: string; version: number };

export type PromotionReviewProtocol = PanelProtocol<HostMessage, WebviewMessage>;
