import * as path from 'node:path';
import { writeFileDurably } from '../../core/storage';
import { l10n } from '../../core/l10n';
import { STAT_TESTS, driftReportInWorkers, readVersionTable, renderDriftHtml, type DriftReport, type StatTest } from '../../core/monitor';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, type CliCommand, type CommandContext } from '../command';

const drift: CliCommand = {
  name: 'drift',
  usage: 'mlops drift --reference <name>@<a> --current <name>@<b> [--columns a,b] [--stattest T] [--threshold X] [--drift-share S] [--json] [--report drift.html] [--fail-on-drift]',
  summary: 'Compare two dataset versions column by column for data drift; with --fail-on-drift, exit 1 when the dataset drifts.',
  options: [
    { name: 'reference', type: 'string', description: 'The version the data is expected to look like (name@N).' },
    { name: 'current', type: 'string', description: 'The version to check (name@N).' },
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
    const reference = o.reference as string | undefined;
    const current = o.current as string | undefined;
    if (!reference || !current) throw new UsageError(l10n.t('Give both --reference and --current, as name@N.'));
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('Unexpected argument "{0}".', ctx.args.positionals[0]));
    // A p-value and a distance cannot share one threshold: it goes with the one test that --stattest names.
    if (o.threshold !== undefined && !o.stattest) throw new UsageError(l10n.t('--threshold goes with --stattest: name the test it is a threshold of.'));
    const columns = typeof o.columns === 'string' ? o.columns.split(',').map((c) => c.trim()).filter(Boolean) : undefined;
    const project = openProject(ctx.cwd);
    const ref = await readVersionTable(project, reference, columns);
    const cur = await readVersionTable(project, current, columns);
    // On worker threads, a column per core; Ctrl+C needs no cleanup: nothing is written before the report is complete.
    const report = await driftReportInWorkers(ref.table, cur.table, {
      columns, stattest: o.stattest as StatTest | undefined, threshold: o.threshold as number | undefined, driftShare: o['drift-share'] as number | undefined,
    });
    const title = `${ref.dataset}@${ref.version} → ${cur.dataset}@${cur.version}`;
    if (typeof o.report === 'string') writeFileDurably(path.resolve(ctx.cwd, o.report), renderDriftHtml(report, { title }));
    if (o.json) printJson(ctx, 'drift', { reference: `${ref.dataset}@${ref.version}`, current: `${cur.dataset}@${cur.version}`, ...report });
    else printReport(ctx, title, report);
    return o['fail-on-drift'] && report.datasetDrift ? 1 : 0;
  },
};

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

export const monitorCommands = [drift];
