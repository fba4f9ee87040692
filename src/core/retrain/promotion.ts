import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { findVersion, getModel, modelHistory, recordEvent, removeAlias, setAlias, type AliasChange, type HistoryEvent, type ModelSummary } from '../registry';
import type { ProjectPaths } from '../workspace';

export interface DecisionResult {
  model: string;
  version: number;
  decision: 'approve' | 'reject';
  by: string;
  time: string;
  reason: string | null;
  /** The alias moves the decision made: champion for an approval, challenger removed for a rejection. */
  aliases: AliasChange[];
}

/** The newest gate recorded for a version, if any. */
export function latestGate(events: readonly HistoryEvent[], version: number): HistoryEvent | undefined {
  return events.filter((e) => e.event === 'gate' && e.version === version && e.evaluation).at(-1);
}

/** Moves champion to a version whose gate passed, as a policy with `promotion: auto` does. */
export function promote(paths: ProjectPaths, model: string, version: number, reason?: string): Promise<AliasChange> {
  return setAlias(paths, model, 'champion', version, { reason: reason ?? l10n.t('the gate passed'), cause: 'promotion' });
}

function checkDecidable(summary: ModelSummary, version: number, decision: 'approve' | 'reject'): void {
  if (findVersion(summary, version).archived) {
    throw new MlopsError(
      l10n.t('{0}/{1} is archived: it cannot be approved or rejected.', summary.name, version),
      l10n.t('Approve a version that is not archived; `mlops models` lists them.'),
      'ARCHIVED',
    );
  }
  if (decision === 'approve' && summary.aliases.champion === version) {
    throw new MlopsError(l10n.t('{0}/{1} is already the champion.', summary.name, version), l10n.t('Approve a challenger that waits for promotion.'), 'BAD_GATE');
  }
}

/**
 * Records a person's approval (who is the git user) and moves champion to the version. A version whose last gate
 * failed is refused: approving it would promote a model the evaluation found worse.
 */
export async function approveVersion(paths: ProjectPaths, model: string, version: number, reason?: string): Promise<DecisionResult> {
  // An archived version is refused as such first: its gate no longer matters.
  checkDecidable(getModel(paths, model), version, 'approve');
  const gate = latestGate(modelHistory(paths, model), version);
  if (gate && !gate.evaluation!.passed) {
    throw new MlopsError(
      l10n.t('The last gate of {0}/{1} failed ({2}); it cannot be approved.', model, version, gate.evaluation!.reasons.join(' ')),
      l10n.t('Retrain, or gate it again on another holdout: `mlops gate --model {0}/{1} --against champion`.', model, version),
      'GATE_FAILED',
    );
  }
  const event = await recordEvent(paths, { event: 'approve', model, version }, { reason }, (summary) => checkDecidable(summary, version, 'approve'));
  const moved = await setAlias(paths, model, 'champion', version, { reason: reason ?? l10n.t('approved'), cause: 'approval' });
  return { model, version, decision: 'approve', by: event.by, time: event.time, reason: event.reason, aliases: [moved] };
}

/** Records a rejection; the version stops waiting: the challenger alias leaves it. */
export async function rejectVersion(paths: ProjectPaths, model: string, version: number, reason?: string): Promise<DecisionResult> {
  let holdsChallenger = false;
  const event = await recordEvent(paths, { event: 'reject', model, version }, { reason }, (summary) => {
    checkDecidable(summary, version, 'reject');
    holdsChallenger = summary.aliases.challenger === version;
  });
  const aliases = holdsChallenger ? [await removeAlias(paths, model, 'challenger', { reason: reason ?? l10n.t('rejected') })] : [];
  return { model, version, decision: 'reject', by: event.by, time: event.time, reason: event.reason, aliases };
}

/**
 * The version champion held before its current one, read from the history: each move of champion pushes a
 * version, each rollback pops one, and removing the alias starts over. So two rollbacks go back two promotions.
 */
export function previousChampion(events: readonly HistoryEvent[]): number | undefined {
  const held: number[] = [];
  for (const e of events) {
    if (e.alias !== 'champion') continue;
    if (e.event === 'alias-remove') held.length = 0;
    else if (e.event === 'alias-set') {
      if (e.cause === 'rollback') held.pop();
      else held.push(e.version);
    }
  }
  return held.length >= 2 ? held[held.length - 2] : undefined;
}

/** Moves champion back to the version it held before (see previousChampion), recorded as a rollback. */
export async function rollbackChampion(paths: ProjectPaths, model: string, reason?: string): Promise<AliasChange> {
  const previous = previousChampion(modelHistory(paths, model));
  if (previous === undefined) {
    throw new MlopsError(
      l10n.t('{0}\'s champion has no earlier version to roll back to.', model),
      l10n.t('`mlops model history {0}` shows how the champion moved; set it with `mlops alias set {0} champion <version>`.', model),
      'NO_ROLLBACK',
    );
  }
  return setAlias(paths, model, 'champion', previous, { reason: reason ?? l10n.t('rollback'), cause: 'rollback' });
}
