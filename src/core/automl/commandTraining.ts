import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ensureVersion } from '../data';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import { RUN_KIND_TAG, runCommand, type RunCommandResult, type TrackingRecord } from '../tracking';
import { openProject } from '../workspace';

export interface CommandTrainingOptions {
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
  experiment?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CommandTrainingResult extends RunCommandResult {
  command: string[];
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  dataset?: { name: string; version: number; digest: string };
  /** Things that did not stop the run but that the user should know (no metrics file written...). */
  warnings: string[];
}

/**
 * Runs mlops.yaml's `training.command` as a tracked run (runCommand: MLOPS_RUN_ID and MLOPS_LOG_FILE in its
 * environment), and records around it what the project declares: the params file's content as params, the
 * training dataset's latest version as lineage, and the metrics file (JSON) it wrote as metrics. The caller owns
 * `store` and closes it.
 */
export async function trainWithCommand(store: MetadataStore, options: CommandTrainingOptions): Promise<CommandTrainingResult> {
  const project = openProject(store.paths.root);
  const training = project.config.training ?? {};
  if (!training.command) {
    throw new MlopsError(l10n.t('mlops.yaml has no training.command.'), l10n.t('Set training.command (e.g. `python train.py`), or give --target to train with AutoML.'), 'NO_COMMAND');
  }
  const root = project.paths.root;
  const argv = splitCommand(training.command);
  const params = training.params ? flatten(readStructured(path.resolve(root, training.params), training.params)) : {};
  const resolved = training.dataset ? await ensureVersion(project, training.dataset) : undefined;
  const result = await runCommand(store, argv, { cwd: root, experiment: options.experiment, name: l10n.t('train: {0}', training.command), stdout: options.stdout, stderr: options.stderr, env: options.env });
  const run = result.runId;
  const warnings: string[] = [];
  const metrics: Record<string, number> = {};
  if (training.metrics) {
    const file = path.resolve(root, training.metrics);
    try {
      for (const [k, v] of Object.entries(flatten(readStructured(file, training.metrics)))) if (typeof v === 'number') metrics[k] = v;
    } catch (err) {
      warnings.push(err instanceof Error ? err.message : String(err));
    }
  }
  // The run has ended, so its own log is closed: what is recorded now goes through the store's journal.
  const records: TrackingRecord[] = [
    { type: 'tag', run, key: RUN_KIND_TAG, value: 'command' },
    ...Object.entries(params).map(([key, value]): TrackingRecord => ({ type: 'param', run, key, value })),
    ...Object.entries(metrics).map(([key, value]): TrackingRecord => ({ type: 'metric', run, key, value, step: 0 })),
    ...warnings.map((text): TrackingRecord => ({ type: 'note', run, text })),
  ];
  if (resolved) records.push({ type: 'input', run, kind: 'dataset', name: resolved.pointer.dataset, version: String(resolved.version.id), digest: resolved.version.digest });
  store.append(records);
  await store.fold();
  const dataset = resolved && { name: resolved.pointer.dataset, version: resolved.version.id, digest: resolved.version.digest };
  return { ...result, command: argv, params, metrics, dataset, warnings };
}

/** Words of a command line, with '...' and "..." grouping: no shell runs it, so nothing else is special. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
  let current = '';
  let last = -1;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
    const piece = m[1] ?? m[2] ?? m[3];
    // Pieces that touch (a="b c") form one word.
    if (m.index === last) current += piece;
    else {
      if (last !== -1) words.push(current);
      current = piece;
    }
    last = m.index + m[0].length;
  }
  if (last !== -1) words.push(current);
  return words;
}

function readStructured(file: string, shown: string): unknown {
  if (!fs.existsSync(file)) throw new MlopsError(l10n.t('{0} does not exist.', shown), l10n.t('Check the path in mlops.yaml (relative to the folder of mlops.yaml).'), 'NO_FILE');
  const text = fs.readFileSync(file, 'utf8');
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new MlopsError(l10n.t('{0} cannot be read: {1}', shown, err instanceof Error ? err.message : String(err)), l10n.t('It must be JSON (or YAML for a params file).'), 'BAD_FILE');
  }
}

/** Nested objects as dotted keys ({optimizer: {lr: 0.1}} -> optimizer.lr), the way tracking tools show params. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = value;
  return out;
}
