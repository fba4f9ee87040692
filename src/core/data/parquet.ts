import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { MlopsError } from '../errors';
import { installPaths } from '../install';
import { writeFileDurably } from '../storage';
import { l10n } from '../l10n';
import { ColumnAccumulator, type DatasetProfile } from './profile';

type Hyparquet = typeof import('hyparquet') & Pick<typeof import('hyparquet-compressors'), 'compressors'> & Pick<typeof import('hyparquet-writer'), 'parquetWriteBuffer'>;
let loaded: Hyparquet | undefined;

/**
 * hyparquet, from the CommonJS bundle the build makes of it (scripts/hyparquet-entry.mjs says why): beside the
 * bundles in dist/, and in the project's dist/ for code compiled by tsc. Loaded on first use of a Parquet file.
 */
function hyparquet(): Hyparquet {
  if (loaded) return loaded;
  const beside = path.join(__dirname, 'hyparquet.js');
  const file = fs.existsSync(beside) ? beside : path.join(installPaths().root, 'dist', 'hyparquet.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  // createRequire: resolved when run, not by esbuild, which would otherwise bundle the ES modules again.
  loaded = createRequire(__filename)(file) as Hyparquet;
  return loaded;
}

/**
 * Profiles a Parquet file with the accumulators JSON lines use, so a table gets the same profile in either format.
 * It is read one row group at a time, each column chunk as it is decoded, so memory stays near one row group's
 * worth. Values are made plain first (toJson): 64-bit integers become numbers, dates and timestamps ISO text, which
 * the profile reads as datetimes; lists, structs and bytes become JSON text.
 */
export function profileParquet(file: string, onBytes?: (n: number) => void): Promise<DatasetProfile> {
  return withParquet(file, async (buffer, metadata) => {
    const elements = hyparquet().parquetSchema(metadata).children.map((c) => c.element);
    const names = elements.map((e) => e.name);
    const columns = new Map(elements.map((e) => {
      const column = new ColumnAccumulator(e.name);
      if (e.type === 'FLOAT' || e.type === 'DOUBLE') column.declareFloat();
      return [e.name, column] as const;
    }));
    const { toJson } = hyparquet();
    const add = (name: string, _row: number, value: unknown) => columns.get(name)!.addJson(toJson(value));
    const rows = await forEachValue(buffer, metadata, names, add, onBytes);
    // As in JSON lines, a column whose values turn out mixed (numbers, then text) is read again as text.
    const mixed = [...columns.values()].filter((c) => c.rescan);
    if (mixed.length) {
      for (const c of mixed) c.restartAsText();
      await forEachValue(buffer, metadata, mixed.map((c) => c.name), add);
    }
    return { schema: 1, format: 'parquet', rows, columns: names.map((n) => columns.get(n)!.summarize(rows)) };
  });
}

/** Calls `onRow` with each row's values in column order, one row group in memory at a time (for keyed diffs). */
export function forEachParquetRow(file: string, onRow: (columns: string[], values: unknown[]) => void): Promise<void> {
  return withParquet(file, async (buffer, metadata) => {
    const names = hyparquet().parquetSchema(metadata).children.map((c) => c.element.name);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      await unlessUnreadable(() => hyparquet().parquetRead({
        file: buffer, metadata, compressors: hyparquet().compressors, rowStart, rowEnd,
        onComplete: (rows: unknown[][]) => rows.forEach((row) => onRow(names, row)),
      }));
      rowStart = rowEnd;
    }
  });
}

/** A column read whole for training: numbers when every value is one, otherwise each value as a CSV cell would hold it. */
export type WholeColumn = { kind: 'numeric'; values: Float64Array } | { kind: 'text'; values: (string | undefined)[] };

/** The top-level columns of the file in schema order, each whole, or undefined (not read) when in `exclude`. */
export function readParquetColumns(file: string, exclude: ReadonlySet<string>): Promise<{ names: string[]; rows: number; columns: (WholeColumn | undefined)[] }> {
  return withParquet(file, async (buffer, metadata) => {
    const names = hyparquet().parquetSchema(metadata).children.map((c) => c.element.name);
    const wanted = names.filter((n) => !exclude.has(n));
    const rows = Number(metadata.num_rows);
    const raw = names.map((n) => (exclude.has(n) ? undefined : new Array<unknown>(rows)));
    const at = new Map(names.map((n, j) => [n, j]));
    await forEachValue(buffer, metadata, wanted, (name, row, value) => void (raw[at.get(name)!]![row] = value));
    return { names, rows, columns: raw.map((values) => values && wholeColumn(values)) };
  });
}

function wholeColumn(values: unknown[]): WholeColumn {
  const isNumber = (v: unknown) => v === null || v === undefined || typeof v === 'number' || typeof v === 'bigint';
  if (values.every(isNumber)) return { kind: 'numeric', values: Float64Array.from(values, (v) => (v === null || v === undefined ? NaN : Number(v))) };
  return { kind: 'text', values: values.map(parquetCellText) };
}

