import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { MetadataStore } from '../store';
import type { TrackingRecord } from './records';
import type { RunStatus } from './schema';

export interface MlflowImportResult {
  imported: string[];
  /** Runs already in the store from an earlier import. */
  skipped: string[];
  experiments: string[];
}

/** MLflow's RunStatus numbers in a file store's meta.yaml (RUNNING 1, SCHEDULED 2, FINISHED 3, FAILED 4, KILLED 5). */
const STATUS: Record<string, RunStatus> = { 1: 'running', 2: 'running', 3: 'finished', 4: 'failed', 5: 'killed', RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'finished', FAILED: 'failed', KILLED: 'killed' };

interface Meta {
  [field: string]: unknown;
}

function readMeta(file: string): Meta | undefined {
  if (!fs.existsSync(file)) return undefined;
  const meta = parse(fs.readFileSync(file, 'utf8')) as unknown;
  return typeof meta === 'object' && meta !== null ? (meta as Meta) : undefined;
}

/** Files below `dir` keyed by their path relative to it with '/': MLflow keeps "a/b" keys in sub-folders. */
function keyedFiles(dir: string): [string, string][] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
      return [path.relative(dir, file).split(path.sep).join('/'), file];
    });
}

/** Python writes non-finite floats as nan, inf and -inf. */
function parseFloatText(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return Number(text);
}

function readMetric(file: string): { steps: number[]; values: (number | string)[]; timestamps: number[] } {
  const series = { steps: [] as number[], values: [] as (number | string)[], timestamps: [] as number[] };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [timestamp, value, step] = line.trim().split(/\s+/);
    if (!timestamp || value === undefined) continue;
    const v = parseFloatText(value);
    series.timestamps.push(Number(timestamp));
    series.values.push(Number.isFinite(v) ? v : String(v));
    series.steps.push(step === undefined ? 0 : Number(step));
  }
  return series;
}

/**
 * Imports an MLflow file store (an mlruns/ folder) so MLflow users keep their history. A run keeps its MLflow id,
 * and one already in the store is skipped, so importing twice changes nothing.
 */
export async function importMlflow(store: MetadataStore, mlrunsDir: string): Promise<MlflowImportResult> {
  const dir = path.resolve(mlrunsDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new MlopsError(l10n.t('{0} is not a folder.', dir), l10n.t('Give the path of an MLflow mlruns/ folder.'), 'NOT_MLRUNS');
  }
  const result: MlflowImportResult = { imported: [], skipped: [], experiments: [] };
  const records: TrackingRecord[] = [];
  for (const expEntry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!expEntry.isDirectory() || expEntry.name.startsWith('.')) continue;
    const expDir = path.join(dir, expEntry.name);
    const expMeta = readMeta(path.join(expDir, 'meta.yaml'));
    if (!expMeta || expMeta.lifecycle_stage === 'deleted') continue;
    const experiment = String(expMeta.name ?? expEntry.name);
    result.experiments.push(experiment);
    for (const runEntry of fs.readdirSync(expDir, { withFileTypes: true })) {
      if (!runEntry.isDirectory()) continue;
      const runDir = path.join(expDir, runEntry.name);
      const meta = readMeta(path.join(runDir, 'meta.yaml'));
      if (!meta || meta.lifecycle_stage === 'deleted') continue;
      const id = String(meta.run_id ?? meta.run_uuid ?? runEntry.name);
      if (store.database.exec('SELECT 1 FROM runs WHERE id = ?', [id]).length) {
        result.skipped.push(id);
        continue;
      }
      const tags = Object.fromEntries(keyedFiles(path.join(runDir, 'tags')).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')]));
      records.push({
        type: 'run_import',
        run: id,
        experiment,
        name: meta.run_name || tags['mlflow.runName'] || undefined,
        status: STATUS[String(meta.status)] ?? 'finished',
        start: Number(meta.start_time ?? 0),
        end: meta.end_time === null || meta.end_time === undefined ? undefined : Number(meta.end_time),
        parent: tags['mlflow.parentRunId'],
        git: tags['mlflow.source.git.commit'] ? { commit: tags['mlflow.source.git.commit'] } : undefined,
        source: `mlflow:${runDir}`,
        params: Object.fromEntries(keyedFiles(path.join(runDir, 'params')).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')])),
        tags,
        metrics: Object.fromEntries(keyedFiles(path.join(runDir, 'metrics')).map(([k, f]) => [k, readMetric(f)])),
      });
      result.imported.push(id);
    }
  }
  if (records.length === 0 && result.experiments.length === 0) {
    throw new MlopsError(l10n.t('{0} holds no MLflow experiments (no <id>/meta.yaml).', dir), l10n.t('Give the path of an MLflow mlruns/ folder.'), 'NOT_MLRUNS');
  }
  store.append(records);
  await store.fold();
  return result;
}
