import type { ServedModel, ServedPrediction } from './modelSource';
import type { ColumnBatch } from './requestInputs';

/** Called once with the request's own answers, or with the error its rows alone raised. */
export type Predicted = (err: unknown, output?: ServedPrediction) => void;

interface Waiting {
  batch: ColumnBatch;
  done: Predicted;
}

/**
 * Dynamic batching, as Triton's dynamic batcher does it: the requests that reach one loaded model during a turn of
 * the event loop are predicted in one call at the end of that turn, then their answers are split back. A forest
 * walks 64 rows at once for about a third of what 64 single rows cost, and under load one turn brings many
 * requests. Nothing waits for a batch to fill: a lone request is predicted at the end of the turn it arrived in.
 *
 * Batches are keyed by the ServedModel object a request was routed to, not by its reference: when an alias moves
 * during a turn, the requests routed before the move stay on the old version and the later ones go to the new one.
 */
export class PredictionBatcher {
  private waiting = new Map<ServedModel, Waiting[]>();
  private scheduled: NodeJS.Immediate | undefined;

  /** `afterTurn` runs once every batch of the turn has been handed back (the server commits their log lines there). */
  constructor(private readonly afterTurn: () => void) {}

  predict(model: ServedModel, batch: ColumnBatch, done: Predicted): void {
    let queue = this.waiting.get(model);
    if (!queue) this.waiting.set(model, (queue = []));
    queue.push({ batch, done });
    this.scheduled ??= setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = undefined;
    const waiting = this.waiting;
    this.waiting = new Map();
    for (const [model, queue] of waiting) predictTogether(model, queue);
    this.afterTurn();
  };
}

function predictTogether(model: ServedModel, queue: readonly Waiting[]): void {
  if (queue.length === 1) return predictAlone(model, queue[0]);
  let rows = 0;
  for (const w of queue) rows += w.batch.rows;
  let output: ServedPrediction;
  try {
    output = model.predictColumns(joined(queue, rows), rows);
  } catch {
    // one request's rows can make the whole batch throw (a feature lookup without its key): alone, each request
    // gets its own answer or its own error, whose message names its own row
    for (const w of queue) predictAlone(model, w);
    return;
  }
  let start = 0;
  for (const w of queue) {
    const end = start + w.batch.rows;
    w.done(undefined, slice(output, start, end));
    start = end;
  }
}

function predictAlone(model: ServedModel, waiting: Waiting): void {
  let output: ServedPrediction;
  try {
    output = model.predictColumns(waiting.batch.columns, waiting.batch.rows);
  } catch (err) {
    waiting.done(err);
    return;
  }
  waiting.done(undefined, output);
}

/** The requests' columns end to end, in queue order (every batch was read against the same model's signature). */
function joined(queue: readonly Waiting[], rows: number): ColumnBatch['columns'] {
  const width = queue[0].batch.columns.length;
  const columns: ColumnBatch['columns'] = new Array(width);
  for (let c = 0; c < width; c++) {
    const column = new Array<ColumnBatch['columns'][number][number]>(rows);
    let r = 0;
    for (const w of queue) {
      const cells = w.batch.columns[c];
      for (let i = 0; i < w.batch.rows; i++) column[r++] = cells[i];
    }
    columns[c] = column;
  }
  return columns;
}

function slice(output: ServedPrediction, start: number, end: number): ServedPrediction {
  const predictions = output.predictions.slice(start, end);
  if (!output.probabilities || !output.classes) return { predictions };
  const k = output.classes.length;
  return { predictions, probabilities: output.probabilities.subarray(start * k, end * k), classes: output.classes };
}
