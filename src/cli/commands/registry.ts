import { l10n } from '../../core/l10n';
import { archiveVersion, keyMetric, listModels, modelHistory, parseModelReference, registerModel, removeAlias, resolveModelVersion, setAlias, type AliasChange, type HistoryEvent, type ModelVersion } from '../../core/registry';
import { reproduceVersion } from '../../core/automl';
import { featureSetText } from '../../core/tracking';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, defineCommand, projectForReading, type CommandContext } from '../command';
import { openMetadataStore } from '../../core/metadata';
import { versionReference } from '../modelReference';
import { interruptOnCtrlC } from '../terminal';

const REASON_OPTION = { name: 'reason', type: 'string', description: 'Why, for the audit log (`mlops model history`).' } as const;

const text = (ctx: CommandContext, line: string) => ctx.stdout(line + '\n');

function keyMetricText(v: ModelVersion): string {
  const metric = keyMetric(v);
  return metric ? `${metric.key}=${metric.value === null ? 'NaN' : Number(metric.value.toPrecision(4))}` : '';
}

function versionNumber(raw: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new UsageError(l10n.t('"{0}" is not a version number.', raw));
  return Number(raw);
}

function aliasText(change: AliasChange): string {
  if (!change.changed && change.version !== null) return l10n.t('{0}@{1} already points at version {2}.', change.model, change.alias, change.version);
  if (change.version === null) return l10n.t('Removed {0}@{1} (it pointed at version {2}).', change.model, change.alias, change.previous ?? '?');
  return change.previous === null
    ? l10n.t('{0}@{1} now points at version {2}.', change.model, change.alias, change.version)
    : l10n.t('{0}@{1} moved from version {2} to version {3}.', change.model, change.alias, change.previous, change.version);
}

const register = defineCommand({
  name: 'register',
  usage: 'mlops register <run-id> --model <name> [--alias A] [--description TEXT] [--reason TEXT] [--json]',
  summary: 'Register the model a run trained as the next version of a registered model.',
  options: [
    { name: 'model', type: 'string', description: 'The registered model\'s name.' },
    { name: 'alias', type: 'string', description: 'An alias to point at the new version (champion, challenger...).' },
    { name: 'description', type: 'string', description: 'What this version is for; it opens the model card.' },
    REASON_OPTION,
    JSON_OPTION,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('register takes one run id.'));
    const model = ctx.args.options.model;
    if (!model) throw new UsageError(l10n.t('--model is required: the name to register the model under.'));
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    const result = await registerModel(project, store, ctx.args.positionals[0], {
      model,
      alias: ctx.args.options.alias,
      description: ctx.args.options.description,
      reason: ctx.args.options.reason,
    });
    if (ctx.args.options.json) {
      printJson(ctx, 'register', { model: result.record.model, version: result.record.version, folder: result.folder, aliases: result.alias ? [result.alias.alias] : [], record: result.record });
      return 0;
    }
    text(ctx, l10n.t('Registered {0}/{1} from run {2} ({3}).', result.record.model, result.record.version, result.record.lineage.run, result.folder));
    if (result.alias) text(ctx, aliasText(result.alias));
    text(ctx, l10n.t('Commit {0} to share it with your team.', result.folder));
    return 0;
  },
});

const models = defineCommand({
  name: 'models',
  usage: 'mlops models [--json]',
  summary: 'List the registered models, their versions and aliases.',
  options: [JSON_OPTION],
  run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('models takes no arguments.'));
    const list = listModels(projectForReading(ctx).paths);
    if (ctx.args.options.json) {
      printJson(ctx, 'models', { models: list });
      return 0;
    }
    if (list.length === 0) {
      text(ctx, l10n.t('No registered models yet. Register one from a run with `mlops register <run-id> --model <name>`.'));
      return 0;
    }
    for (const m of list) {
      text(ctx, m.name);
      for (const v of m.versions) {
        const badges = [...v.aliases.map((a) => `@${a}`), ...(v.archived ? [l10n.t('archived')] : [])].join(' ');
        text(ctx, `  ${String(v.version).padStart(3)}  ${v.created.slice(0, 10)}  ${keyMetricText(v).padEnd(24)}  ${badges}`.trimEnd());
      }
      for (const p of m.problems) text(ctx, `  ! ${p}`);
    }
    return 0;
  },
});

