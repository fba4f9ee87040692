import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileDurably } from '../../core/storage';
import { l10n } from '../../core/l10n';
import { MlopsError } from '../../core/errors';
import { parseDuration } from '../../core/features';
import { openMetadataStore } from '../../core/metadata';
import {
  STAT_TESTS, checkModel, driftReportInWorkers, monitorChecks, readVersionTable, renderDriftHtml,
  type DriftReport, type ModelHealth, type MonitorCheck, type MonitorWindow, type StatTest,
} from '../../core/monitor';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, defineCommand, printJson, printJsonLine, projectForReading, type CommandContext } from '../command';
import type { ModelDriftJson } from '../json';
import { versionReference } from '../modelReference';
import { interruptOnCtrlC, whileInterruptible } from '../terminal';

const WINDOW_OPTIONS = [
  { name: 'window', type: 'string', description: 'Check the predictions of this last duration: 90s, 10m, 12h, 7d (default: monitoring.window, else 1d).' },
  { name: 'last', type: 'number', integer: true, min: 1, description: 'Check the last N predictions.' },
  { name: 'since', type: 'string', description: 'Check the predictions from this time on (ISO 8601).' },
  { name: 'until', type: 'string', description: 'Check the predictions before this time (ISO 8601).' },
] as const;

/** The window the options name, or undefined for the configured default. */
function windowOf(o: { readonly window?: string; readonly last?: number; readonly since?: string; readonly until?: string }): MonitorWindow | undefined {
  if (o.window !== undefined && (o.since !== undefined || o.until !== undefined)) throw new UsageError(l10n.t('Give --window alone, or --since and --until.'));
  if (o.window !== undefined && !parseDuration(o.window)) throw new UsageError(l10n.t('"{0}" is not a duration.', o.window), l10n.t('Write a number and a unit: 90s, 10m, 12h or 7d.'));
  const window: MonitorWindow = {
    ...(o.window !== undefined ? { duration: o.window } : {}), ...(o.last !== undefined ? { last: o.last } : {}),
    ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}),
  };
  return Object.keys(window).length ? window : undefined;
}

const drift = defineCommand({
  name: 'drift',
  usage: 'mlops drift --reference <name>@<a> --current <name>@<b> [--columns a,b] | --model <name>@<alias> [--window 1d | --last N | --since T --until T]; [--stattest T] [--threshold X] [--drift-share S] [--json] [--report drift.html] [--fail-on-drift]',
  summary: 'Compare two dataset versions, or a window of a model\'s predictions with its training data, column by column for data drift; with --fail-on-drift, exit 1 on drift.',
  options: [
    { name: 'reference', type: 'string', description: 'The version the data is expected to look like (name@N).' },
    { name: 'current', type: 'string', description: 'The version to check (name@N).' },
    { name: 'model', type: 'string', description: 'Check a served model instead: its logged predictions against its training data (name@alias or name/N).' },
    ...WINDOW_OPTIONS,
    { name: 'columns', type: 'string', description: 'Compare only these columns, comma-separated (default: every column of the reference).' },
    { name: 'stattest', type: 'string', choices: STAT_TESTS, description: 'One test for every column instead of the default choice by column type and size.' },
    { name: 'threshold', type: 'number', description: 'Threshold of the test: a p-value for ks, chisquare and z, a distance for the others.' },
    { name: 'drift-share', type: 'number', description: 'The dataset drifts when at least this share of its columns drift (default 0.5).' },
    { name: 'report', type: 'string', description: 'Also write the report as a standalone HTML file.' },
    { name: 'fail-on-drift', type: 'boolean', description: 'Exit with code 1 when the dataset drifts (for CI).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const o = ctx.args.options;
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('Unexpected argument "{0}".', ctx.args.positionals[0]));
    // A p-value and a distance cannot share one threshold: it goes with the one test that --stattest names.
    if (o.threshold !== undefined && !o.stattest) throw new UsageError(l10n.t('--threshold goes with --stattest: name the test it is a threshold of.'));
    if (o.model !== undefined) {
      if (o.reference !== undefined || o.current !== undefined) throw new UsageError(l10n.t('Give --model, or --reference and --current, not both.'));
      if (o.columns !== undefined) throw new UsageError(l10n.t('--columns goes with --reference and --current: a model check compares the columns the model reads.'));
      if (o['drift-share'] !== undefined) throw new UsageError(l10n.t('--drift-share goes with --reference and --current: a model check takes monitoring.drift_share from mlops.yaml.'));
      return driftOfModel(ctx, versionReference(o.model), windowOf(o), { stattest: o.stattest, threshold: o.threshold, report: o.report, failOnDrift: o['fail-on-drift'] === true, json: o.json === true });
    }
    if (windowOf(o)) throw new UsageError(l10n.t('--window, --last, --since and --until choose predictions: they go with --model.'));
    const reference = o.reference;
    const current = o.current;
    if (!reference || !current) throw new UsageError(l10n.t('Give both --reference and --current, as name@N.'));
    const columns = o.columns?.split(',').map((c) => c.trim()).filter(Boolean);
    const project = openProject(ctx.cwd);
    const ref = await readVersionTable(project, reference, columns);
    const cur = await readVersionTable(project, current, columns);
    // On worker threads, a column per core; Ctrl+C needs no cleanup: nothing is written before the report is complete.
    const report = await driftReportInWorkers(ref.table, cur.table, { columns, stattest: o.stattest, threshold: o.threshold, driftShare: o['drift-share'] });
    const title = `${ref.dataset}@${ref.version} → ${cur.dataset}@${cur.version}`;
    if (o.report !== undefined) writeFileDurably(path.resolve(ctx.cwd, o.report), renderDriftHtml(report, { title }));
    if (o.json) printJson(ctx, 'drift', { reference: `${ref.dataset}@${ref.version}`, current: `${cur.dataset}@${cur.version}`, ...report });
    else printReport(ctx, title, report);
    return o['fail-on-drift'] && report.datasetDrift ? 1 : 0;
  },
});

