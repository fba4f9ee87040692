import { parentPort } from 'node:worker_threads';
import { compareColumn } from '../monitor/driftReport';
import type { ColumnTask, ColumnTaskReply } from '../monitor/driftWorkers';

// One column at a time per thread: the pool hands the next one to whichever thread finishes first.
parentPort?.on('message', (task: ColumnTask) => {
  let reply: ColumnTaskReply;
  try {
    reply = { id: task.id, column: compareColumn(task.reference, task.current, task.options) };
  } catch (err) {
    const e = err as Error & { hint?: string; code?: string };
    reply = { id: task.id, error: { message: e.message, hint: e.hint, code: e.code, name: e.name } };
  }
  parentPort?.postMessage(reply);
});
