import { buildTrainingSet, cellFormatter, featureTypeText, getOnlineFeatures, listFeatures, materialize, parseTimestamp, requestValue, snapshotTrainingSet } from '../../core/features';
import { l10n } from '../../core/l10n';
import { openMetadataStore } from '../../core/metadata';
import { featureUsage } from '../../core/registry';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { defineCommand, JSON_OPTION, printJson, type CliCommand } from '../command';
import { interruptOnCtrlC } from '../terminal';

function timeOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseTimestamp(raw);
  if (t === undefined) throw new UsageError(l10n.t('--{0} needs an ISO 8601 date or date-time (2024-05-01, 2024-05-01T12:00:00Z); got "{1}".', name, raw));
  return t;
}

/** `k=v` pairs: the option's value and any that follow it on the command line. */
function pairs(option: string, first: string | undefined, rest: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of [first, ...rest].filter((p): p is string => p !== undefined)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(l10n.t('--{0} takes COLUMN=VALUE pairs; got "{1}".', option, pair));
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const build = defineCommand({
  name: 'features build',
  usage: 'mlops features build <service> --entities <file.csv | dataset[@version]> [--timestamp COL] [--output out.csv|out.parquet] [--snapshot NAME] [--json]',
  summary: 'Build a point-in-time correct training set: the service\'s features joined to each entity row as of its time.',
  options: [
    { name: 'entities', type: 'string', description: 'Entity rows: a CSV, TSV or Parquet file, or a dataset (name or name@version).' },
    { name: 'timestamp', type: 'string', description: 'Column of the entity rows holding each row\'s time (default: event_timestamp).' },
    { name: 'output', type: 'string', description: 'CSV or Parquet file to write, by its extension (default: the CSV goes to standard output).' },
    { name: 'snapshot', type: 'string', description: 'Record the written set as a version of this dataset, with lineage to the service and its views.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const [service, ...extra] = ctx.args.positionals;
    if (!service || extra.length) throw new UsageError(l10n.t('Expected {0}.', l10n.t('one feature service')));
    const { entities, output, snapshot, timestamp } = ctx.args.options;
    if (!entities) throw new UsageError(l10n.t('--entities is required: the file or dataset of entity rows.'));
    if (snapshot !== undefined && !output) throw new UsageError(l10n.t('--snapshot needs --output FILE inside the project: the file the dataset version records.'));
    const project = openProject(ctx.cwd);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const set = await buildTrainingSet(project, service, entities, { timestamp, output, signal: interrupt.signal });
      const recorded = snapshot === undefined ? undefined : await snapshotTrainingSet(project, set, snapshot, interrupt.signal);
      const summary = {
        service, rows: set.rows, columns: set.columns.map((c) => ({ name: c.name, type: c.type, view: c.view ?? null, feature: c.feature ?? null })), views: set.views, output: set.output ?? null,
        serviceVersion: set.serviceVersion,
        snapshot: recorded ? { dataset: recorded.dataset, version: recorded.version.id, digest: recorded.version.digest, created: recorded.created } : null,
      };
      if (ctx.args.options.json) printJson(ctx, 'features build', summary);
      else if (set.output) {
        ctx.stdout(l10n.t('Wrote {0} rows and {1} columns to {2}.', set.rows, set.columns.length, set.output) + '\n');
        ctx.stdout(l10n.t('  service {0} version {1}', service, set.serviceVersion) + '\n');
        for (const v of set.views) ctx.stdout(l10n.t('  {0} version {1} (source {2})', v.name, v.version, v.source) + '\n');
        if (recorded) ctx.stdout(recorded.summary + '\n');
      } else {
        ctx.stdout(set.columns.map((c) => c.name).join(',') + '\n');
        const formatters = set.data.map(cellFormatter);
        const lines: string[] = [];
        for (let r = 0; r < set.rows; r++) {
          lines.push(formatters.map((format) => format(r)).join(','));
          if (lines.length === 8192) ctx.stdout(lines.splice(0).join('\n') + '\n');
        }
        if (lines.length) ctx.stdout(lines.join('\n') + '\n');
      }
      return 0;
    } finally {
      interrupt.dispose();
    }
  },
});

const materializeCommand = defineCommand({
  name: 'features materialize',
  usage: 'mlops features materialize [<view>...] [--end TIME] [--json]',
  summary: 'Write each entity\'s latest feature values as of --end (default now) to the online store, incrementally.',
  options: [{ name: 'end', type: 'string', description: 'Materialize as of this time (ISO 8601; default: now).' }, JSON_OPTION],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const results = await materialize(project, ctx.args.positionals, timeOption('end', ctx.args.options.end), interrupt.signal);
      if (ctx.args.options.json) printJson(ctx, 'features materialize', { views: results });
      else {
        for (const r of results) {
          ctx.stdout(l10n.t('{0} version {1}: {2} entities as of {3} ({4} computed, {5} carried over).', r.view, r.version, r.entities, r.end, r.updated, r.entities - r.updated) + '\n');
        }
        if (results.length === 0) ctx.stdout(l10n.t('No feature views to materialize.') + '\n');
      }
      return 0;
    } finally {
      interrupt.dispose();
    }
  },
});

