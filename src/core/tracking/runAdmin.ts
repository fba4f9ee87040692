import * as fs from 'node:fs';
import type { MetadataStore } from '../store';
import { resolveRunId } from './queries';
import { runFiles } from './runIds';

/**
 * Deletes a run and its files. The deletion is a journal record, so it is acknowledged at once and reaches every
 * reader; records of the run that arrive later (a straggling process) are ignored rather than bringing it back.
 */
export async function deleteRun(store: MetadataStore, idOrPrefix: string): Promise<string> {
  const id = resolveRunId(store, idOrPrefix);
  store.append([{ type: 'run_delete', run: id }]);
  fs.rmSync(runFiles(store.paths.state, id).dir, { recursive: true, force: true });
  await store.fold();
  return id;
}
