import { parentPort } from 'node:worker_threads';
import { MlopsError } from '../errors';
import { compareColumn, type ColumnTask, type ColumnTaskReply } from '../monitor';

// One column at a time per thread: the pool hands the next one to whichever thread finishes first.
parentPort?.on('message', (task: ColumnTask) => {
  let reply: ColumnTaskReply;
  try {
    reply = { id: task.id, column: compareColumn(task.reference, task.current, task.options) };
  } catch (err) {
    const e = err as Error;
    reply = { id: task.id, error: { message: e.message, hint: err instanceof MlopsError ? err.hint : undefined, code: err instanceof MlopsError ? err.code : undefined, name: e.name } };
  }
  parentPort?.postMessage(reply);
});
