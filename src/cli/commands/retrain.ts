import * as path from 'node:path';
import { l10n } from '../../core/l10n';
import { openMetadataStore } from '../../core/metadata';
import { evaluationMarkdown, parseModelReference } from '../../core/registry';
import { approveVersion, gateOptionsOf, rejectVersion, reproduce, retrainModel, rollbackChampion, runDuePolicies, runGate, type DecisionResult, type GateResult } from '../../core/retrain';
import { writeFileDurably } from '../../core/storage';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { whileInterruptible } from '../terminal';
import { JSON_OPTION, defineCommand, printJson, type CliCommand, type CommandContext } from '../command';

const REASON_OPTION = { name: 'reason', type: 'string', description: 'Why, for the audit log (`mlops model history`).' } as const;
const METRICS = ['accuracy', 'f1', 'roc_auc', 'log_loss', 'rmse', 'mae', 'r2'] as const;

const text = (ctx: CommandContext, line: string) => ctx.stdout(line + '\n');

function versionOf(raw: string | undefined, command: string): { model: string; version: number } {
  if (!raw) throw new UsageError(l10n.t('{0} takes one version: <name>/<version>.', command));
  const ref = parseModelReference(raw);
  if (!('version' in ref)) throw new UsageError(l10n.t('Name the version by its number (<name>/<version>), not by an alias.'));
  return ref;
}

const score = (v: number | null) => (v === null ? 'n/a' : String(Number(v.toPrecision(4))));

const gate = defineCommand({
  name: 'gate',
  usage: 'mlops gate --model <name>@challenger [--against champion] [--holdout DATASET[@V] | FILE] [--metric M] [--min-gain X | --min-relative-gain R] [--floor F] [--slice COLUMN] [--report gate.md] [--json]',
  summary: 'Evaluate a challenger against the champion on the same holdout (the model\'s retraining.gate unless options say otherwise); exits 0 when the gate passes, 1 when it fails.',
  options: [
    { name: 'model', type: 'string', description: 'The version to judge: <name>@challenger or <name>/<version>.' },
    { name: 'against', type: 'string', description: 'The version to beat: an alias or version number of the same model (default champion).' },
    { name: 'holdout', type: 'string', description: 'A dataset version or a file to score both on (default: the newest data neither trained on).' },
    { name: 'metric', type: 'string', choices: METRICS, description: 'The metric to judge by (default: the one the training optimized).' },
    { name: 'min-gain', type: 'number', description: 'Beat the champion by at least this much (MLflow min_absolute_change).' },
    { name: 'min-relative-gain', type: 'number', description: 'Beat the champion by at least this fraction of its score (MLflow min_relative_change).' },
    { name: 'floor', type: 'number', description: 'The lowest acceptable score (MLflow threshold).' },
    { name: 'slice', type: 'string', description: 'A column on which no value may regress (location...).' },
    { name: 'report', type: 'string', description: 'Write the result as Markdown for a pull-request comment.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const o = ctx.args.options;
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('gate takes no positional arguments; name the challenger with --model.'));
    const model = o.model;
    if (!model) throw new UsageError(l10n.t('--model is required: the version to judge, such as weather@challenger.'));
    if (o['min-gain'] !== undefined && o['min-relative-gain'] !== undefined) throw new UsageError(l10n.t('Give --min-gain or --min-relative-gain, not both.'));
    const project = openProject(ctx.cwd);
    // The model's policy sets the gate unless an option says otherwise, so CI gates as `mlops repro` and --due do.
    const { minAbsoluteChange, minRelativeChange, ...policy } = gateOptionsOf(project.config.retraining?.[parseModelReference(model).model] ?? {});
    const gains = o['min-gain'] !== undefined || o['min-relative-gain'] !== undefined;
    const result = await whileInterruptible(ctx, (signal) =>
      runGate(project, {
        ...policy,
        ...(!gains && minAbsoluteChange !== undefined ? { minAbsoluteChange } : {}),
        ...(!gains && minRelativeChange !== undefined ? { minRelativeChange } : {}),
        challenger: model,
        ...(o.against ? { against: o.against } : {}),
        // A policy's holdout path is the project's; one typed here is the shell's.
        ...(o.holdout ? { holdout: o.holdout, cwd: ctx.cwd } : {}),
        ...(o.metric ? { metric: o.metric } : {}),
        ...(o['min-gain'] !== undefined ? { minAbsoluteChange: o['min-gain'] } : {}),
        ...(o['min-relative-gain'] !== undefined ? { minRelativeChange: o['min-relative-gain'] } : {}),
        ...(o.floor !== undefined ? { floor: o.floor } : {}),
        ...(o.slice ? { slice: o.slice } : {}),
        signal,
      }),
    );
    if (o.report) writeFileDurably(path.resolve(ctx.cwd, o.report), `## ${l10n.t('MLOps Workbench gate')}\n\n` + evaluationMarkdown(result.model, result.version, result, result.time));
    if (o.json) printJson(ctx, 'gate', result);
    else printGate(ctx, result);
    return result.passed ? 0 : 1;
  },
});