const get = defineCommand({
  name: 'features get',
  usage: 'mlops features get <service> --entity COLUMN=VALUE [COLUMN=VALUE...] [--request NAME=VALUE ...] [--at TIME] [--json]',
  summary: 'Look up a service\'s feature vector for one entity in the online store: values, event times, and status.',
  options: [
    { name: 'entity', type: 'string', description: 'The entity\'s key, as COLUMN=VALUE (more pairs may follow for a key of several columns).' },
    { name: 'request', type: 'string', repeatable: true, description: 'A request input of on-demand features, as NAME=VALUE; repeat it for each input.' },
    { name: 'at', type: 'string', description: 'Time of the lookup, against which TTL is enforced (ISO 8601; default: now).' },
    JSON_OPTION,
  ],
  run(ctx) {
    const [service, ...more] = ctx.args.positionals;
    if (!service) throw new UsageError(l10n.t('Expected {0}.', l10n.t('one feature service')));
    const { entity, request: requested, at } = ctx.args.options;
    if (entity === undefined) throw new UsageError(l10n.t('--entity is required: the key of the entity, as COLUMN=VALUE.'));
    const keys = pairs('entity', entity, more);
    const requestText = requested === undefined ? {} : pairs('request', undefined, requested);
    const request = Object.fromEntries(Object.entries(requestText).map(([k, v]) => [k, requestValue(v)]));
    const project = openProject(ctx.cwd);
    const [values] = getOnlineFeatures(project, service, [keys], { at: timeOption('at', at), request });
    if (ctx.args.options.json) printJson(ctx, 'features get', { service, entity: keys, features: values });
    else {
      const width = Math.max(...values.map((v) => v.name.length));
      for (const v of values) {
        const status = v.status === 'present' ? l10n.t('present') : v.status === 'expired' ? l10n.t('expired') : l10n.t('missing');
        ctx.stdout(`${v.name.padEnd(width)}  ${v.value === null ? '-' : String(v.value)}  ${status}${v.eventTime ? `  ${v.eventTime}` : ''}\n`);
      }
    }
    return 0;
  },
});

const list = defineCommand({
  name: 'features list',
  usage: 'mlops features list [--json]',
  summary: 'List the feature entities, views (with their version and each feature\'s type) and services of mlops.yaml, with the runs and models that used each service.',
  options: [JSON_OPTION],
  async run(ctx) {
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    const usage = (() => {
      try {
        return featureUsage(store, project.paths);
      } finally {
        store.close();
      }
    })();
    const found = listFeatures(project);
    const listing = { ...found, services: found.services.map((s) => ({ ...s, usedBy: usage[s.name] ?? { runs: [], models: [] } })) };
    if (ctx.args.options.json) {
      printJson(ctx, 'features list', listing);
      return 0;
    }
    ctx.stdout(l10n.t('Entities:') + '\n');
    for (const e of listing.entities) ctx.stdout(`  ${e.name} (${e.keys.join(', ')})\n`);
    ctx.stdout(l10n.t('Views:') + '\n');
    for (const v of listing.views) {
      ctx.stdout(`  ${v.name}  ${l10n.t('version {0}', v.version ?? '-')}  ${l10n.t('source {0}', v.sourceVersion ?? v.source)}${v.materialized ? `  ${l10n.t('materialized as of {0}', v.materialized.end)}` : ''}\n`);
      for (const f of v.features) ctx.stdout(`    ${f.name}: ${featureTypeText(f.type)} = ${f.definition}\n`);
    }
    ctx.stdout(l10n.t('Services:') + '\n');
    for (const s of listing.services) {
      ctx.stdout(`  ${s.name}: ${s.features.join(', ')}\n`);
      const models = s.usedBy.models.map((m) => `${m.model} v${m.version}${m.aliases.map((a) => ` @${a}`).join('')}`);
      if (models.length || s.usedBy.runs.length) ctx.stdout(`    ${l10n.t('used by {0}; {1} runs', models.join(', ') || '-', s.usedBy.runs.length)}\n`);
    }
    for (const p of listing.problems) ctx.stderr(p + '\n');
    return 0;
  },
});

export const featureCommands: readonly CliCommand[] = [build, materializeCommand, get, list];
