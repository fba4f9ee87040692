import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, parquetSchema, toJson, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { ColumnAccumulator, type DatasetProfile } from './profile';

/**
 * Profiles a Parquet file with the accumulators JSON lines use, so a table gets the same profile in either format.
 * It is read one row group at a time, each column chunk as it is decoded, so memory stays near one row group's
 * worth. Values are made plain first (toJson): 64-bit integers become numbers, dates and timestamps ISO text, which
 * the profile reads as datetimes; lists, structs and bytes become JSON text.
 */
export function profileParquet(file: string, onBytes?: (n: number) => void): Promise<DatasetProfile> {
  return withParquet(file, async (buffer, metadata) => {
    const elements = parquetSchema(metadata).children.map((c) => c.element);
    const names = elements.map((e) => e.name);
    const columns = new Map(elements.map((e) => {
      const column = new ColumnAccumulator(e.name);
      if (e.type === 'FLOAT' || e.type === 'DOUBLE') column.declareFloat();
      return [e.name, column] as const;
    }));
    const rows = await readByRowGroup(buffer, metadata, names, columns, onBytes);
    // As in JSON lines, a column whose values turn out mixed (numbers, then text) is read again as text.
    const mixed = [...columns.values()].filter((c) => c.rescan);
    if (mixed.length) {
      for (const c of mixed) c.restartAsText();
      await readByRowGroup(buffer, metadata, mixed.map((c) => c.name), columns);
    }
    return { schema: 1, format: 'parquet', rows, columns: names.map((n) => columns.get(n)!.summarize(rows)) };
  });
}

/** Calls `onRow` with each row's values in column order, one row group in memory at a time (for keyed diffs). */
export function forEachParquetRow(file: string, onRow: (columns: string[], values: unknown[]) => void): Promise<void> {
  return withParquet(file, async (buffer, metadata) => {
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      await unlessUnreadable(() => parquetRead({
        file: buffer, metadata, compressors, rowStart, rowEnd,
        onComplete: (rows: unknown[][]) => rows.forEach((row) => onRow(names, row)),
      }));
      rowStart = rowEnd;
    }
  });
}

/** Opens `file` for hyparquet, reads its footer, and closes it once `use` is done. */
async function withParquet<T>(file: string, use: (buffer: AsyncBuffer, metadata: FileMetaData) => Promise<T>): Promise<T> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = fileBuffer(fd, fs.fstatSync(fd).size);
    return await use(buffer, await unlessUnreadable(() => parquetMetadataAsync(buffer)));
  } finally {
    fs.closeSync(fd);
  }
}

/** Feeds the columns `names` of every row group to their accumulators; returns the number of rows. */
async function readByRowGroup(
  buffer: AsyncBuffer, metadata: FileMetaData, names: string[], columns: Map<string, ColumnAccumulator>, onBytes?: (n: number) => void,
): Promise<number> {
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const first = rowStart;
    await unlessUnreadable(() => parquetRead({
      file: buffer, metadata, compressors, rowStart: first, rowEnd, columns: names,
      onChunk: ({ columnName, columnData, rowStart: start, rowEnd: end }) => {
        const column = columns.get(columnName);
        // A chunk may reach beyond the rows asked for: only this group's rows count.
        for (let r = Math.max(start, first); r < Math.min(end, rowEnd); r++) column?.addJson(toJson(columnData[r - start]));
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
    throw new MlopsError(
      l10n.t('It cannot be read as Parquet: {0}.', (err as Error).message.replace(/\.$/, '')),
      l10n.t('Check that the file is complete (a Parquet file ends with its footer) and opens in another Parquet reader.'),
      'BAD_PARQUET',
    );
  }
}
