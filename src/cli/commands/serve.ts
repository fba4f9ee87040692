import * as path from 'node:path';
import { l10n } from '../../core/l10n';
import { exposureWarning, fetchServerJson, importFeedbackFile, runningServer, startServer, stopServer, type ServerEvent, type ServerMetrics } from '../../core/serve';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, printJsonLine, type CliCommand, type CommandContext } from '../command';

const line = (ctx: CommandContext, text: string) => ctx.stdout(text + '\n');

function eventText(event: ServerEvent): string {
  switch (event.kind) {
    case 'switched':
      return l10n.t('{0} now answers with version {1} (was {2}).', event.reference, event.to, event.from);
    case 'load-failed':
      return l10n.t('Could not load {0}; the previous version keeps serving: {1}', event.reference, event.message);
    case 'config-reloaded':
      return l10n.t('mlops.yaml changed: endpoints and weights reloaded.');
    case 'config-invalid':
      return l10n.t('mlops.yaml changed but is not valid; the endpoints are unchanged: {0}', event.message);
    case 'shadow-failed':
      return l10n.t('The shadow {0} failed (callers were not affected): {1}', event.reference, event.message);
  }
}

const serve: CliCommand = {
  name: 'serve',
  usage: 'mlops serve [name@alias | name/version ...] [--port P] [--host H] [--json]',
  summary: 'Serve registered models over HTTP (MLflow scoring and Open Inference Protocol v2) until stopped.',
  options: [
    { name: 'port', type: 'number', description: 'TCP port (default: serving.port, else 5005; 0 picks a free one).' },
    { name: 'host', type: 'string', description: 'Address to bind (default 127.0.0.1).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const port = ctx.args.options.port as number | undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(l10n.t('--port must be a port number (0 to 65535).'));
    const host = (ctx.args.options.host as string | undefined) ?? project.config.serving?.host ?? '127.0.0.1';
    const warning = exposureWarning(host);
    if (warning) ctx.stderr(warning + '\n');
    const server = await startServer(project, {
      references: ctx.args.positionals,
      host,
      port,
      onEvent: (event) => ctx.stderr(eventText(event) + '\n'),
    });
    const metrics = server.metrics();
    if (ctx.args.options.json) printJsonLine(ctx, 'serve', { pid: metrics.pid, url: server.url, endpoints: metrics.endpoints.map((e) => ({ name: e.name, url: e.url, routes: e.routes })) });
    else {
      line(ctx, l10n.t('Serving on {0} (process {1}); stop with Ctrl+C or `mlops serve stop`.', server.url, metrics.pid));
      for (const e of metrics.endpoints) line(ctx, `  ${e.name}  ${e.url}  ${e.routes.map((r) => `${r.model} → ${r.version}`).join(', ')}${e.default ? `  (${server.url}/invocations)` : ''}`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void server.close().then(resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    if (!ctx.args.options.json) line(ctx, l10n.t('Stopped.'));
    return 0;
  },
};

const status: CliCommand = {
  name: 'serve status',
  usage: 'mlops serve status [--json]',
  summary: 'Show the running model server: endpoints, versions answering, requests/s, p99 latency and errors.',
  options: [JSON_OPTION],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const state = runningServer(project.paths);
    if (!state) {
      if (ctx.args.options.json) printJson(ctx, 'serve status', { running: false });
      else line(ctx, l10n.t('No model server is running for this project. Start one with `mlops serve`.'));
      return ctx.args.options.json ? 0 : 1;
    }
    const tokenEnv = project.config.serving?.auth?.tokenEnv;
    const metrics = (await fetchServerJson(state, '/metrics', tokenEnv ? process.env[tokenEnv] : undefined)) as ServerMetrics;
    if (ctx.args.options.json) {
      printJson(ctx, 'serve status', { running: true, ...metrics });
      return 0;
    }
    line(ctx, l10n.t('Serving on {0} (process {1}) since {2}.', metrics.url, metrics.pid, metrics.started));
    for (const e of metrics.endpoints) {
      const routes = e.routes.map((r) => `${r.model} → ${r.version ?? '?'}${e.routes.length > 1 ? ` (${r.weight})` : ''}`).join(', ');
      const p99 = e.p99Ms === null ? '-' : `${e.p99Ms.toFixed(1)} ms`;
      line(ctx, `  ${e.name}  ${e.url}  ${routes}${e.shadow ? `  shadow ${e.shadow.model} → ${e.shadow.version ?? '?'}` : ''}`);
      line(ctx, '    ' + l10n.t('{0} requests/s, p99 {1}, {2} errors of {3} requests{4}', e.requestsPerSecond.toFixed(1), p99, e.errors, e.requests, e.loaded ? '' : l10n.t(' (unloaded)')));
    }
    return 0;
  },
};

const stop: CliCommand = {
  name: 'serve stop',
  usage: 'mlops serve stop [--json]',
  summary: 'Stop the running model server after the requests in flight are answered.',
  options: [JSON_OPTION],
  async run(ctx) {
    const stopped = await stopServer(openProject(ctx.cwd).paths);
    if (ctx.args.options.json) printJson(ctx, 'serve stop', { stopped: !!stopped, pid: stopped?.pid ?? null });
    else line(ctx, stopped ? l10n.t('Stopped the server on {0} (process {1}).', stopped.url, stopped.pid) : l10n.t('No model server was running for this project.'));
    return 0;
  },
};

const feedback: CliCommand = {
  name: 'feedback',
  usage: 'mlops feedback --file labels.csv --id-column request_id [--label-column label] [--json]',
  summary: 'Record the true labels of earlier predictions, by request id, for monitoring.',
  options: [
    { name: 'file', type: 'string', description: 'A CSV file with a request id column and a label column.' },
    { name: 'id-column', type: 'string', description: 'The column holding request ids (x-request-id of the answers).' },
    { name: 'label-column', type: 'string', description: 'The column holding the true labels (default: label).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const file = ctx.args.options.file as string | undefined;
    const idColumn = ctx.args.options['id-column'] as string | undefined;
    if (!file || !idColumn) throw new UsageError(l10n.t('--file and --id-column are required.'));
    const result = await importFeedbackFile(openProject(ctx.cwd), path.resolve(ctx.cwd, file), { idColumn, labelColumn: ctx.args.options['label-column'] as string | undefined });
    if (ctx.args.options.json) printJson(ctx, 'feedback', result);
    else line(ctx, l10n.t('Recorded {0} labels ({1} rows without a label skipped).', result.labels, result.skipped));
    return 0;
  },
};

export const serveCommands: readonly CliCommand[] = [serve, status, stop, feedback];
