import { readPredictionLog } from '../serve';
import type { Cell } from '../train';
import type { Project } from '../workspace';
import { driftTable, type DriftColumn, type DriftTable } from './driftTable';

/** How a window's column is read: as numbers, or as texts coded like the reference's categories. */
export interface WindowColumnSpec {
  name: string;
  kind: 'numeric' | 'categorical';
}

/** A prediction that came back with its label (feedback), for measuring the metric. */
export interface LabelledPrediction {
  prediction: string | number;
  label: string | number | boolean;
  probabilities: number[] | null;
}

export interface LogWindow {
  /** The input columns asked for, a row per logged prediction. */
  inputs: DriftTable;
  /** The model's output per row: texts for a classifier, numbers for a regressor. */
  prediction: DriftColumn;
  /** The highest class probability per row, NaN where the log holds none (a regressor). */
  confidence: Float64Array;
  /** Milliseconds since the epoch of the first and last prediction; NaN for an empty window. */
  from: number;
  to: number;
  labelled: LabelledPrediction[];
}

export interface LogWindowQuery {
  model: string;
  version?: number;
  since?: Date;
  until?: Date;
  last?: number;
  columns: readonly WindowColumnSpec[];
  predictionKind: 'numeric' | 'categorical';
  /** Labels by request id, joined to the requests of one row. */
  labels?: ReadonlyMap<string, string | number | boolean>;
  signal?: AbortSignal;
}

/**
 * The window of the prediction log a check compares, read into typed columns as the log streams by in batches:
 * memory holds the window's numbers and codes and one batch, never an object per logged prediction.
 */
export async function readLogWindow(project: Project, query: LogWindowQuery): Promise<LogWindow> {
  const builders = query.columns.map((c) => new ColumnBuilder(c.name, c.kind));
  const prediction = new ColumnBuilder('prediction', query.predictionKind);
  const confidence = new ColumnBuilder('confidence', 'numeric');
  const labelled: (LabelledPrediction & { id: string })[] = [];
  const labelledRows = new Map<string, number>();
  let from = NaN;
  let to = NaN;
  const log = readPredictionLog(project, { model: query.model, version: query.version, since: query.since, until: query.until, last: query.last, signal: query.signal });
  for await (const batch of log) {
    if (Number.isNaN(from)) from = batch.time[0];
    to = batch.time[batch.rows - 1];
    for (const b of builders) b.addAll(batch.inputs[b.name], batch.rows);
    prediction.addAll(batch.prediction, batch.rows);
    for (let i = 0; i < batch.rows; i++) {
      const p = batch.probabilities[i];
      confidence.addNumber(p && p.length ? Math.max(...p) : NaN);
    }
    if (query.labels?.size) {
      for (let i = 0; i < batch.rows; i++) {
        const id = batch.requestId[i];
        const label = query.labels.get(id);
        if (label === undefined) continue;
        labelledRows.set(id, (labelledRows.get(id) ?? 0) + 1);
        labelled.push({ id, prediction: batch.prediction[i], label, probabilities: batch.probabilities[i] });
      }
    }
  }
  const rows = prediction.length;
  const conf = confidence.finish();
  return {
    inputs: driftTable(builders.map((b) => b.finish()), rows),
    prediction: prediction.finish(),
    confidence: conf.kind === 'numeric' ? conf.values : new Float64Array(0),
    from,
    to,
    // a label names a request, so it scores a row only when the request was that one row
    labelled: labelled.filter((l) => labelledRows.get(l.id) === 1).map(({ id: _id, ...l }) => l),
  };
}

/** One column of the window, grown by doubling a typed array; texts are coded as they come. */
class ColumnBuilder {
  private numbers = new Float64Array(1024);
  private codes = new Int32Array(0);
  private readonly categories: string[] = [];
  private readonly codeOf = new Map<string, number>();
  length = 0;

  constructor(readonly name: string, readonly kind: 'numeric' | 'categorical') {
    if (kind === 'categorical') {
      this.numbers = new Float64Array(0);
      this.codes = new Int32Array(1024);
    }
  }

  /** `cells` undefined: no request of the batch sent the column, so all its rows are missing. */
  addAll(cells: readonly (Cell | string | number)[] | undefined, rows: number): void {
    for (let i = 0; i < rows; i++) {
      const cell = cells?.[i];
      if (this.kind === 'numeric') this.addNumber(numberOf(cell));
      else this.addText(cell === null || cell === undefined || cell === '' ? undefined : String(cell));
    }
  }

  addNumber(v: number): void {
    if (this.length === this.numbers.length) {
      const bigger = new Float64Array(this.numbers.length * 2);
      bigger.set(this.numbers);
      this.numbers = bigger;
    }
    this.numbers[this.length++] = v;
  }

  private addText(text: string | undefined): void {
    let code = -1;
    if (text !== undefined) {
      code = this.codeOf.get(text) ?? -1;
      if (code < 0) {
        code = this.categories.length;
        this.categories.push(text);
        this.codeOf.set(text, code);
      }
    }
    if (this.length === this.codes.length) {
      const bigger = new Int32Array(this.codes.length * 2);
      bigger.set(this.codes);
      this.codes = bigger;
    }
    this.codes[this.length++] = code;
  }

  finish(): DriftColumn {
    return this.kind === 'numeric'
      ? { name: this.name, kind: 'numeric', values: this.numbers.slice(0, this.length) }
      : { name: this.name, kind: 'categorical', codes: this.codes.slice(0, this.length), categories: this.categories };
  }
}

/** A JSON cell as a number: numbers as they are, numeric texts parsed, anything else missing (NaN). */
function numberOf(cell: Cell | string | number): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string' && cell.trim() !== '') return Number(cell);
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  return NaN;
}