/** A value as the text a CSV cell of it would hold: dates in ISO 8601, lists and structs as JSON. */
export function parquetCellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const plain = hyparquet().toJson(value);
  return typeof plain === 'string' || typeof plain === 'number' || typeof plain === 'boolean' ? String(plain) : JSON.stringify(plain);
}

/** The top-level column names, from the footer alone and synchronously: a target picker needs them at once. */
export function parquetColumnNames(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (start: number, length: number) => {
      const bytes = Buffer.alloc(Math.max(0, length));
      fs.readSync(fd, bytes, 0, bytes.length, start);
      return bytes;
    };
    const tail = read(size - 8, 8);
    const footerLength = tail.readUInt32LE(0);
    if (size < 12 || tail.toString('latin1', 4) !== 'PAR1' || footerLength > size - 12) throw unreadable(l10n.t('no Parquet footer at its end'));
    try {
      const { parquetSchema, parquetMetadata } = hyparquet();
      return parquetSchema(parquetMetadata(read(size - 8 - footerLength, footerLength + 8))).children.map((c) => c.element.name);
    } catch (err) {
      throw unreadable((err as Error).message);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens `file` for hyparquet, reads its footer, and closes it once `use` is done. */
async function withParquet<T>(file: string, use: (buffer: AsyncBuffer, metadata: FileMetaData) => Promise<T>): Promise<T> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = fileBuffer(fd, fs.fstatSync(fd).size);
    return await use(buffer, await unlessUnreadable(() => hyparquet().parquetMetadataAsync(buffer)));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Hands every value of the columns `names` to `onValue`, column chunk by column chunk, one row group decoded at a
 * time; returns the number of rows. `onBytes` hears each row group's compressed size as it is done.
 */
async function forEachValue(
  buffer: AsyncBuffer, metadata: FileMetaData, names: string[], onValue: (column: string, row: number, value: unknown) => void, onBytes?: (n: number) => void,
): Promise<number> {
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const first = rowStart;
    await unlessUnreadable(() => hyparquet().parquetRead({
      file: buffer, metadata, compressors: hyparquet().compressors, rowStart: first, rowEnd, columns: names,
      onChunk: ({ columnName, columnData, rowStart: start, rowEnd: end }) => {
        // A chunk may reach beyond the rows asked for: only this group's rows count.
        for (let r = Math.max(start, first); r < Math.min(end, rowEnd); r++) onValue(columnName, r, columnData[r - start]);
      },
    }));
    onBytes?.(group.columns.reduce((sum, c) => sum + Number(c.meta_data?.total_compressed_size ?? 0), 0));
    rowStart = rowEnd;
  }
  return rowStart;
}

/** The file as hyparquet reads it: slices on demand, so only the footer and the row group at hand are in memory. */
function fileBuffer(fd: number, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice(start: number, end = size): ArrayBuffer {
      const bytes = new Uint8Array(end - start);
      let read = 0;
      while (read < bytes.length) {
        const n = fs.readSync(fd, bytes, read, bytes.length - read, start + read);
        if (n === 0) break;
        read += n;
      }
      return bytes.buffer;
    },
  };
}

/** The reader's failure as the error a snapshot expects (BAD_PARQUET: the version is kept without a profile). */
async function unlessUnreadable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw unreadable((err as Error).message);
  }
}

function unreadable(reason: string): MlopsError {
  return new MlopsError(
    l10n.t('It cannot be read as Parquet: {0}.', reason.replace(/\.$/, '')),
    l10n.t('Check that the file is complete (a Parquet file ends with its footer) and opens in another Parquet reader.'),
    'BAD_PARQUET',
  );
}

/** One column to write: numbers (NaN is null) as DOUBLE, booleans (1, 0, NaN) as BOOLEAN, text (null is null) as STRING. */
export type ParquetColumn =
  | { name: string; type: 'DOUBLE' | 'BOOLEAN'; values: Float64Array }
  | { name: string; type: 'STRING'; values: readonly (string | null)[] };

/**
 * Writes a table as one Parquet file (Snappy, hyparquet-writer's defaults), durably: it appears whole under its
 * name or not at all. The file is built in memory first, as the writer does; a training set's size is fine for it.
 */
export function writeParquetFile(target: string, columns: readonly ParquetColumn[]): void {
  const columnData = columns.map((c) => {
    if (c.type === 'STRING') return { name: c.name, type: c.type, data: [...c.values] };
    const values = c.values;
    const data = new Array<number | boolean | null>(values.length);
    for (let i = 0; i < values.length; i++) data[i] = Number.isNaN(values[i]) ? null : c.type === 'BOOLEAN' ? values[i] === 1 : values[i];
    return { name: c.name, type: c.type, data };
  });
  writeFileDurably(target, new Uint8Array(hyparquet().parquetWriteBuffer({ columnData })));
}
