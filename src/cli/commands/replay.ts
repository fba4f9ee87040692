import * as path from 'node:path';
import { l10n } from '../../core/l10n';
import { replayTraffic, runningServer, type ReplaySummary } from '../../core/serve';
import { findProjectRoot, openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { defineCommand, JSON_OPTION, printJson, type CliCommand, type CommandContext } from '../command';
import { progressBar, whileInterruptible } from '../terminal';

const line = (ctx: CommandContext, text: string) => ctx.stdout(text + '\n');

/**
 * The scoring URL and token of `--endpoint`: a URL as given, else an endpoint of this project's running server (by
 * name; its default endpoint when none is named). The token comes from the project's `serving.auth.tokenEnv`.
 */
function target(ctx: CommandContext, endpoint: string | undefined): { url: string; token: string | undefined } {
  const isUrl = endpoint !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint);
  const root = findProjectRoot(ctx.cwd);
  const project = isUrl && !root ? undefined : openProject(ctx.cwd);
  const tokenEnv = project?.config.serving?.auth?.tokenEnv;
  const token = tokenEnv ? process.env[tokenEnv] : undefined;
  if (isUrl) return { url: endpoint, token };
  const state = project ? runningServer(project.paths) : undefined;
  if (!state) {
    throw new UsageError(
      endpoint === undefined ? l10n.t('No model server is running for this project, and no --endpoint URL was given.') : l10n.t('No model server is running for this project to have an endpoint "{0}".', endpoint),
      l10n.t('Start one with `mlops serve`, or give the URL: --endpoint http://127.0.0.1:5005/invocations.'),
    );
  }
  return { url: endpoint === undefined ? `${state.url}/invocations` : `${state.url}/endpoints/${encodeURIComponent(endpoint)}/invocations`, token };
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ');
}

function progressDetail(s: ReplaySummary): string {
  return l10n.t('{0} requests, {1} failed, by version {2}', s.requests, s.failed, countsText(s.byVersion) || '-');
}

const replay = defineCommand({
  name: 'replay',
  usage: 'mlops replay --file rows.csv [--endpoint URL | NAME] [--rate R] [--concurrency C] [--duration S | --once] [--batch N] [--columns a,b] [--json]',
  summary: 'Send the rows of a file to a model endpoint as traffic, and count the answers by status and by model version.',
  options: [
    { name: 'endpoint', type: 'string', description: 'A scoring URL, or the name of an endpoint of this project\'s running server (default: its first endpoint).' },
    { name: 'file', type: 'string', description: 'CSV, TSV or Parquet rows to send; columns the model does not use are left out.' },
    { name: 'rate', type: 'number', min: 0.001, description: 'Requests per second (default: as fast as the server answers).' },
    { name: 'concurrency', type: 'number', integer: true, min: 1, description: 'Requests in flight at once (default 4).' },
    { name: 'duration', type: 'number', min: 0, description: 'Seconds to keep sending, from the first row again when the file ends.' },
    { name: 'once', type: 'boolean', description: 'Send each row once, then stop (the default without --duration).' },
    { name: 'batch', type: 'number', integer: true, min: 1, description: 'Rows per request (default 1).' },
    { name: 'columns', type: 'string', description: 'The columns to send, comma-separated (default: the served model\'s inputs).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const o = ctx.args.options;
    if (!o.file) throw new UsageError(l10n.t('--file is required: the rows to send.'));
    if (o.once && o.duration !== undefined) throw new UsageError(l10n.t('Give --duration or --once, not both.'));
    const columns = o.columns?.split(',').map((c) => c.trim()).filter((c) => c !== '');
    if (columns && !columns.length) throw new UsageError(l10n.t('--columns needs at least one column name.'));
    const { url, token } = target(ctx, o.endpoint);
    const bar = progressBar(ctx);
    const started = performance.now();
    const summary = await whileInterruptible(ctx, (signal) =>
      replayTraffic({
        url,
        file: path.resolve(ctx.cwd, o.file!),
        rate: o.rate,
        concurrency: o.concurrency,
        durationMs: o.duration === undefined ? undefined : o.duration * 1000,
        batch: o.batch,
        columns,
        token,
        signal,
        onProgress: (s) => bar.draw(l10n.t('Replaying'), o.duration === undefined ? 0 : (performance.now() - started) / (o.duration * 1000), progressDetail(s)),
      }),
    );
    bar.end();
    if (o.json) printJson(ctx, 'replay', summary);
    else {
      line(ctx, l10n.t('Sent {0} requests ({1} rows) to {2} in {3} s: {4} failed.', summary.requests, summary.rows, summary.url, (summary.durationMs / 1000).toFixed(1), summary.failed));
      line(ctx, '  ' + l10n.t('by status: {0}', countsText(summary.byStatus)));
      line(ctx, '  ' + l10n.t('by model version: {0}', countsText(summary.byVersion) || '-'));
      line(ctx, '  ' + l10n.t('latency p50 {0} ms, p99 {1} ms', summary.p50Ms?.toFixed(1) ?? '-', summary.p99Ms?.toFixed(1) ?? '-'));
      if (summary.firstFailure) line(ctx, '  ' + l10n.t('first failure ({0}): {1}', summary.firstFailure.status, summary.firstFailure.message));
    }
    return summary.failed ? 1 : 0;
  },
});
export const replayCommands: readonly CliCommand[] = [replay];