function printGate(ctx: CommandContext, r: GateResult): void {
  text(ctx, r.passed ? l10n.t('Gate passed: {0}/{1} against {0}/{2}.', r.model, r.version, r.against) : l10n.t('Gate failed: {0}/{1} against {0}/{2}.', r.model, r.version, r.against));
  text(ctx, `  ${l10n.t('holdout')}: ${r.holdout.source} (${l10n.t('{0} rows', r.holdout.rows)})`);
  text(ctx, `  ${r.metric}: ${l10n.t('challenger')} ${score(r.challenger)}, ${l10n.t('champion')} ${score(r.champion)}`);
  for (const s of r.slices?.values ?? []) text(ctx, `    ${r.slices!.column} = ${s.value} (${s.rows}): ${score(s.challenger)} / ${score(s.champion)}${s.passed ? '' : '  !'}`);
  for (const reason of r.reasons) text(ctx, `  - ${reason}`);
}

const retrain = defineCommand({
  name: 'retrain',
  usage: 'mlops retrain <model> [--dataset D@V] [--since T] [--reason TEXT] [--json] | mlops retrain --due [--json]',
  summary: 'Rebuild the champion from its lineage on newer data as the challenger, or evaluate the retraining policies of mlops.yaml once (--due).',
  options: [
    { name: 'dataset', type: 'string', description: 'The data version to train on (default: the newest version of the champion\'s dataset).' },
    { name: 'since', type: 'string', description: 'Train on the rows whose timestamp is at or after this time (the dataset\'s declared timestamp column).' },
    { name: 'due', type: 'boolean', description: 'Evaluate every policy in mlops.yaml `retraining:` once: retrain, gate and promote what is due.' },
    REASON_OPTION,
    JSON_OPTION,
  ],
  async run(ctx) {
    const o = ctx.args.options;
    const project = openProject(ctx.cwd);
    if (o.due) {
      if (ctx.args.positionals.length) throw new UsageError(l10n.t('retrain --due takes no model: it evaluates every policy.'));
      const store = await openMetadataStore(project.paths.root);
      try {
        const outcomes = await whileInterruptible(ctx, (signal) => runDuePolicies(project, store, { signal }));
        if (o.json) printJson(ctx, 'retrain due', { outcomes });
        else if (outcomes.length === 0) text(ctx, l10n.t('mlops.yaml has no retraining policies.'));
        else for (const outcome of outcomes) for (const note of outcome.notes) text(ctx, note);
      } finally {
        store.close();
      }
      return 0;
    }
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('retrain takes one model name, or --due.'));
    const store = await openMetadataStore(project.paths.root);
    try {
      if (!o.json) ctx.stderr(l10n.t('Retraining {0} from its champion\'s lineage…', ctx.args.positionals[0]) + '\n');
      const result = await whileInterruptible(ctx, (signal) =>
        retrainModel(project, store, { model: ctx.args.positionals[0], ...(o.dataset ? { dataset: o.dataset } : {}), ...(o.since !== undefined ? { since: o.since } : {}), ...(o.reason ? { reason: o.reason } : {}), signal }),
      );
      if (o.json) printJson(ctx, 'retrain', result);
      else {
        text(ctx, l10n.t('Registered {0}/{1} (alias challenger), retrained from {0}/{2} on {3}@{4}: cv_{5} = {6}.', result.model, result.version, result.from, result.dataset.name, result.dataset.version, result.cv.metric, score(result.cv.score)));
        const window = result.trainingConfig.window;
        if (window) text(ctx, l10n.t('Trained on the {0} rows with {1} at or after {2}.', result.rows, window.column, window.since));
        text(ctx, l10n.t('Next: `mlops gate --model {0}@challenger --against champion`.', result.model));
      }
      return 0;
    } finally {
      store.close();
    }
  },
});

