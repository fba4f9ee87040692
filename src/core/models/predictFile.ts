import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellText, readDelimitedFile, type CellSink } from '../data';
import { openTemporaryBeside, syncFolder, writeFailure } from '../storage';
import { forEachParquetRow, parquetCellText } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { inputColumns, inputWarnings, loadModel, mergeInputWarnings, predict, rangesChecked, type Cell, type Dataset, type InputWarning, type Model, type Predictions, type RowInput } from '../train';
import { cellNumber, isMissingCell } from '../train';
import { DELIMITER, trainingFormat, trainingHeader } from './tabularFile';
import type { EntityFeatures, EntityVector } from '../features';

/** Rows predicted at a time: bounded memory for any file size, and few enough calls that each stays efficient. */
const CHUNK_ROWS = 20_000;

export interface PredictFileResult {
  rows: number;
  /** The columns added after the input's: prediction, then proba_<class> for classifiers (and first, looked-up features). */
  added: string[];
  /** Per column, the rows holding what training never had (unseen categories, numbers out of range, missing values). */
  warnings: InputWarning[];
  /** False for a model trained before ranges were recorded: only its categories were checked. */
  rangesChecked: boolean;
  /** With entity features: rows with a feature missing or expired in the online store (predicted with it missing). */
  incomplete?: number;
}

export interface PredictFileOptions {
  signal?: AbortSignal;
  /** Refuse the file, writing nothing, when any row holds what training never had. */
  strict?: boolean;
  /** For a model trained on a feature service: the lookup that turns each row's entity keys into its features. */
  features?: EntityFeatures;
}

export interface CheckedPredictions {
  predictions: Predictions;
  warnings: InputWarning[];
  rangesChecked: boolean;
}

/**
 * Predictions for rows in memory, with what the rows hold that training never had: the in-process counterpart of
 * predictFile, for servers and notebooks.
 */
export function predictChecked(model: Model, rows: Dataset | RowInput | readonly (readonly Cell[])[], signal?: AbortSignal): CheckedPredictions {
  return { predictions: predict(model, rows, signal), warnings: inputWarnings(model, rows), rangesChecked: rangesChecked(model) };
}

/**
 * Predicts every row of a CSV/TSV file with a model artifact and writes the input's rows, in order, with a
 * `prediction` column (and `proba_<class>` columns for a classifier). The input must have exactly the model's
 * feature columns (the target may be there too, and is ignored); numeric features must hold numbers or be empty.
 * The output appears complete or not at all.
 */
export async function predictFile(modelBytes: Uint8Array | string, inputPath: string, outputPath: string, options: PredictFileOptions = {}): Promise<PredictFileResult> {
  const { signal, features } = options;
  const model = loadModel(typeof modelBytes === 'string' ? modelBytes : Buffer.from(modelBytes).toString('utf8'));
  const inFormat = trainingFormat(inputPath);
  const outDelimiter = String.fromCharCode(DELIMITER[path.extname(outputPath).toLowerCase() === '.tsv' ? 'tsv' : 'csv']);
  if (!fs.existsSync(inputPath)) throw new MlopsError(l10n.t('The input file {0} does not exist.', inputPath), l10n.t('Give the path of a CSV file with the model\'s feature columns.'), 'NO_INPUT');
  const given = trainingHeader(inputPath, inFormat);
  if (!given) throw new MlopsError(l10n.t('{0} has no header line.', inputPath), l10n.t('The first line must name the columns.'), 'EMPTY_DATA');
  // A model trained on a feature service is given entity keys: its features are looked up and appended to each row.
  const withFeatures = features ? entityRows(features, given, inputPath) : undefined;
  const header = withFeatures ? [...given, ...features!.set.columns] : given;
  if (!withFeatures) checkColumns(model, header, inputPath);
  const numericAt = model.features.filter((f) => f.kind === 'numeric' && !f.datePart).map((f) => ({ name: f.name, index: header.indexOf(f.name) }));
  const added = [...(features?.set.columns ?? []), 'prediction', ...(model.classes ?? []).map((c) => `proba_${c}`)];
  let incomplete = 0;

  const { fd, tmp } = openTemporaryBeside(path.resolve(outputPath));
  let rows = 0;
  let warnings: InputWarning[] = [];
  let open = true;
  try {
    fs.writeSync(fd, [...given, ...added].map((c) => quote(c, outDelimiter)).join(outDelimiter) + '\n');
    let chunk: string[][] = [];
    // Where a row is, as the user finds it: a line of a text file (the header is line 1), a row of a Parquet file.
    const position = inFormat === 'parquet' ? (row: number) => l10n.t('row {0}', row) : (row: number) => l10n.t('line {0}', row + 1);
    const flush = () => {
      if (chunk.length === 0) return;
      checkTypes(chunk, numericAt, rows + 1, position, inputPath);
      warnings = mergeInputWarnings(warnings, inputWarnings(model, { header, rows: chunk }));
      fs.writeSync(fd, predictedLines(model, header, chunk, outDelimiter, signal));
      rows += chunk.length;
      chunk = [];
    };
    const take = (record: string[]) => {
      if (withFeatures) {
        const vector = withFeatures(record);
        if (vector.incomplete) incomplete++;
        for (const v of vector.values) record.push(v === null ? '' : String(v));
      }
      chunk.push(record);
      if (chunk.length === CHUNK_ROWS) flush();
    };
    if (inFormat === 'parquet') await forEachParquetRow(inputPath, (_columns, values) => take(values.map((v) => parquetCellText(v) ?? '')));
    else readDelimited(inputPath, DELIMITER[inFormat], given.length, take);
    flush();
    if (options.strict && warnings.length) throw strictRefusal(inputPath, warnings);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    open = false;
    fs.renameSync(tmp, outputPath);
    syncFolder(path.dirname(path.resolve(outputPath)));
  } catch (err) {
    if (open) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw writeFailure(err, outputPath);
  }
  return { rows, added, warnings, rangesChecked: rangesChecked(model), ...(features ? { incomplete } : {}) };
}