function showText(v: ModelVersion): string {
  const lines = [
    `${v.model}/${v.version}${v.aliases.length ? `  ${v.aliases.map((a) => `@${a}`).join(' ')}` : ''}${v.archived ? `  (${l10n.t('archived')})` : ''}`,
    `  ${l10n.t('registered')}: ${v.created} ${l10n.t('by')} ${v.createdBy}`,
  ];
  if (v.description) lines.push(`  ${l10n.t('description')}: ${v.description}`);
  lines.push(
    `  ${l10n.t('artifact')}: ${v.artifact.digest} (${v.artifact.family}, ${v.artifact.size} ${l10n.t('bytes')})`,
    `  ${l10n.t('run')}: ${v.lineage.run} (${v.lineage.experiment})`,
    `  ${l10n.t('data')}: ${v.lineage.dataset ? `${v.lineage.dataset.name}@${v.lineage.dataset.version} ${v.lineage.dataset.digest ?? ''}`.trimEnd() : '-'}`,
    `  ${l10n.t('commit')}: ${v.lineage.commit ?? '-'}${v.lineage.dirty ? ` (${l10n.t('uncommitted changes')})` : ''}`,
    `  ${l10n.t('seed')}: ${v.lineage.seed ?? '-'}`,
    ...(v.lineage.featureSet ? [`  ${l10n.t('features')}: ${featureSetText(v.lineage.featureSet)}`] : []),
    `  ${l10n.t('output')}: ${v.signature.output.task} ${v.signature.output.target}${v.signature.output.classes ? ` [${v.signature.output.classes.join(', ')}]` : ''}`,
    `  ${l10n.t('inputs')}:`,
    ...v.signature.inputs.map((i) => `    ${i.name}: ${i.type}${i.categories ? ` (${i.categories.length} ${l10n.t('categories')})` : ''}`),
  );
  const metrics = Object.entries(v.metrics);
  if (metrics.length) lines.push(`  ${l10n.t('metrics')}:`, ...metrics.map(([k, m]) => `    ${k} = ${m ?? 'NaN'}`));
  const params = Object.entries(v.params);
  if (params.length) lines.push(`  ${l10n.t('params')}:`, ...params.map(([k, p]) => `    ${k} = ${p}`));
  return lines.join('\n') + '\n';
}

const show = defineCommand({
  name: 'model show',
  usage: 'mlops model show <name>@<alias> | <name>/<version> [--json]',
  summary: 'Show a model version: artifact, signature, metrics, lineage and aliases.',
  options: [JSON_OPTION],
  run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('model show takes one version: <name>/<version> or <name>@<alias>.'));
    const version = resolveModelVersion(projectForReading(ctx).paths, versionReference(ctx.args.positionals[0]));
    if (ctx.args.options.json) printJson(ctx, 'model show', version);
    else ctx.stdout(showText(version));
    return 0;
  },
});

function gateText(e: HistoryEvent): string {
  const g = e.evaluation;
  if (!g) return l10n.t('gated version {0}', e.version);
  const shown = (v: number | null) => (v === null ? 'n/a' : String(Number(v.toPrecision(4))));
  return g.passed
    ? l10n.t('gate passed: version {0} against {1}, {2} {3} vs {4}', e.version, g.against, g.metric, shown(g.challenger), shown(g.champion))
    : l10n.t('gate failed: version {0} against {1}, {2} {3} vs {4}', e.version, g.against, g.metric, shown(g.challenger), shown(g.champion));
}

const history = defineCommand({
  name: 'model history',
  usage: 'mlops model history <name> [--json]',
  summary: 'Show the audit log of a model: who registered, moved aliases or archived, when and why.',
  options: [JSON_OPTION],
  run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('model history takes one model name.'));
    const events = modelHistory(projectForReading(ctx).paths, ctx.args.positionals[0]);
    if (ctx.args.options.json) {
      printJson(ctx, 'model history', { events });
      return 0;
    }
    for (const e of events) {
      const what =
        e.event === 'register' ? l10n.t('registered version {0}', e.version)
        : e.event === 'archive' ? l10n.t('archived version {0}', e.version)
        : e.event === 'alias-remove' ? l10n.t('removed alias {0} (was version {1})', e.alias ?? '', e.version)
        : e.event === 'retrain' ? l10n.t('retrained as version {0} (trigger: {1})', e.version, e.trigger ?? '-')
        : e.event === 'gate' ? gateText(e)
        : e.event === 'approve' ? l10n.t('approved version {0}', e.version)
        : e.event === 'reject' ? l10n.t('rejected version {0}', e.version)
        : e.cause === 'rollback' ? l10n.t('rolled back alias {0} from version {1} to {2}', e.alias ?? '', e.previous ?? '-', e.version)
        : e.cause === 'promotion' || e.cause === 'approval' ? l10n.t('promoted version {0} to {1} (was version {2})', e.version, e.alias ?? '', e.previous ?? '-')
        : e.previous !== undefined ? l10n.t('moved alias {0} from version {1} to {2}', e.alias ?? '', e.previous, e.version)
        : l10n.t('set alias {0} to version {1}', e.alias ?? '', e.version);
      text(ctx, `${e.time.replace('T', ' ').slice(0, 19)}  ${e.by}  ${what}${e.reason ? `: ${e.reason}` : ''}`);
    }
    return 0;
  },
});

