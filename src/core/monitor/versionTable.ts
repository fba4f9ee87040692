import * as fs from 'node:fs';
import { resolveVersion, tabularFormatOf, type WholeColumn } from '../data';
import { readFileColumns } from '../models';
import { ObjectCache, hexOf } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
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
  // The reader training uses: the same numbers and texts from the same bytes, so drift sees what the model saw.
  const read = await readFileColumns(file, format, (name) => !wanted || wanted.has(name));
  const table = driftTable(read.names.flatMap((name, j) => (read.columns[j] ? [fromWholeColumn(name, read.columns[j]!)] : [])), read.rows);
  return { dataset: pointer.dataset, version: version.id, table };
}

function fromWholeColumn(name: string, column: WholeColumn): DriftColumn {
  return column.kind === 'numeric' ? numericColumn(name, column.values) : categoricalColumn(name, column.values);
}
