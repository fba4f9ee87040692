import type { GitState, RunEnvironment } from './environment';
import type { RunStatus } from './schema';

/**
 * The records tracking writes, to the store's journal and to a run's own log. In a run's log `run` is absent: the
 * log's name says which run it is. A user's program appends the same shapes to $MLOPS_LOG_FILE, so the store checks
 * each line again when it applies it; these types are for the project's own writers.
 */
export type TrackingRecord =
  | { type: 'run_start'; run: string; experiment: string; name?: string; parent?: string; start: number; command?: string[]; git?: GitState; environment?: RunEnvironment; owner?: { pid: number; host: string } }
  | { type: 'run_end'; run?: string; status: RunStatus; end: number; exitCode?: number; signal?: string }
  | { type: 'run_delete'; run: string }
  | {
      type: 'run_import'; run: string; experiment: string; name?: unknown; status: RunStatus; start: number; end?: number; parent?: string;
      git?: { commit: string }; source: string; params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, unknown>;
    }
  | { type: 'metric'; run?: string; key: string; value: number | string; step?: number; timestamp?: number }
  | { type: 'metrics'; run?: string; key: string; values: (number | string)[]; steps?: (number | string)[]; timestamps: (number | string)[] }
  | { type: 'param' | 'tag'; run?: string; key: string; value: unknown }
  | { type: 'seed'; run?: string; name?: string; value: unknown }
  | { type: 'note'; run?: string; text: string }
  | { type: 'input'; run?: string; kind: string; name: string; version: string; digest?: string }
  | { type: 'artifact'; run?: string; path: string; sha256?: string; size?: number };

declare module '../store' {
  interface StoreRecordTypes {
    tracking: TrackingRecord;
  }
}