const archive = defineCommand({
  name: 'model archive',
  usage: 'mlops model archive <name>/<version> [--reason TEXT] [--json]',
  summary: 'Archive a model version: kept and reproducible, but it can no longer hold an alias.',
  options: [REASON_OPTION, JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('model archive takes one version: <name>/<version>.'));
    const ref = parseModelReference(versionReference(ctx.args.positionals[0]));
    if (!('version' in ref)) throw new UsageError(l10n.t('Name the version to archive by its number (<name>/<version>), not by an alias.'));
    const result = await archiveVersion(openProject(ctx.cwd).paths, ref.model, ref.version, { reason: ctx.args.options.reason });
    if (ctx.args.options.json) printJson(ctx, 'model archive', result);
    else text(ctx, result.changed ? l10n.t('Archived {0}/{1}.', result.model, result.version) : l10n.t('{0}/{1} was already archived.', result.model, result.version));
    return 0;
  },
});

const aliasSet = defineCommand({
  name: 'alias set',
  usage: 'mlops alias set <model> <alias> <version> [--reason TEXT] [--json]',
  summary: 'Point an alias (champion, challenger, any name) at a version of a model.',
  options: [REASON_OPTION, JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 3) throw new UsageError(l10n.t('alias set takes a model, an alias and a version number.'));
    const [model, alias, version] = ctx.args.positionals;
    const change = await setAlias(openProject(ctx.cwd).paths, model, alias, versionNumber(version), { reason: ctx.args.options.reason });
    if (ctx.args.options.json) printJson(ctx, 'alias', change);
    else text(ctx, aliasText(change));
    return 0;
  },
});

const aliasRemove = defineCommand({
  name: 'alias rm',
  usage: 'mlops alias rm <model> <alias> [--reason TEXT] [--json]',
  summary: 'Remove an alias from a model.',
  options: [REASON_OPTION, JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 2) throw new UsageError(l10n.t('alias rm takes a model and an alias.'));
    const [model, alias] = ctx.args.positionals;
    const change = await removeAlias(openProject(ctx.cwd).paths, model, alias, { reason: ctx.args.options.reason });
    if (ctx.args.options.json) printJson(ctx, 'alias', change);
    else text(ctx, aliasText(change));
    return 0;
  },
});

const reproduce = defineCommand({
  name: 'reproduce',
  usage: 'mlops reproduce <name>/<version> [--json]',
  summary: 'Train a registered version again from its lineage (data version, configuration, seed) and check the artifact is identical; exits 1 when it is not.',
  options: [JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('reproduce takes one version: <name>/<version> or <name>@<alias>.'));
    const reference = versionReference(ctx.args.positionals[0]);
    // Ctrl-C stops the training between trees and iterations instead of leaving it running to the end.
    const interrupt = interruptOnCtrlC(ctx);
    try {
      if (!ctx.args.options.json) ctx.stderr(l10n.t('Training {0} again from its lineage…', reference) + '\n');
      const result = await reproduceVersion(openProject(ctx.cwd), reference, { signal: interrupt.signal });
      if (ctx.args.options.json) printJson(ctx, 'reproduce', result);
      else {
        text(ctx, `identical: ${result.identical}`);
        text(ctx, `  ${l10n.t('registered')}: ${result.registered}`);
        text(ctx, `  ${l10n.t('reproduced')}: ${result.reproduced}`);
        if (result.differences.length) text(ctx, l10n.t('What differs:'));
        for (const d of result.differences) text(ctx, `  - ${d}`);
        for (const n of result.notes) text(ctx, `  ${l10n.t('note')}: ${n}`);
      }
      return result.identical ? 0 : 1;
    } finally {
      interrupt.dispose();
    }
  },
});

export const registryCommands = [register, models, show, history, archive, aliasSet, aliasRemove, reproduce];
