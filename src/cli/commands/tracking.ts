import { l10n } from '../../core/l10n';
import { MetadataStore } from '../../core/store';
import {
  columnDecisionText, featureSetOf, featureSetText, deleteRun, getRun, parseTrainingConfig, TRAINING_CONFIG_PARAM, importMlflow, latestMetricValues, listRuns, metricKeys, runKeyMetric, metricSeries, runCommand, shellExitCode, type RunDetails, type RunSummary, trialCounts,
} from '../../core/tracking';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, defineCommand, projectForReading, type CommandContext } from '../command';
import { openMetadataStore } from '../../core/metadata';
import type { RunShowJson, RunSummaryJson } from '../json';

const EXPERIMENT_OPTION = { name: 'experiment', type: 'string', description: 'Experiment name (default: "default").' } as const;

async function openStore(ctx: CommandContext): Promise<MetadataStore> {
  return openMetadataStore(openProject(ctx.cwd).paths.root);
}

/** The store for a command that only reads runs, which a broken mlops.yaml does not stop. */
async function openStoreForReading(ctx: CommandContext): Promise<MetadataStore> {
  return openMetadataStore(projectForReading(ctx).paths.root);
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

function duration(start: number, end: number | null): string {
  if (end === null) return '';
  const s = (end - start) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

const summaryJson = (r: RunSummary): RunSummaryJson => ({ ...r, durationMs: r.end === null ? null : r.end - r.start });

const runs = defineCommand({
  name: 'runs',
  usage: 'mlops runs [--experiment E] [--all] [--json]',
  summary: 'List the runs, newest first, each with its number of trials (the runs an AutoML search started).',
  options: [EXPERIMENT_OPTION, { name: 'all', type: 'boolean', description: 'List the trials too.' }, JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('runs takes no arguments.'));
    const project = projectForReading(ctx);
    const store = await openMetadataStore(project.paths.root);
    const experiment = ctx.args.options.experiment;
    const every = listRuns(store, experiment);
    const trials = trialCounts(every);
    // A trial whose parent is not listed (deleted, or in another experiment) stays visible as a run of its own.
    const listed = new Set(every.map((r) => r.id));
    const list = ctx.args.options.all ? every : every.filter((r) => r.parentId === null || !listed.has(r.parentId));
    if (ctx.args.options.json) {
      printJson(ctx, 'runs', { runs: list.map((r) => ({ ...summaryJson(r), trials: trials.get(r.id) ?? 0 })) });
      return 0;
    }
    if (list.length === 0) {
      ctx.stdout(l10n.t('No runs yet. Start one with `mlops run -- <command>`.') + '\n');
      return 0;
    }
    // Each run's key metric, as the Runs view shows it: the project's training metric, else its first by name.
    const latest = latestMetricValues(store, experiment);
    const preferred = project.config.training?.metric;
    const metricText = (id: string) => {
      const metrics = latest.get(id) ?? {};
      const key = runKeyMetric(metrics, preferred);
      return key === undefined ? '' : `${key} ${metrics[key] === null ? 'NaN' : Number(metrics[key]!.toPrecision(4))}`;
    };
    const header = [l10n.t('ID'), l10n.t('EXPERIMENT'), l10n.t('NAME'), l10n.t('STATUS'), l10n.t('STARTED'), l10n.t('DURATION'), l10n.t('TRIALS'), l10n.t('METRIC')];
    const trialsText = (id: string) => String(trials.get(id) ?? '');
    ctx.stdout(table([header, ...list.map((r) => [r.id, r.experiment, r.name ?? '', r.status, iso(r.start), duration(r.start, r.end), trialsText(r.id), metricText(r.id)])]));
    const hidden = every.length - list.length;
    if (hidden === 1) ctx.stdout(l10n.t('1 trial not listed; `mlops runs --all` lists it too.') + '\n');
    else if (hidden > 1) ctx.stdout(l10n.t('{0} trials not listed; `mlops runs --all` lists them too.', hidden) + '\n');
    return 0;
  },
});

const run = defineCommand({
  name: 'run',
  usage: 'mlops run [--experiment E] [--name N] -- <command...>',
  summary: 'Run a command as a tracked run: its output, exit status, duration and the records it logs.',
  options: [EXPERIMENT_OPTION, { name: 'name', type: 'string', description: 'A name for the run.' }],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('Put the command to run after `--`, e.g. `mlops run -- python train.py`.'));
    if (ctx.args.rest.length === 0) throw new UsageError(l10n.t('No command to run: put it after `--`.'));
    const store = await openStore(ctx);
    const result = await runCommand(store, ctx.args.rest, {
      experiment: ctx.args.options.experiment,
      name: ctx.args.options.name,
      cwd: ctx.cwd,
      stdout: (chunk) => ctx.stdout(chunk.toString()),
      stderr: (chunk) => ctx.stderr(chunk.toString()),
    });
    for (const p of result.problems) ctx.stderr(l10n.t('{0}:{1}: {2} (line skipped)', p.journal, p.line, p.message) + '\n');
    const seconds = (result.durationMs / 1000).toFixed(1);
    const how = result.signal ? l10n.t('signal {0}', result.signal) : l10n.t('exit code {0}', result.exitCode ?? '?');
    ctx.stderr(l10n.t('Run {0} {1} after {2} s ({3}).', result.runId, result.status, seconds, how) + '\n');
    return shellExitCode(result);
  },
});