async function driftOfModel(
  ctx: CommandContext, model: string, window: MonitorWindow | undefined,
  o: { stattest?: StatTest; threshold?: number; report?: string; failOnDrift: boolean; json: boolean },
): Promise<number> {
  const project = openProject(ctx.cwd);
  const store = await openMetadataStore(project.paths.root);
  let check: MonitorCheck;
  try {
    check = await whileInterruptible(ctx, (signal) => checkModel(project, store, { model, window, stattest: o.stattest, threshold: o.threshold, signal }));
  } finally {
    store.close();
  }
  const title = checkTitle(check);
  if (o.report !== undefined && check.report) writeFileDurably(path.resolve(ctx.cwd, o.report), renderDriftHtml(check.report, { title }));
  if (o.json) printJson(ctx, 'drift model', modelDriftJson(check));
  else {
    if (check.report) printReport(ctx, title, check.report);
    printCheckDetails(ctx, check);
    if (o.report !== undefined && !check.report) ctx.stderr(l10n.t('No report written: the window holds no predictions.') + '\n');
  }
  return o.failOnDrift && check.health === 'drift' ? 1 : 0;
}

/** The check as `mlops drift --model --json` prints it: the report's verdict and columns on top, as for two versions. */
function modelDriftJson(check: MonitorCheck): ModelDriftJson {
  return { datasetDrift: check.report?.datasetDrift ?? null, driftShare: check.report?.driftShare ?? null, columns: check.report?.columns ?? [], ...check };
}

function checkTitle(check: MonitorCheck): string {
  const model = check.alias ? `${check.model}@${check.alias} (${check.model}/${check.version})` : `${check.model}/${check.version}`;
  const reference = check.reference ? `${check.reference.dataset}@${check.reference.version}` : '?';
  return l10n.t('{0}: {1} → {2} predictions from {3} to {4}', model, reference, check.window.rows, check.window.from ?? '-', check.window.to ?? '-');
}

/** What the drift table does not show: the output's drift, the metric, and the verdict. */
function printCheckDetails(ctx: CommandContext, check: MonitorCheck): void {
  const show = (v: number | null) => (v === null ? '-' : String(Number(v.toPrecision(4))));
  const p = check.predictionDrift;
  if (p) ctx.stdout(l10n.t('Predictions: {0} {1} (threshold {2}): {3}.', p.test, show(p.statistic), show(p.threshold), p.drift ? l10n.t('DRIFT') : l10n.t('ok')) + '\n');
  const d = check.decay;
  if (d) {
    ctx.stdout(l10n.t('{0}: validation {1}, measured {2} on {3} labelled predictions, estimated {4} without labels{5}.', d.metric, show(d.validation), show(d.measured), d.labelled, show(d.estimated), d.alert ? l10n.t(' (DECAY)') : '') + '\n');
  }
  ctx.stdout(`${healthText(check.health)}: ${check.reason}\n`);
}

function healthText(health: ModelHealth): string {
  return { ok: l10n.t('ok'), warning: l10n.t('warning'), drift: l10n.t('drift'), 'no-data': l10n.t('no data') }[health];
}