function strictRefusal(file: string, warnings: readonly InputWarning[]): MlopsError {
  return new MlopsError(
    l10n.t('{0} holds values the training data never had, in columns {1}; nothing was written.', file, warnings.map((w) => w.column).join(', ')),
    l10n.t('Check these rows (mlops predict without --strict counts them per column), or retrain on data that covers them.'),
    'UNSEEN_INPUT',
  );
}

/** Checks the entity inputs are there, and gives each record's features, looked up as of now. */
function entityRows(features: EntityFeatures, header: readonly string[], file: string): (record: string[]) => EntityVector {
  const missing = features.inputs.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new MlopsError(
      l10n.t('{0} lacks inputs of the model ({1}): it was trained on the feature service {2}, and a row gives it {3}.', file, missing.join(', '), features.set.service, header.join(', ')),
      l10n.t('Give a file with the columns {0}; the features are looked up in the online store.', features.inputs.join(', ')),
      'BAD_COLUMNS',
    );
  }
  const at = features.inputs.map((c) => header.indexOf(c));
  const now = Date.now();
  return (record) => {
    const cells: Record<string, string> = {};
    features.inputs.forEach((c, i) => (cells[c] = record[at[i]]));
    return features.lookup(cells, now);
  };
}

/** Hands each data record of a CSV/TSV file to `take`, refusing a record whose field count is not the header's. */
function readDelimited(inputPath: string, delimiter: number, width: number, take: (record: string[]) => void): void {
  let record: string[] = [];
  let line = 0;
  const sink: CellSink = {
      cell: (buffer, start, end, escaped) => record.push(cellText(buffer, start, end, escaped)),
      endRecord() {
        line++;
        if (line > 1) {
          if (record.length !== width) {
            throw new MlopsError(
              l10n.t('Line {0} of {1} has {2} fields where the header has {3}.', line, inputPath, record.length, width),
              l10n.t('Quote fields that contain commas, and check for missing or extra separators.'),
              'MALFORMED_CSV',
            );
          }
          take(record);
        }
        record = [];
      },
    };
  readDelimitedFile(inputPath, delimiter, sink);
}

function checkColumns(model: Model, header: readonly string[], file: string): void {
  const features = new Set(inputColumns(model.features));
  const missing = [...features].filter((f) => !header.includes(f));
  const extra = header.filter((h) => !features.has(h) && h !== model.task.target);
  if (missing.length || extra.length) {
    const parts = [
      ...(missing.length ? [l10n.t('missing: {0}', missing.join(', '))] : []),
      ...(extra.length ? [l10n.t('not used by the model: {0}', extra.join(', '))] : []),
    ];
    throw new MlopsError(
      l10n.t('The columns of {0} do not match the model\'s features ({1}).', file, parts.join('; ')),
      l10n.t('The model reads these columns: {0}. Rename, add or remove columns to match.', [...features].join(', ')),
      'BAD_COLUMNS',
    );
  }
}

/** Numeric features must hold numbers (or nothing); `firstRow` is the 1-based data row of the chunk's first record. */
function checkTypes(chunk: readonly string[][], numericAt: readonly { name: string; index: number }[], firstRow: number, position: (row: number) => string, file: string): void {
  for (const { name, index } of numericAt) {
    for (const [r, row] of chunk.entries()) {
      const cell = row[index];
      if (Number.isNaN(cellNumber(cell)) && !isMissingCell(cell)) {
        throw new MlopsError(
          l10n.t('Column "{0}" of {1} holds "{2}" on {3}, where the model expects a number.', name, file, cell, position(firstRow + r)),
          l10n.t('Fix the value, or leave the cell empty for a missing value.'),
          'BAD_TYPE',
        );
      }
    }
  }
}

function predictedLines(model: Model, header: readonly string[], chunk: readonly string[][], delimiter: string, signal?: AbortSignal): string {
  const p = predict(model, { header, rows: chunk }, signal);
  const lines: string[] = [];
  for (const [i, row] of chunk.entries()) {
    const cells = row.map((c) => quote(c, delimiter));
    if (p.kind === 'regression') cells.push(String(p.values[i]));
    else {
      const K = p.classes.length;
      cells.push(quote(p.labels[i], delimiter));
      for (let k = 0; k < K; k++) cells.push(String(p.probabilities[i * K + k]));
    }
    lines.push(cells.join(delimiter));
  }
  return lines.join('\n') + '\n';
}

function quote(cell: string, delimiter: string): string {
  return cell.includes(delimiter) || /["\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
