import * as fs from 'node:fs';
import * as path from 'node:path';
import { changedSinceSnapshot, listDatasets, resolveVersion, writeParquetFile, type ParquetColumn } from '../data';
import { ObjectCache, hexOf, syncFolder, temporaryNameBeside } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { EntitySource } from '../tracking';
import type { Project } from '../workspace';
import { serviceFeatures, serviceVersion, type CompiledView, type FeatureProblem, type ServiceFeature } from './definitions';
import { compileForBuild, keyTextOf, LoadedView, MutableInputs } from './source';
import { cellParser, formatTimestamp, makeColumn, readTable, setValue, tableOfRows, type ReadTable, type StoredColumn } from './table';
import type { Value, ValueType } from './typing';
import { assembleVector, vectorBuffer } from './vector';

export interface BuildProgress {
  phase: 'reading' | 'joining' | 'writing';
  done: number;
  total: number;
}

export interface BuildOptions {
  /** The entity rows' time column (default `event_timestamp`). */
  timestamp?: string;
  /** Where to write the training set (.csv or .parquet); without it the result stays in memory only. */
  output?: string;
  signal?: AbortSignal;
  onProgress?: (progress: BuildProgress) => void;
}

/** One output column of a training set. */
export interface TrainingColumn {
  name: string;
  type: ValueType;
  /** The view and feature it comes from; absent for the entity rows' own columns. */
  view?: string;
  feature?: string;
}

export interface TrainingSet {
  service: string;
  rows: number;
  columns: TrainingColumn[];
  /** The data, column by column, in `columns` order. */
  data: StoredColumn[];
  /** Each view the set was built from, with the version and source it had. */
  views: { name: string; version: string; source: string }[];
  /** The service's version: its features and their views' versions (serviceVersion()). */
  serviceVersion: string;
  /** The entity rows' columns a lookup needs: the entities' key columns, the time column, request inputs. */
  entity: EntityInputs;
  /** Where the entity rows came from, so that a retrain can build the set again from a newer version of them. */
  entitySource: EntitySource;
  output?: string;
}

/** What identifies an entity row of a service, and what its on-demand features read from the request. */
export interface EntityInputs {
  keys: string[];
  timestamp: string;
  request: string[];
}

/** Entity rows already read, as text cells in header order; `source` names them in messages. */
export interface EntityRows {
  source: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

/** The entity rows of a CSV, TSV or Parquet file, or of a dataset version (`name` or `name@version`), as text. */
async function entityTable(project: Project, entities: string, signal: AbortSignal | undefined): Promise<{ table: ReadTable; shown: string; source: EntitySource }> {
  const file = path.resolve(project.paths.root, entities);
  if (fs.existsSync(file)) {
    const tracking = listDatasets(project).find((d) => d.versions > 0 && path.resolve(project.paths.root, d.path) === file);
    const relative = path.relative(project.paths.root, file).split(path.sep).join('/');
    // a tracked file as its latest snapshot left it is that version: a retrain or a policy can tell newer rows from it
    const version = tracking && changedSinceSnapshot(project, tracking.name).length === 0 ? { version: tracking.latest!.id } : {};
    const source = { ...(tracking ? { dataset: tracking.name, ...version } : {}), file: relative };
    return { table: await readTable(file, entities, 'all as text', signal), shown: entities, source };
  }
  const { pointer, version } = resolveVersion(project, entities);
  const table = await readTable(new ObjectCache(project.paths.cache).pathOf(hexOf(version.digest)), pointer.path, 'all as text', signal);
  return { table, shown: pointer.path, source: { dataset: pointer.dataset, version: version.id } };
}

export function requireService(project: Project, service: string): ServiceFeature[] {
  const config = project.config.features ?? {};
  if (!config.services?.[service]) {
    throw new MlopsError(
      l10n.t('There is no feature service "{0}".', service),
      l10n.t('Services are declared under features.services in mlops.yaml; known: {0}.', Object.keys(config.services ?? {}).join(', ') || l10n.t('none')),
      'NO_FEATURE_SERVICE',
    );
  }
  const problems: FeatureProblem[] = [];
  const features = serviceFeatures(config, service, problems);
  if (problems.length) throw new MlopsError(l10n.t('mlops.yaml, {0}: {1}', problems[0].path.join('.'), problems[0].message), l10n.t('Fix the service, then try again.'), 'INVALID_FEATURES');
  return features;
}

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MlopsError(l10n.t('Cancelled.'), undefined, 'CANCELLED');
}

