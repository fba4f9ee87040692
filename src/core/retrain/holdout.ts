import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMA, TAB, cellText, forEachParquetRow, parquetCellText, readDelimitedFile, resolveVersion } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { compareTimestamps, trainingFormat } from '../models';
import type { ModelVersion } from '../registry';
import { hexOf, missingObject, ObjectCache } from '../storage';
import type { TrainingFormat } from '../tracking';
import type { Project } from '../workspace';

/** Rows both models are scored on, as text cells in header order, and where they came from, in words. */
export interface Holdout {
  source: string;
  header: string[];
  rows: string[][];
}

/** A whole tabular file as text rows: the holdout is small next to training data, and slices need the text. */
export async function readRows(file: string, format: TrainingFormat): Promise<{ header: string[]; rows: string[][] }> {
  const records: string[][] = [];
  if (format === 'parquet') {
    let header: string[] = [];
    await forEachParquetRow(file, (columns, values) => {
      header = columns;
      records.push(values.map((v) => parquetCellText(v) ?? ''));
    });
    return { header, rows: records };
  }
  let record: string[] = [];
  readDelimitedFile(file, format === 'tsv' ? TAB : COMMA, {
    cell: (buffer, start, end, escaped) => record.push(cellText(buffer, start, end, escaped)),
    endRecord: () => {
      records.push(record);
      record = [];
    },
  });
  const header = (records.shift() ?? []).map((c) => c.trim());
  for (const [i, row] of records.entries()) {
    if (row.length !== header.length) {
      throw new MlopsError(
        l10n.t('Line {0} of {1} has {2} fields where the header has {3}.', i + 2, file, row.length, header.length),
        l10n.t('Quote fields that contain commas, and check for missing or extra separators.'),
        'MALFORMED_CSV',
      );
    }
  }
  return { header, rows: records };
}

function cachedFile(project: Project, digest: string): string {
  const cache = new ObjectCache(project.paths.cache);
  const hex = hexOf(digest);
  if (!cache.has(hex)) throw missingObject(hex, cache.dir);
  return cache.pathOf(hex);
}

/**
 * The holdout named by `--holdout`: a file (CSV, TSV, Parquet), else a dataset version (`name`, `name@N`). A
 * dataset version either model trained on is allowed, since the user chose it, and said so in the source.
 */
export async function namedHoldout(project: Project, reference: string, cwd: string, trainedOn: readonly string[]): Promise<Holdout> {
  const file = path.resolve(cwd, reference);
  if (fs.existsSync(file) && fs.statSync(file).isFile()) {
    return { source: path.relative(project.paths.root, file).split(path.sep).join('/') || reference, ...(await readRows(file, trainingFormat(file))) };
  }
  const { pointer, version } = resolveVersion(project, reference);
  if (version.kind !== 'file') {
    throw new MlopsError(l10n.t('{0} is a folder; a holdout is one CSV, TSV or Parquet file.', pointer.path), l10n.t('Give a dataset whose versions are one file, or the path of a file.'), 'NOT_TABULAR');
  }
  const overlap = trainedOn.includes(version.digest) ? ` (${l10n.t('a model trained on it')})` : '';
  return { source: `${pointer.dataset}@${version.id}${overlap}`, ...(await readRows(cachedFile(project, version.digest), trainingFormat(pointer.path))) };
}

/**
 * The default holdout: the rows of the newest version of the training dataset that neither model trained on.
 * With a declared `timestamp`, the rows after the latest time either training version holds (the newest slice);
 * without one, the rows of the newest version found in neither training version.
 */
export async function newestUnseenSlice(project: Project, challenger: ModelVersion, champion: ModelVersion): Promise<Holdout> {
  const dataset = challenger.lineage.trainingConfig?.dataset ?? challenger.lineage.dataset?.name;
  const trained = [challenger, champion].map((v) => ({ digest: v.lineage.trainingConfig?.digest ?? v.lineage.dataset?.digest ?? null, format: v.lineage.trainingConfig?.format }));
  if (!dataset || trained.some((t) => !t.digest)) {
    throw new MlopsError(
      l10n.t('The training data of {0}/{1} or {0}/{2} is not recorded, so there is no default holdout.', challenger.model, challenger.version, champion.version),
      l10n.t('Give --holdout DATASET[@VERSION] or --holdout FILE.'),
      'NO_HOLDOUT',
    );
  }
  const { pointer, version } = resolveVersion(project, dataset);
  const newest = await readRows(cachedFile(project, version.digest), trainingFormat(pointer.path));
  const timestamp = project.config.datasets?.[dataset]?.timestamp;
  const seen = await Promise.all([...new Set(trained.map((t) => t.digest!))].map((digest) => readRows(cachedFile(project, digest), trained.find((t) => t.digest === digest)!.format ?? trainingFormat(pointer.path))));
  let rows: string[][];
  let how: string;
  const at = timestamp === undefined ? -1 : newest.header.indexOf(timestamp);
  if (at >= 0 && seen.every((s) => s.header.includes(timestamp!))) {
    let latest: string | undefined;
    for (const s of seen) {
      const j = s.header.indexOf(timestamp!);
      for (const row of s.rows) if (latest === undefined || compareTimestamps(row[j], latest) > 0) latest = row[j];
    }
    rows = latest === undefined ? newest.rows : newest.rows.filter((row) => compareTimestamps(row[at], latest!) > 0);
    how = l10n.t('rows with {0} after {1}', timestamp!, latest ?? '-');
  } else {
    const key = (header: readonly string[], row: readonly string[]) => newest.header.map((name) => row[header.indexOf(name)] ?? '').join('\u0001');
    const known = new Set(seen.flatMap((s) => s.rows.map((row) => key(s.header, row))));
    rows = newest.rows.filter((row) => !known.has(key(newest.header, row)));
    how = l10n.t('rows in neither training version');
  }
  if (rows.length === 0) {
    throw new MlopsError(
      l10n.t('{0}@{1}, the newest version of {0}, holds no rows that neither {2}/{3} nor {2}/{4} trained on.', dataset, version.id, challenger.model, challenger.version, champion.version),
      l10n.t('Snapshot newer data (`mlops snapshot`), or give --holdout DATASET[@VERSION] or --holdout FILE.'),
      'NO_HOLDOUT',
    );
  }
  return { source: `${pointer.dataset}@${version.id}: ${how}`, header: newest.header, rows };
}