function printDecision(ctx: CommandContext, d: DecisionResult, json: boolean | undefined): void {
  if (json) return printJson(ctx, 'decision', d);
  text(ctx, d.decision === 'approve' ? l10n.t('Approved {0}/{1} by {2}; it is the champion now.', d.model, d.version, d.by) : l10n.t('Rejected {0}/{1} by {2}.', d.model, d.version, d.by));
  for (const a of d.aliases) if (a.version === null) text(ctx, l10n.t('Removed {0}@{1}.', a.model, a.alias));
}

/** approve and reject differ only in the decision they record: one command shape for both. */
function decisionCommand(decision: 'approve' | 'reject', summary: string) {
  return defineCommand({
    name: decision,
    usage: `mlops ${decision} <model>/<version> --reason TEXT [--json]`,
    summary,
    options: [REASON_OPTION, JSON_OPTION],
    async run(ctx) {
      const ref = versionOf(ctx.args.positionals[0], decision);
      const reason = ctx.args.options.reason;
      if (!reason) throw new UsageError(l10n.t('--reason is required: say why, for the audit log.'));
      const decide = decision === 'approve' ? approveVersion : rejectVersion;
      printDecision(ctx, await decide(openProject(ctx.cwd).paths, ref.model, ref.version, reason), ctx.args.options.json);
      return 0;
    },
  });
}

// Summaries are plain literals: help translates them when it prints.
const approve = decisionCommand('approve', 'Approve a challenger that waits for promotion: records who, when and why, and makes it the champion.');
const reject = decisionCommand('reject', 'Reject a challenger: records who, when and why, and removes its challenger alias.');

const rollback = defineCommand({
  name: 'rollback',
  usage: 'mlops rollback <model> [--reason TEXT] [--json]',
  summary: 'Move champion back to the version it held before, from the model\'s history.',
  options: [REASON_OPTION, JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('rollback takes one model name.'));
    const change = await rollbackChampion(openProject(ctx.cwd).paths, ctx.args.positionals[0], ctx.args.options.reason);
    if (ctx.args.options.json) printJson(ctx, 'rollback', change);
    else text(ctx, l10n.t('{0}@champion rolled back from version {1} to version {2}.', change.model, change.previous ?? '?', change.version ?? '?'));
    return 0;
  },
});

const repro = defineCommand({
  name: 'repro',
  usage: 'mlops repro [--force] [--json]',
  summary: 'Run the project\'s declared loop: snapshot, train, register, gate and promote, skipping steps whose inputs match an earlier success.',
  options: [
    { name: 'force', type: 'boolean', description: 'Run every step, even those whose inputs match an earlier success.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('repro takes no arguments: its steps come from mlops.yaml.'));
    const o = ctx.args.options;
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    try {
      const result = await whileInterruptible(ctx, (signal) =>
        reproduce(project, store, {
          force: o.force === true,
          signal,
          onStep: (step) => (o.json ? undefined : text(ctx, step.note)),
          // The training command's own output: on stderr with --json, so stdout stays one JSON document.
          stdout: (chunk) => (o.json ? ctx.stderr(chunk.toString()) : ctx.stdout(chunk.toString())),
          stderr: (chunk) => ctx.stderr(chunk.toString()),
        }),
      );
      if (o.json) printJson(ctx, 'repro', result);
      return 0;
    } finally {
      store.close();
    }
  },
});

export const retrainCommands: readonly CliCommand[] = [gate, retrain, approve, reject, rollback, repro];