/** Request inputs as the entity rows give them: a number when the cell reads as one, else its text. */
export function requestValue(text: string | null): Value {
  if (text === null) return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/**
 * A point-in-time correct training set: for each entity row (its keys and time t), each row feature comes from the
 * entity's latest source row at or before t and no older than the view's ttl, window aggregates cover (t - window,
 * t]. Output columns are the entity rows' own, then `<view>__<feature>` in the service's order; rows stay in the
 * entity rows' order. With `output`, the set is written to a temporary file renamed into place at the end. The
 * entity rows are a file or dataset version, or rows in memory (a gate's holdout).
 */
export async function buildTrainingSet(project: Project, service: string, entities: string | EntityRows, options: BuildOptions = {}): Promise<TrainingSet> {
  const requested = requireService(project, service);
  const config = project.config.features ?? {};
  const viewNames = [...new Set(requested.map((r) => r.view))];
  const compiled = viewNames.map((name) => compileForBuild(project, config, name));
  const timestampColumn = options.timestamp ?? 'event_timestamp';
  if (options.output) outputFormat(options.output);

  options.onProgress?.({ phase: 'reading', done: 0, total: compiled.length + 1 });
  // rows in memory came from no file or version a retrain could read again
  const { table, shown, source: entitySource } = typeof entities === 'string'
    ? await entityTable(project, entities, options.signal)
    : { table: tableOfRows(entities.header, entities.rows), shown: entities.source, source: {} };
  const header = table.header;
  if (!header.includes(timestampColumn)) {
    throw new MlopsError(
      l10n.t('{0} has no column "{1}" with the time of each row; its columns are: {2}.', shown, timestampColumn, header.join(', ')),
      l10n.t('Name the time column with --timestamp COLUMN, or add an event_timestamp column.'),
      'MISSING_COLUMN',
    );
  }
  for (const { view } of compiled) {
    for (const key of view.keys) {
      if (!header.includes(key)) {
        throw new MlopsError(
          l10n.t('{0} has no key column "{1}" of the entity {2} (view {3}); its columns are: {4}.', shown, key, view.entity, view.name, header.join(', ')),
          l10n.t('Add the key column to the entity rows.'),
          'MISSING_COLUMN',
        );
      }
    }
    for (const f of view.features) {
      for (const input of f.requestInputs) {
        if (!header.includes(input)) {
          throw new MlopsError(
            l10n.t('The feature {0}:{1} reads request.{2}, and {3} has no column "{2}".', view.name, f.name, input, shown),
            l10n.t('Add the column to the entity rows: it is the request input at training time.'),
            'MISSING_COLUMN',
          );
        }
      }
    }
  }
  const outputNames = requested.map((r) => `${r.view}__${r.feature}`);
  const clash = outputNames.find((n) => header.includes(n));
  if (clash) {
    throw new MlopsError(l10n.t('{0} already has a column "{1}", the name of a feature column of the training set.', shown, clash), l10n.t('Rename that column of the entity rows.'), 'DUPLICATE_COLUMN');
  }
  const times = entityTimes(table.columns.get(timestampColumn)!.texts!, shown, timestampColumn);

  const data: StoredColumn[] = [];
  const columns: TrainingColumn[] = header.map((name) => ({ name, type: 'string' }));
  for (const name of header) data.push(table.columns.get(name)!);
  const views: TrainingSet['views'] = [];
  for (let v = 0; v < compiled.length; v++) {
    checkCancelled(options.signal);
    const { view, source, version } = compiled[v];
    const loaded = await LoadedView.load(view, version, source, options.signal);
    options.onProgress?.({ phase: 'joining', done: v + 1, total: compiled.length + 1 });
    views.push({ name: view.name, version, source: source.reference });
    const wantedHere = requested.filter((r) => r.view === view.name).map((r) => view.features.find((f) => f.name === r.feature && !f.hidden)!);
    const out = wantedHere.map((f) => makeColumn(f.type, table.rows));
    joinView(loaded, table.rows, view.keys.map((k) => table.columns.get(k)!), times, (name, row) => requestValue(table.columns.get(name)!.texts![row]), wantedHere.map((f) => f.slot), out, options.signal);
    wantedHere.forEach((f, i) => {
      columns.push({ name: `${view.name}__${f.name}`, type: f.type, view: view.name, feature: f.name });
      data.push(out[i]);
    });
  }
  // Reorder the feature columns to the service's order (views were joined one after another).
  const entityCount = header.length;
  const order = outputNames.map((n) => columns.findIndex((c) => c.name === n));
  const ordered = { columns: [...columns.slice(0, entityCount), ...order.map((i) => columns[i])], data: [...data.slice(0, entityCount), ...order.map((i) => data[i])] };

  const entity: EntityInputs = {
    keys: [...new Set(compiled.flatMap(({ view }) => view.keys))],
    timestamp: timestampColumn,
    request: [...new Set(compiled.flatMap(({ view }) => view.features.flatMap((f) => f.requestInputs)))],
  };
  const result: TrainingSet = { service, rows: table.rows, columns: ordered.columns, data: ordered.data, views, serviceVersion: serviceVersion(requested, views), entity, entitySource };
  if (options.output) {
    options.onProgress?.({ phase: 'writing', done: compiled.length + 1, total: compiled.length + 1 });
    result.output = path.resolve(project.paths.root, options.output);
    if (outputFormat(options.output) === 'parquet') writeParquet(result.output, ordered.columns, ordered.data, options.signal);
    else writeCsv(result.output, ordered.columns, ordered.data, table.rows, options.signal);
  }
  return result;
}

/** Every entity row of one view, through the same vector function an online lookup uses. */
function joinView(
  loaded: LoadedView, rows: number, keyColumns: StoredColumn[], times: Float64Array, request: (name: string, row: number) => Value,
  slots: number[], out: StoredColumn[], signal: AbortSignal | undefined,
): void {
  const view: CompiledView = loaded.view;
  const inputs = new MutableInputs(loaded);
  const vector = vectorBuffer(view);
  let row = 0;
  const requestOfRow = (name: string) => request(name, row);
  for (; row < rows; row++) {
    if ((row & 0xffff) === 0) checkCancelled(signal);
    const [from, to] = loaded.rangeOf(keyTextOf(keyColumns, row));
    loaded.inputsAt(from, to, times[row], inputs);
    assembleVector(view, inputs, times[row], requestOfRow, vector);
    for (let i = 0; i < slots.length; i++) setValue(out[i], row, vector.values[slots[i]]);
  }
}

/** The entity rows' times; their own text is what the training set shows, so they are parsed beside it. */
function entityTimes(texts: (string | null)[], shown: string, column: string): Float64Array {
  const parse = cellParser(shown, column, 'datetime');
  const times = new Float64Array(texts.length);
  for (let r = 0; r < texts.length; r++) {
    const text = texts[r];
    if (text === null) {
      throw new MlopsError(l10n.t('{0}, row {1} (line {2}): the time column {3} is empty.', shown, r + 1, r + 2, column), l10n.t('Every entity row needs a time; fix or remove that row; nothing was written.'), 'BAD_CELL');
    }
    times[r] = parse(text, r);
  }
  return times;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** How each cell of a column is written in CSV; one closure per column, not a type test per cell. */
export function cellFormatter(column: StoredColumn): (row: number) => string {
  if (column.texts) {
    const texts = column.texts;
    return (row) => {
      const t = texts[row];
      return t === null ? '' : csvCell(t);
    };
  }
  return columnText(column);
}

/**
 * Each cell of a column as the text a training set's CSV holds, unquoted ('' when missing): what a model trained on
 * the written set read, so a set built in memory is predicted on the same cells.
 */
export function columnText(column: StoredColumn): (row: number) => string {
  if (column.texts) {
    const texts = column.texts;
    return (row) => texts[row] ?? '';
  }
  const numbers = column.numbers!;
  if (column.type === 'datetime') return (row) => (Number.isNaN(numbers[row]) ? '' : formatTimestamp(numbers[row]));
  if (column.type === 'boolean') return (row) => (Number.isNaN(numbers[row]) ? '' : numbers[row] === 1 ? 'true' : 'false');
  return (row) => (Number.isNaN(numbers[row]) ? '' : String(numbers[row]));
}

/** Writes CSV in blocks of rows to a temporary beside the target, then renames it: never half a file under its name. */
export function writeCsv(target: string, columns: TrainingColumn[], data: StoredColumn[], rows: number, signal?: AbortSignal): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = temporaryNameBeside(target);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, columns.map((c) => csvCell(c.name)).join(',') + '\n');
    const formatters = data.map(cellFormatter);
    const BLOCK = 16384;
    for (let start = 0; start < rows; start += BLOCK) {
      checkCancelled(signal);
      const end = Math.min(rows, start + BLOCK);
      const lines: string[] = [];
      for (let r = start; r < end; r++) {
        let line = formatters[0](r);
        for (let c = 1; c < formatters.length; c++) line += ',' + formatters[c](r);
        lines.push(line);
      }
      fs.writeSync(fd, lines.join('\n') + '\n');
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed: the failure came after closing
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncFolder(path.dirname(target));
}

/** A training set is written as CSV or Parquet, by the output's extension; anything else is refused before any work. */
function outputFormat(output: string): 'csv' | 'parquet' {
  if (/\.csv$/i.test(output)) return 'csv';
  if (/\.parquet$/i.test(output)) return 'parquet';
  throw new MlopsError(l10n.t('{0}: training sets are written as CSV or Parquet.', output), l10n.t('Name the output file .csv or .parquet.'), 'UNSUPPORTED_OUTPUT');
}

/** Typed Parquet columns: numbers as DOUBLE, booleans as BOOLEAN, text as STRING, and times as the ISO text CSV holds. */
function writeParquet(target: string, columns: TrainingColumn[], data: StoredColumn[], signal?: AbortSignal): void {
  checkCancelled(signal);
  const typed = columns.map((c, i): ParquetColumn => {
    const column = data[i];
    if (column.texts) return { name: c.name, type: 'STRING', values: column.texts };
    const numbers = column.numbers!;
    if (column.type === 'datetime') return { name: c.name, type: 'STRING', values: Array.from(numbers, (t) => (Number.isNaN(t) ? null : formatTimestamp(t))) };
    return { name: c.name, type: column.type === 'boolean' ? 'BOOLEAN' : 'DOUBLE', values: numbers };
  });
  writeParquetFile(target, typed);
}
