import * as fs from 'node:fs';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { parseCsv } from '../train';
import type { Project } from '../workspace';
import { AppendLog, fileLines, logFiles } from './appendLog';
import { FEEDBACK_LOG, logDir } from './predictionLog';

export interface FeedbackImport {
  /** Labels recorded. */
  labels: number;
  /** Rows skipped because their label cell was empty. */
  skipped: number;
}

/**
 * Records ground truth for earlier predictions from a CSV file: one row per request id, its label in `labelColumn`
 * (default `label`). Every row is checked before anything is written, so a bad file records nothing.
 */
export async function importFeedbackFile(project: Project, file: string, options: { idColumn: string; labelColumn?: string }): Promise<FeedbackImport> {
  if (!fs.existsSync(file)) throw new MlopsError(l10n.t('The file {0} does not exist.', file), l10n.t('Give the path of a CSV file with a request id column and a label column.'), 'NO_INPUT');
  const { header, rows } = parseCsv(fs.readFileSync(file, 'utf8'));
  const labelColumn = options.labelColumn ?? 'label';
  const idAt = header.indexOf(options.idColumn);
  const labelAt = header.indexOf(labelColumn);
  for (const [column, at] of [[options.idColumn, idAt], [labelColumn, labelAt]] as const) {
    if (at < 0) throw new MlopsError(l10n.t('{0} has no column "{1}".', file, column), l10n.t('Its columns are {0}.', header.join(', ')), 'BAD_COLUMNS');
  }
  const entries: { request_id: string; label: string }[] = [];
  let skipped = 0;
  for (const [r, row] of rows.entries()) {
    const id = row[idAt].trim();
    if (!id) throw new MlopsError(l10n.t('Line {0} of {1} has no request id.', r + 2, file), l10n.t('Every row needs the id the server answered with (x-request-id).'), 'BAD_FEEDBACK');
    if (row[labelAt].trim() === '') skipped++;
    else entries.push({ request_id: id, label: row[labelAt] });
  }
  const log = new AppendLog(logDir(project.paths), FEEDBACK_LOG, { maxBytes: project.config.serving?.log?.maxBytes ?? 64 * 1024 * 1024, maxFiles: project.config.serving?.log?.maxFiles ?? 8, fsync: true });
  const time = new Date().toISOString();
  try {
    await Promise.all(entries.map((e) => log.append(JSON.stringify({ time, request_id: e.request_id, label: e.label }))));
  } finally {
    await log.close();
  }
  return { labels: entries.length, skipped };
}

/**
 * Every label recorded so far, by request id; a later label for the same request replaces the earlier one (a
 * correction). Memory holds the labels, which are far fewer than the predictions.
 */
export async function readFeedbackLabels(project: Project, signal?: AbortSignal): Promise<Map<string, string | number | boolean>> {
  const labels = new Map<string, string | number | boolean>();
  for (const file of logFiles(logDir(project.paths), FEEDBACK_LOG)) {
    for await (const line of fileLines(file, signal)) {
      let entry: { request_id?: unknown; label?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      const label = entry.label;
      if (typeof entry.request_id === 'string' && (typeof label === 'string' || typeof label === 'number' || typeof label === 'boolean')) labels.set(entry.request_id, label);
    }
  }
  return labels;
}