/** What `run show --json` prints: the run, and every metric's history as {step, value, timestamp} points. */
function showJson(store: MetadataStore, details: RunDetails): RunShowJson {
  const metricHistory: RunShowJson['metricHistory'] = {};
  for (const key of metricKeys(store, details.id)) {
    const s = metricSeries(store, details.id, key);
    metricHistory[key] = Array.from(s.values, (v, i) => ({ step: s.steps[i], value: Number.isFinite(v) ? v : null, timestamp: Number.isNaN(s.timestamps[i]) ? null : s.timestamps[i] }));
  }
  return { ...summaryJson(details), ...details, metricHistory };
}

function showText(d: RunDetails): string {
  const lines = [
    `${l10n.t('Run')} ${d.id}${d.name ? ` (${d.name})` : ''}`,
    `  ${l10n.t('experiment')}: ${d.experiment}`,
    `  ${l10n.t('status')}: ${d.status}${d.exitCode !== null ? ` (${l10n.t('exit code {0}', d.exitCode)})` : ''}${d.signal ? ` (${d.signal})` : ''}`,
    `  ${l10n.t('started')}: ${iso(d.start)}${d.end !== null ? `, ${l10n.t('took')} ${duration(d.start, d.end)}` : ''}`,
  ];
  if (d.command) lines.push(`  ${l10n.t('command')}: ${(JSON.parse(d.command) as string[]).join(' ')}`);
  if (d.git) lines.push(`  git: ${d.git.commit.slice(0, 12)}${d.git.dirty ? ` (${l10n.t('uncommitted changes')})` : ''}`);
  if (d.parentId) lines.push(`  ${l10n.t('parent')}: ${d.parentId}`);
  if (d.children.length) lines.push(`  ${l10n.t('children')}: ${d.children.join(', ')}`);
  const section = (title: string, entries: [string, string][]) => {
    if (entries.length) lines.push(title, ...entries.map(([k, v]) => `  ${k} = ${v}`));
  };
  section(l10n.t('Params:'), Object.entries(d.params));
  const columns = d.params[TRAINING_CONFIG_PARAM] ? parseTrainingConfig(d.params[TRAINING_CONFIG_PARAM]).columns : undefined;
  if (columns?.length) lines.push(l10n.t('Columns:'), ...columns.map((c) => `  ${columnDecisionText(c)}`));
  const featureSet = featureSetOf(d);
  if (featureSet) lines.push(l10n.t('Features:'), `  ${featureSetText(featureSet)}`);
  section(l10n.t('Metrics (latest):'), Object.entries(d.metrics).map(([k, m]) => [k, `${m.value ?? 'NaN'} @ ${l10n.t('step')} ${m.step}`]));
  section(l10n.t('Tags:'), Object.entries(d.tags));
  section(l10n.t('Seeds:'), Object.entries(d.seeds));
  section(l10n.t('Inputs:'), d.inputs.map((i) => [`${i.kind} ${i.name}`, `${i.version}${i.digest ? ` (${i.digest})` : ''}`]));
  section(l10n.t('Artifacts:'), d.artifacts.map((a) => [a.path, a.sha256 ?? '']));
  if (d.notes) lines.push(l10n.t('Notes:'), `  ${d.notes}`);
  return lines.join('\n') + '\n';
}