function printReport(ctx: CommandContext, title: string, report: DriftReport): void {
  const show = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));
  const rows = report.columns.map((c) => [c.name, c.test, show(c.statistic), c.pValue === null ? '-' : show(c.pValue), show(c.threshold), c.drift ? l10n.t('DRIFT') : l10n.t('ok')]);
  const header = [l10n.t('column'), l10n.t('test'), l10n.t('statistic'), l10n.t('p-value'), l10n.t('threshold'), l10n.t('result')];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  ctx.stdout(`${title}\n${line(header)}\n${rows.map(line).join('\n')}\n`);
  const verdict = report.datasetDrift ? l10n.t('Dataset drift: {0} of {1} columns drifted (share {2} >= {3}).', report.driftedColumns, report.numberOfColumns, show(report.driftShare), show(report.driftShareThreshold))
    : l10n.t('No dataset drift: {0} of {1} columns drifted (share {2} < {3}).', report.driftedColumns, report.numberOfColumns, show(report.driftShare), show(report.driftShareThreshold));
  ctx.stdout(`${verdict}\n`);
}

const monitor = defineCommand({
  name: 'monitor',
  usage: 'mlops monitor --model <name>@<alias> [--every 10m] [--window 1d | --last N | --since T --until T] [--json]',
  summary: 'Check a served model\'s predictions against its training data and record the check; with --every, check on a schedule until Ctrl-C.',
  options: [
    { name: 'model', type: 'string', description: 'The model to check (name@alias or name/N).' },
    { name: 'every', type: 'string', description: 'Check again at this interval (90s, 10m, 1h) until Ctrl-C.' },
    ...WINDOW_OPTIONS,
    { name: 'json', type: 'boolean', description: 'Print one JSON line per check.' },
  ],
  async run(ctx) {
    const o = ctx.args.options;
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('Unexpected argument "{0}".', ctx.args.positionals[0]));
    if (o.model === undefined) throw new UsageError(l10n.t('--model is required: the model whose predictions to check (name@alias).'));
    const model = versionReference(o.model);
    const window = windowOf(o);
    const every = o.every === undefined ? undefined : parseDuration(o.every);
    if (o.every !== undefined && !every) throw new UsageError(l10n.t('"{0}" is not a duration.', o.every), l10n.t('Write a number and a unit: 90s, 10m, 12h or 7d.'));
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      for (;;) {
        try {
          const check = await checkModel(project, store, { model, window, record: true, signal: interrupt.signal });
          if (o.json) printJsonLine(ctx, 'monitor', check);
          else ctx.stdout(checkLine(check) + '\n');
        } catch (err) {
          // on a schedule, a check that cannot run (a column callers stopped sending) is reported and the next one tried
          if (every === undefined || interrupt.signal.aborted || !(err instanceof MlopsError)) throw err;
          ctx.stderr(`${new Date().toISOString()} ${err.message}${err.hint ? ` ${err.hint}` : ''}\n`);
        }
        if (every === undefined) return 0;
        // Ctrl-C during the wait rejects it, and the catch below ends the command cleanly
        await sleep(every, undefined, { signal: interrupt.signal });
      }
    } catch (err) {
      if (interrupt.signal.aborted) return 0;
      throw err;
    } finally {
      interrupt.dispose();
      store.close();
    }
  },
});

const history = defineCommand({
  name: 'monitor history',
  usage: 'mlops monitor history [--model <name>@<alias>] [--limit N] [--json]',
  summary: 'List the recorded checks of a model (or of every model), newest first.',
  options: [
    { name: 'model', type: 'string', description: 'Only this model\'s checks (name, name@alias or name/N).' },
    { name: 'limit', type: 'number', integer: true, min: 1, description: 'At most this many checks (default: all).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const o = ctx.args.options;
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('Unexpected argument "{0}".', ctx.args.positionals[0]));
    const project = projectForReading(ctx);
    const store = await openMetadataStore(project.paths.root);
    try {
      const checks = monitorChecks(store, { model: o.model, limit: o.limit });
      if (o.json) printJson(ctx, 'monitor history', { checks });
      else if (checks.length === 0) ctx.stdout(l10n.t('No recorded checks yet: run `mlops monitor --model <name>@<alias>`.') + '\n');
      else for (const check of checks) ctx.stdout(checkLine(check) + '\n');
      return 0;
    } finally {
      store.close();
    }
  },
});

/** A check on one line: when, which version, how many predictions, the health and why. */
function checkLine(check: MonitorCheck): string {
  const model = check.alias ? `${check.model}@${check.alias}→${check.version}` : `${check.model}/${check.version}`;
  return `${check.at}  ${model}  ${l10n.t('{0} predictions', check.window.rows)}  ${healthText(check.health)}: ${check.reason}`;
}

export const monitorCommands = [drift, monitor, history];
