import { collectGarbage, diffVersions, listDatasets, listVersions, pullObjects, pushObjects, restoreVersion, snapshotDataset, type TableDiff, type TransferResult } from '../../core/data';
import { l10n } from '../../core/l10n';
import { openProject, type Project } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, defineCommand, projectForReading, type CommandContext } from '../command';
import { interruptOnCtrlC, progressBar } from '../terminal';

/** A byte count's progress as a bar on a terminal. */
function bytesProgress(ctx: CommandContext): { update: (label: string, done: number, total: number) => void; end: () => void } {
  const bar = progressBar(ctx);
  return {
    update(label, done, total) {
      if (total > 0) bar.draw(label, done / total, `${Math.floor((100 * done) / total)}% ${formatBytes(done)} / ${formatBytes(total)}`);
    },
    end: () => bar.end(),
  };
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function positionals(ctx: CommandContext, count: number, what: string): string[] {
  const p = ctx.args.positionals;
  if (p.length !== count) throw new UsageError(l10n.t('Expected {0}.', what));
  return p;
}

const snapshot = defineCommand({
  name: 'snapshot',
  usage: 'mlops snapshot <path> [--name NAME] [-m MESSAGE] [--json]',
  summary: 'Record a new version of a data file or folder: hash, cache, profile, pointer file and git commit.',
  options: [
    { name: 'name', type: 'string', description: 'Dataset name (default: the mlops.yaml dataset with this path, else the file or folder name).' },
    { name: 'message', short: 'm', type: 'string', description: 'What changed in this version.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const [target] = positionals(ctx, 1, l10n.t('one data file or folder'));
    const project = openProject(ctx.cwd);
    const progress = bytesProgress(ctx);
    const labels = { scanning: l10n.t('Scanning'), hashing: l10n.t('Hashing'), profiling: l10n.t('Profiling'), recording: l10n.t('Recording') };
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const result = await snapshotDataset(project, target, {
        name: ctx.args.options.name,
        message: ctx.args.options.message,
        signal: interrupt.signal,
        onProgress: (p) => progress.update(labels[p.phase], p.done, p.total),
      }, ctx.cwd);
      progress.end();
      const v = result.version;
      if (ctx.args.options.json) {
        printJson(ctx, 'snapshot', {
          dataset: result.dataset,
          version: v.id,
          digest: v.digest,
          created: result.created,
          path: result.path,
          pointer: result.pointer,
          kind: v.kind,
          size: v.size,
          files: v.files,
          rows: v.rows ?? null,
          columns: v.columns ?? null,
          profile: v.profile ?? null,
          commit: v.commit ?? null,
          git: result.git ? { status: result.git.status, commit: result.git.commit ?? null, notes: result.git.notes } : null,
          hashedFiles: result.hashedFiles,
          reusedFiles: result.reusedFiles,
          notes: result.notes,
        });
        return 0;
      }
      ctx.stdout(result.summary + '\n');
      if (result.created) {
        const shape = v.rows !== undefined ? l10n.t(', {0} rows x {1} columns', v.rows, v.columns ?? 0) : '';
        ctx.stdout((v.files === 1 ? l10n.t('  1 file, {0}{1}', formatBytes(v.size), shape) : l10n.t('  {0} files, {1}{2}', v.files, formatBytes(v.size), shape)) + '\n');
        if (result.git?.status === 'committed') ctx.stdout(l10n.t('  committed {0} in {1}', result.pointer, (result.git.commit ?? '').slice(0, 10)) + '\n');
        if (result.git?.status === 'staged') ctx.stdout(l10n.t('  staged {0}', result.pointer) + '\n');
      }
      for (const note of [...(result.git?.notes ?? []), ...result.notes]) ctx.stderr(note + '\n');
      return 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
});

const datasets = defineCommand({
  name: 'datasets',
  usage: 'mlops datasets [--json]',
  summary: 'List the datasets: declared in mlops.yaml or snapshotted, with their latest version.',
  options: [JSON_OPTION],
  run(ctx) {
    const list = listDatasets(projectForReading(ctx));
    if (ctx.args.options.json) {
      printJson(ctx, 'datasets', { datasets: list });
      return 0;
    }
    if (list.length === 0) ctx.stdout(l10n.t('No datasets yet. Declare them in mlops.yaml, or run `mlops snapshot <path>`.') + '\n');
    for (const d of list) {
      const latest = !d.latest ? l10n.t('no versions')
        : d.versions === 1 ? l10n.t('1 version, @{0} {1} {2}', d.latest.id, d.latest.created, d.latest.digest.slice(0, 19))
        : l10n.t('{0} versions, latest @{1} {2} {3}', d.versions, d.latest.id, d.latest.created, d.latest.digest.slice(0, 19));
      ctx.stdout(`${d.name}  ${d.path}  ${latest}\n`);
    }
    return 0;
  },
});

const versions = defineCommand({
  name: 'versions',
  usage: 'mlops versions <name> [--json]',
  summary: 'List the versions of a dataset.',
  options: [JSON_OPTION],
  run(ctx) {
    const [name] = positionals(ctx, 1, l10n.t('one dataset name'));
    const list = listVersions(projectForReading(ctx), name);
    if (ctx.args.options.json) {
      printJson(ctx, 'versions', { dataset: name, versions: list });
      return 0;
    }
    for (const v of list) {
      const shape = v.rows !== undefined ? ` ${v.rows}x${v.columns}` : '';
      ctx.stdout(`@${v.id}  ${v.created}  ${v.digest.slice(0, 19)}  ${formatBytes(v.size)}${shape}${v.message ? '  ' + v.message : ''}\n`);
    }
    return 0;
  },
});

const restore = defineCommand({
  name: 'restore',
  usage: 'mlops restore <name>@<version> [--to PATH] [--force] [--json]',
  summary: 'Write a dataset version back from the cache, checking every byte against its hash.',
  options: [
    { name: 'to', type: 'string', description: 'Write it here instead of the dataset\'s own path.' },
    { name: 'force', type: 'boolean', description: 'Overwrite local changes that no snapshot holds.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    const [reference] = positionals(ctx, 1, l10n.t('one version, as name@N, name@latest or name@digest'));
    const progress = bytesProgress(ctx);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const result = await restoreVersion(openProject(ctx.cwd), reference, {
        to: ctx.args.options.to,
        force: ctx.args.options.force === true,
        cwd: ctx.cwd,
        signal: interrupt.signal,
        onProgress: (done, total) => progress.update(l10n.t('Restoring'), done, total),
      });
      progress.end();
      if (ctx.args.options.json) printJson(ctx, 'restore', result);
      else ctx.stdout(result.summary + '\n');
      return 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
});

function printTable(ctx: CommandContext, t: TableDiff, indent: string): void {
  const show = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v));
  ctx.stdout(indent + l10n.t('rows: {0} -> {1}', t.rows.from, t.rows.to) + '\n');
  for (const c of t.schema.added) ctx.stdout(indent + l10n.t('+ column {0}', c) + '\n');
  for (const c of t.schema.removed) ctx.stdout(indent + l10n.t('- column {0}', c) + '\n');
  for (const c of t.schema.typeChanged) ctx.stdout(indent + l10n.t('~ column {0}: {1} -> {2}', c.column, c.from, c.to) + '\n');
  for (const c of t.columns) {
    const parts = Object.entries(c.changes).map(([stat, ch]) => `${stat} ${show(ch?.from)} -> ${show(ch?.to)}`);
    ctx.stdout(`${indent}  ${c.column}: ${parts.join(', ')}\n`);
  }
  if (t.keyed) {
    const k = t.keyed;
    ctx.stdout(indent + l10n.t('by {0}: {1} added, {2} removed, {3} changed, {4} unchanged', k.key, k.added, k.removed, k.changed, k.unchanged) + '\n');
  }
}

/** The key mlops.yaml declares for a dataset: its entity and timestamp columns, which together name one row. */
function declaredKey(project: Project, reference: string): string[] | undefined {
  const declared = project.config.datasets?.[reference.slice(0, reference.lastIndexOf('@'))];
  const columns = [declared?.entity, declared?.timestamp].filter((c): c is string => Boolean(c));
  return columns.length ? columns : undefined;
}

const diff = defineCommand({
  name: 'diff',
  usage: 'mlops diff <name>@<a> <name>@<b> [--key COLUMN[,COLUMN...]] [--json]',
  summary: 'Compare two versions: files, schema, row counts, column statistics; with a key, rows added, removed and changed.',
  options: [{ name: 'key', type: 'string', description: 'Columns that identify a row, comma-separated, to compare rows (default: the dataset\'s entity and timestamp in mlops.yaml).' }, JSON_OPTION],
  async run(ctx) {
    const [a, b] = positionals(ctx, 2, l10n.t('two versions, as name@N'));
    const project = openProject(ctx.cwd);
    const key = ctx.args.options.key ?? declaredKey(project, a);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const result = await diffVersions(project, a, b, { key, signal: interrupt.signal });
      if (ctx.args.options.json) {
        printJson(ctx, 'diff', result);
        return 0;
      }
      ctx.stdout(l10n.t('{0}@{1} -> @{2}', result.dataset, result.from.version, result.to.version) + (result.identical ? l10n.t(': identical') : '') + '\n');
      if (result.files) {
        for (const f of result.files.added) ctx.stdout(`  + ${f}\n`);
        for (const f of result.files.removed) ctx.stdout(`  - ${f}\n`);
        for (const f of result.files.modified) ctx.stdout(`  ~ ${f}\n`);
      }
      if (result.table) printTable(ctx, result.table, '  ');
      for (const [p, t] of Object.entries(result.tables ?? {})) {
        ctx.stdout(`  ${p}\n`);
        printTable(ctx, t, '    ');
      }
      return 0;
    } finally {
      interrupt.dispose();
    }
  },
});

const gc = defineCommand({
  name: 'gc',
  usage: 'mlops gc [--force] [--json]',
  summary: 'Find cache objects no dataset version references; delete them with --force.',
  options: [{ name: 'force', type: 'boolean', description: 'Delete them (without it, only report what would be freed).' }, JSON_OPTION],
  async run(ctx) {
    const result = await collectGarbage(openProject(ctx.cwd), { force: ctx.args.options.force === true });
    if (ctx.args.options.json) printJson(ctx, 'gc', result);
    else if (result.removed) ctx.stdout(l10n.t('Removed {0} unreferenced objects, {1} freed.', result.objects, formatBytes(result.bytes)) + '\n');
    else ctx.stdout(l10n.t('{0} unreferenced objects would free {1}. Run `mlops gc --force` to delete them.', result.objects, formatBytes(result.bytes)) + '\n');
    return 0;
  },
});

function transferCommand(name: 'push' | 'pull') {
  return defineCommand({
    name,
    usage: `mlops ${name} [--json]`,
    summary: name === 'push' ? 'Copy the cache objects the remote lacks to data.remote, verifying hashes.' : 'Fetch the cache objects this machine lacks from data.remote, verifying hashes.',
    options: [JSON_OPTION],
    async run(ctx) {
      const project = openProject(ctx.cwd);
      const progress = bytesProgress(ctx);
      const interrupt = interruptOnCtrlC(ctx);
      let done = 0;
      try {
        const work = name === 'push' ? pushObjects : pullObjects;
        const result: TransferResult = await work(project, { signal: interrupt.signal, onBytes: (n) => progress.update(name, (done += n), Math.max(done, 1)) });
        progress.end();
        if (ctx.args.options.json) printJson(ctx, 'transfer', result);
        else {
          const line = name === 'push'
            ? l10n.t('Pushed {0} objects ({1}) to {2}; {3} were already there.', result.copied, formatBytes(result.bytes), result.remote, result.present)
            : l10n.t('Pulled {0} objects ({1}) from {2}; {3} were already here.', result.copied, formatBytes(result.bytes), result.remote, result.present);
          ctx.stdout(line + '\n');
          if (result.missing.length) ctx.stderr(l10n.t('{0} objects are in neither cache: the versions that need them cannot be restored here.', result.missing.length) + '\n');
        }
        return result.missing.length ? 1 : 0;
      } finally {
        progress.end();
        interrupt.dispose();
      }
    },
  });
}

export const dataCommands = [snapshot, datasets, versions, restore, diff, gc, transferCommand('push'), transferCommand('pull')];
