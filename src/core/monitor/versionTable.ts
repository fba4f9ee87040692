import * as fs from 'node:fs';
import { COMMA, TAB, cellText, parquetColumnNames, readDelimitedFile, readParquetColumns, resolveVersion, tabularFormatOf, type WholeColumn } from '../data';
import { ObjectCache, hexOf } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { cellNumber, isMissingCell } from '../train';
import type { Project } from '../workspace';
import { categoricalColumn, driftTable, numericColumn, type DriftColumn, type DriftTable } from './driftTable';

export interface VersionTable {
  dataset: string;
  version: number;
  table: DriftTable;
}

/**
 * A dataset version (`name@N`, `name@latest`...) read from the project's cache into a DriftTable, column by column:
 * numbers into Float64Arrays, text columns into codes. Only `columns` are read when given. CSV, TSV and Parquet.
 */
export async function readVersionTable(project: Project, reference: string, columns?: readonly string[]): Promise<VersionTable> {
  const { pointer, version } = resolveVersion(project, reference);
  const shown = `${pointer.dataset}@${version.id}`;
  const format = tabularFormatOf(pointer.path);
  if (version.kind !== 'file' || (format !== 'csv' && format !== 'tsv' && format !== 'parquet')) {
    throw new MlopsError(l10n.t('{0} is not one CSV, TSV or Parquet file; drift is measured between tables.', shown), l10n.t('Snapshot the table itself as a dataset and compare its versions.'), 'NOT_TABULAR');
  }
  const file = new ObjectCache(project.paths.cache).pathOf(hexOf(version.digest));
  if (!fs.existsSync(file)) {
    throw new MlopsError(
      l10n.t('The data of {0} is not in the cache {1}.', shown, project.paths.cache),
      l10n.t('Run `mlops pull` to fetch it from the remote, or restore the original file and snapshot it again.'),
      'MISSING_OBJECT',
    );
  }
  const wanted = columns ? new Set(columns) : undefined;
  const table = format === 'parquet' ? await readParquetTable(file, wanted) : readDelimitedTable(file, format === 'csv' ? COMMA : TAB, wanted);
  return { dataset: pointer.dataset, version: version.id, table };
}

async function readParquetTable(file: string, wanted: ReadonlySet<string> | undefined): Promise<DriftTable> {
  const exclude = new Set(wanted ? parquetColumnNames(file).filter((n) => !wanted.has(n)) : []);
  const { names, rows, columns } = await readParquetColumns(file, exclude);
  return driftTable(names.flatMap((name, j) => (columns[j] ? [fromWholeColumn(name, columns[j]!)] : [])), rows);
}

function fromWholeColumn(name: string, column: WholeColumn): DriftColumn {
  return column.kind === 'numeric' ? numericColumn(name, column.values) : categoricalColumn(name, column.values);
}

/**
 * Two passes over the bytes at most: the first reads every wanted column as numbers; only columns that turned out to
 * hold text are read again, as text. No string is kept for a numeric cell.
 */
function readDelimitedTable(file: string, delimiter: number, wanted: ReadonlySet<string> | undefined): DriftTable {
  const header: string[] = [];
  let keep: boolean[] = [];
  let numeric: boolean[] = [];
  let values: Float64Array[] = [];
  let rows = 0;
  let record = 0;
  let j = 0;
  readDelimitedFile(file, delimiter, {
    cell(buffer, start, end, escaped) {
      if (record === 0) header.push(cellText(buffer, start, end, escaped).trim());
      else if (keep[j] && numeric[j]) {
        const text = cellText(buffer, start, end, escaped);
        const v = cellNumber(text);
        if (Number.isNaN(v) && !isMissingCell(text)) numeric[j] = false;
        else {
          if (rows >= values[j].length) values[j] = grown(values[j]);
          values[j][rows] = v;
        }
      }
      j++;
    },
    endRecord() {
      if (record === 0) {
        keep = header.map((name) => !wanted || wanted.has(name));
        numeric = keep.slice();
        values = header.map(() => new Float64Array(1024));
      } else {
        if (j !== header.length) {
          throw new MlopsError(
            l10n.t('Line {0} of the data has {1} fields where the header has {2}.', record + 1, j, header.length),
            l10n.t('Quote fields that contain the separator, and check for missing or extra separators.'),
            'MALFORMED_CSV',
          );
        }
        rows++;
      }
      record++;
      j = 0;
    },
  });
  const texts = header.map((_, k) => (keep[k] && !numeric[k] ? new Array<string | undefined>(rows) : undefined));
  if (texts.some((t) => t)) {
    let row = -1;
    readDelimitedFile(file, delimiter, {
      cell(buffer, start, end, escaped) {
        const column = texts[j++];
        if (row < 0 || !column) return;
        const text = cellText(buffer, start, end, escaped);
        column[row] = isMissingCell(text) ? undefined : text;
      },
      endRecord() {
        row++;
        j = 0;
      },
    });
  }
  const columns: DriftColumn[] = [];
  for (const [k, name] of header.entries()) {
    if (!keep[k]) continue;
    columns.push(numeric[k] ? numericColumn(name, values[k].slice(0, rows)) : categoricalColumn(name, texts[k]!));
  }
  return driftTable(columns, rows);
}

function grown(values: Float64Array): Float64Array {
  const bigger = new Float64Array(values.length * 2);
  bigger.set(values);
  return bigger;
}