const show = defineCommand({
  name: 'run show',
  usage: 'mlops run show <id> [--json]',
  summary: 'Show a run: params, latest metrics, tags, lineage, artifacts; with --json every metric\'s history.',
  options: [JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('run show takes one run id.'));
    const store = await openStoreForReading(ctx);
    const details = getRun(store, ctx.args.positionals[0]);
    if (ctx.args.options.json) printJson(ctx, 'run show', showJson(store, details));
    else ctx.stdout(showText(details));
    return 0;
  },
});

const compare = defineCommand({
  name: 'run compare',
  usage: 'mlops run compare <id> <id>... [--json]',
  summary: 'Compare runs side by side: params and latest metrics, marking what differs.',
  options: [JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length < 2) throw new UsageError(l10n.t('run compare takes two run ids or more.'));
    const store = await openStoreForReading(ctx);
    const details = ctx.args.positionals.map((id) => getRun(store, id));
    const ids = details.map((d) => d.id);
    const side = <T>(pick: (d: RunDetails) => Record<string, T>) => {
      const keys = [...new Set(details.flatMap((d) => Object.keys(pick(d))))].sort();
      return Object.fromEntries(keys.map((k) => [k, Object.fromEntries(details.map((d) => [d.id, pick(d)[k] ?? null]))]));
    };
    const params = side((d) => d.params);
    const metrics = side((d) => Object.fromEntries(Object.entries(d.metrics).map(([k, m]) => [k, m.value])));
    const differs = (byRun: Record<string, unknown>) => new Set(Object.values(byRun).map((v) => JSON.stringify(v))).size > 1;
    const differentParams = Object.keys(params).filter((k) => differs(params[k]));
    if (ctx.args.options.json) {
      printJson(ctx, 'run compare', { runs: details.map(summaryJson), params, metrics, differentParams });
      return 0;
    }
    const rows = [['', ...ids]];
    for (const [k, byRun] of Object.entries(params)) rows.push([`${differs(byRun) ? '* ' : '  '}${k}`, ...ids.map((id) => String(byRun[id] ?? '-'))]);
    for (const [k, byRun] of Object.entries(metrics)) rows.push([`  ${k}`, ...ids.map((id) => (byRun[id] === null ? '-' : String(byRun[id])))]);
    ctx.stdout(table(rows));
    if (differentParams.length) ctx.stdout(l10n.t('* params that differ') + '\n');
    return 0;
  },
});

const remove = defineCommand({
  name: 'run delete',
  usage: 'mlops run delete <id> [--json]',
  summary: 'Delete a run, its records and its files.',
  options: [JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('run delete takes one run id.'));
    const id = await deleteRun(await openStore(ctx), ctx.args.positionals[0]);
    if (ctx.args.options.json) printJson(ctx, 'run delete', { deleted: id });
    else ctx.stdout(l10n.t('Deleted run {0}.', id) + '\n');
    return 0;
  },
});

const importMlflowCommand = defineCommand({
  name: 'import mlflow',
  usage: 'mlops import mlflow <mlruns-dir> [--json]',
  summary: 'Import the experiments and runs of an MLflow file store (an mlruns/ folder); importing twice changes nothing.',
  options: [JSON_OPTION],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) throw new UsageError(l10n.t('import mlflow takes the path of an mlruns/ folder.'));
    const result = await importMlflow(await openStore(ctx), ctx.args.positionals[0]);
    if (ctx.args.options.json) printJson(ctx, 'import mlflow', result);
    else ctx.stdout(l10n.t('Imported {0} runs from {1} experiments; {2} were already here.', result.imported.length, result.experiments.length, result.skipped.length) + '\n');
    return 0;
  },
});

export const trackingCommands = [runs, run, show, compare, remove, importMlflowCommand];
