import * as path from 'node:path';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS, baselineWarnings, configuredFeatureSource, convergenceText, trainInWorker, trainWithCommand, type AutomlProgress, type FeatureTrainingSource } from '../../core/automl';
import { exportOnnxFile, exportTritonRepository, predictFile, resolveModel } from '../../core/models';
import { EntityFeatures } from '../../core/features';
import type { InputWarning, Model } from '../../core/train';
import { l10n } from '../../core/l10n';
import { columnDecisionText, featureSetText } from '../../core/tracking';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, printJson, defineCommand, type CliCommand, type CommandContext } from '../command';
import { openMetadataStore } from '../../core/metadata';
import { modelChoice } from '../modelReference';
import { progressBar, stopThenCancelOnCtrlC } from '../terminal';

/** Without a terminal, a line at least this often while trials end, even when the best score stays. */
const PLAIN_LINE_EVERY_MS = 10_000;

/**
 * Search progress on stderr: a bar redrawn in place on a terminal (trials for --max-trials, seconds for a time
 * budget, the final fit by its trees or rounds), and elsewhere one plain line whenever the phase or the best score
 * changes, or 10 s passed, so logs stay short.
 */
function trainingProgress(ctx: CommandContext): { update: (p: AutomlProgress) => void; end: () => void } {
  const bar = progressBar(ctx);
  let lastBest: number | null = null;
  let lastPhase: AutomlProgress['phase'] | undefined;
  let lastDraw = 0;
  return {
    update(p) {
      const best = p.bestScore === null ? '' : l10n.t('best {0} {1} ({2})', p.metric ?? '', p.bestScore.toFixed(4), p.bestFamily ?? '');
      const refit = p.phase === 'refitting' && p.refit ? ` ${p.refit.done}/${p.refit.total}` : '';
      const phase = p.phase === 'loading' ? l10n.t('Loading the data') : p.phase === 'refitting' ? l10n.t('Refitting the best model on all rows') : l10n.t('Searching');
      if (!ctx.interactive) {
        const now = Date.now();
        if (p.phase === 'loading') ctx.stderr(`${phase}\n`);
        else if (p.phase !== lastPhase || p.bestScore !== lastBest || now - lastDraw >= PLAIN_LINE_EVERY_MS) {
          ctx.stderr(`${phase}: ${l10n.t('{0} trials', p.trials)} ${best}${refit} ${p.elapsedSeconds.toFixed(0)} s\n`);
          lastDraw = now;
        }
        lastBest = p.bestScore;
        lastPhase = p.phase;
        return;
      }
      const fraction = p.phase === 'refitting' && p.refit ? p.refit.done / p.refit.total : p.maxTrials ? p.trials / p.maxTrials : Math.min(1, p.elapsedSeconds / (p.timeBudget ?? 1));
      bar.draw(phase, fraction, `${l10n.t('{0} trials', p.trials)} ${best}${refit} ${p.elapsedSeconds.toFixed(0)} s`);
    },
    end: () => bar.end(),
  };
}

const METRICS = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS];

const train = defineCommand({
  name: 'train',
  usage: 'mlops train [--dataset NAME[@VERSION] | --features SERVICE --entities <file.csv | dataset[@v]> [--timestamp COL]] [--target COLUMN] [--task auto|classification|regression] [--metric M] [--time-budget S] [--max-trials N] [--seed N] [--families F,F...] [--json]',
  summary: 'Train a model: AutoML on a dataset version, or the training.command of mlops.yaml when no --target is given.',
  options: [
    { name: 'dataset', type: 'string', description: 'Dataset to train on, NAME or NAME@VERSION (default: training.dataset).' },
    { name: 'target', type: 'string', description: 'Column to predict (default: training.target). Given, AutoML runs even if training.command is set.' },
    { name: 'task', type: 'string', choices: ['auto', 'classification', 'regression'], description: 'Kind of prediction (default: auto, decided from the target).' },
    { name: 'metric', type: 'string', choices: METRICS, description: 'Metric that ranks the models (default: accuracy or r2).' },
    { name: 'time-budget', type: 'number', min: 0, description: 'Seconds the search may take (default: training.timeBudget, else 60).' },
    { name: 'max-trials', type: 'number', integer: true, min: 1, description: 'Exactly this many trials, without a time limit: the same data and seed give the same model.' },
    { name: 'seed', type: 'number', integer: true, min: 0, description: 'Seed of every random choice (default: training.seed, else 0).' },
    { name: 'families', type: 'string', description: 'Comma-separated model families to try, e.g. gbdt,linear (default: training.families, else all).' },
    { name: 'experiment', type: 'string', description: 'Experiment name (default: "default").' },
    { name: 'features', type: 'string', description: 'Train on this feature service: its features joined to the --entities rows as of their time.' },
    { name: 'entities', type: 'string', description: 'With --features: the entity rows with the target, a CSV, TSV or Parquet file or a dataset (name or name@version).' },
    { name: 'timestamp', type: 'string', description: 'With --features: the entity rows\' time column (default: event_timestamp).' },
    JSON_OPTION,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('train takes no arguments; give the dataset with --dataset.'));
    const o = ctx.args.options;
    const given = featureSource(o);
    const project = openProject(ctx.cwd);
    const training = project.config.training ?? {};
    // mlops.yaml's training.service when the command line names no data of its own
    const features = given ?? (o.dataset === undefined ? configuredFeatureSource(training) : undefined);
    if (training.command && o.target === undefined && !features) return trainByCommand(ctx, o.experiment);
    const interrupt = stopThenCancelOnCtrlC(ctx, l10n.t('Stopping the search: refitting the best configuration so far (Ctrl+C again to cancel).'));
    const progress = trainingProgress(ctx);
    try {
      const result = await trainInWorker(project.paths.root, {
        dataset: o.dataset,
        target: o.target,
        task: o.task,
        metric: o.metric,
        timeBudget: o['time-budget'],
        maxTrials: o['max-trials'],
        seed: o.seed,
        experiment: o.experiment,
        families: typeof o.families === 'string' ? o.families.split(',').map((f) => f.trim()).filter(Boolean) : undefined,
      }, {
        signal: interrupt.signal,
        stopSignal: interrupt.stopSignal,
        onProgress: (p) => progress.update(p),
      }, features);
      progress.end();
      if (o.json) printJson(ctx, 'train', result);
      else {
        ctx.stdout(l10n.t('Best model: {0} with {1} = {2} ({3}-fold cross-validation, {4} trials in {5} s).', result.bestModel.family, result.metric, result.bestScore.toFixed(4), result.folds, result.trials, result.elapsedSeconds.toFixed(1)) + '\n');
        ctx.stdout(l10n.t('Parameters: {0}', JSON.stringify(result.bestModel.params)) + '\n');
        const e = result.evaluation;
        ctx.stdout(l10n.t('Baseline ({0}): {1} = {2}.', e.baselineKind === 'majority class' ? l10n.t('most frequent class') : l10n.t('mean'), result.metric, e.baseline.toFixed(4)) + '\n');
        if (e.holdout) ctx.stdout(l10n.t('Latest {0} rows by {1}, trained on the {2} before: {3} = {4} (baseline {5}).', e.holdout.testRows, e.holdout.column, e.holdout.trainRows, result.metric, e.holdout.score.toFixed(4), e.holdout.baseline.toFixed(4)) + '\n');
        if (result.stopped) ctx.stdout(l10n.t('Stopped by you after {0} trials: this is the best model found until then.', result.trials) + '\n');
        if (result.converged) ctx.stdout(convergenceText(result.converged) + '\n');
        for (const w of baselineWarnings(e)) ctx.stderr(l10n.t('Warning: {0}', w) + '\n');
        ctx.stdout(l10n.t('Columns:') + '\n' + result.columns.map((c) => `  ${columnDecisionText(c)}\n`).join(''));
        if (result.featureSet) ctx.stdout(featureSetText(result.featureSet) + '\n');
        ctx.stdout(l10n.t('Run {0}; model {1} (sha256 {2}).', result.runId, result.model.artifact, result.model.sha256) + '\n');
      }
      return 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
});

/** --features with its --entities (and the target they carry), checked before any work. */
function featureSource(o: { features?: string; entities?: string; timestamp?: string; target?: string; dataset?: string }): FeatureTrainingSource | undefined {
  if (o.features === undefined) {
    if (o.entities !== undefined || o.timestamp !== undefined) throw new UsageError(l10n.t('--entities and --timestamp go with --features SERVICE.'));
    return undefined;
  }
  if (o.dataset !== undefined) throw new UsageError(l10n.t('Give --dataset or --features, not both: with --features the data is the training set built from the service.'));
  if (o.entities === undefined || o.target === undefined) throw new UsageError(l10n.t('--features needs --entities (the entity rows) and --target (their column to predict).'));
  return { service: o.features, entities: o.entities, ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}) };
}

async function trainByCommand(ctx: CommandContext, experiment: string | undefined): Promise<number> {
  const store = await openMetadataStore(openProject(ctx.cwd).paths.root);
  const result = await trainWithCommand(store, {
    experiment,
    stdout: (chunk) => ctx.stdout(chunk.toString()),
    stderr: (chunk) => ctx.stderr(chunk.toString()),
  }).finally(() => store.close());
  for (const w of result.warnings) ctx.stderr(l10n.t('Warning: {0}', w) + '\n');
  if (ctx.args.options.json) printJson(ctx, 'train command', { runId: result.runId, status: result.status, exitCode: result.exitCode, command: result.command, params: result.params, metrics: result.metrics, dataset: result.dataset ?? null, warnings: result.warnings });
  else ctx.stderr(l10n.t('Run {0} {1}: {2} params, {3} metrics recorded.', result.runId, result.status, Object.keys(result.params).length, Object.keys(result.metrics).length) + '\n');
  return result.status === 'finished' ? 0 : 1;
}

const RUN_OPTION = { name: 'run', type: 'string', description: 'The AutoML run whose model to use (an id or a unique prefix).' } as const;
const MODEL_OPTION = { name: 'model', type: 'string', description: 'A registered model version: <name>@<alias> (champion...) or <name>/<version>.' } as const;

const predict = defineCommand({
  name: 'predict',
  usage: 'mlops predict --run <id> | --model <name>@<alias>|<name>/<version> --input <file.csv> --output <preds.csv> [--strict] [--json]',
  summary: 'Predict every row of a CSV file with a trained model; writes the rows with a prediction column (and proba_<class> columns).',
  options: [
    RUN_OPTION,
    MODEL_OPTION,
    { name: 'input', type: 'string', description: 'CSV (or TSV) file with the model\'s feature columns, or its entity keys for a model trained on a feature service.' },
    { name: 'output', type: 'string', description: 'File to write the predictions to.' },
    { name: 'strict', type: 'boolean', description: 'Fail, writing nothing, when a row holds a category, a number out of range or a missing value the training data never had.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('predict takes no arguments.'));
    const input = ctx.args.options.input;
    const output = ctx.args.options.output;
    if (!input || !output) throw new UsageError(l10n.t('Give --input FILE and --output FILE.'));
    const reference = modelChoice(ctx.args.options);
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    try {
      const model = resolveModel(project, store, reference);
      const features = model.featureSet ? new EntityFeatures(project, model.featureSet) : undefined;
      const result = await predictFile(model.bytes, path.resolve(ctx.cwd, input), path.resolve(ctx.cwd, output), { strict: ctx.args.options.strict === true, features });
      // on stderr with --json too: rows predicted without some of their features are worth a word whoever reads
      if (result.incomplete) {
        ctx.stderr(l10n.t('Warning: {0}', l10n.t('{0} of {1} rows had a feature missing or expired in the online store; they were predicted with it missing. Run `mlops features materialize` to refresh it.', result.incomplete, result.rows)) + '\n');
      }
      if (ctx.args.options.json) {
        printJson(ctx, 'predict', { model: model.source, sha256: model.sha256, input, output, rows: result.rows, columns: result.added, warnings: result.warnings, rangesChecked: result.rangesChecked, incomplete: result.incomplete ?? null });
        return 0;
      }
      for (const w of result.warnings) ctx.stderr(l10n.t('Warning: {0}', inputWarningText(w)) + '\n');
      if (!result.rangesChecked) ctx.stderr(l10n.t('The model was trained before training ranges were recorded: numbers and missing values were not checked, only categories.') + '\n');
      ctx.stderr(l10n.t('Wrote {0} predictions to {1}.', result.rows, output) + '\n');
      return 0;
    } finally {
      store.close();
    }
  },
});

/** One line per column: the counts that are not zero, and a few of the values. */
function inputWarningText(w: InputWarning): string {
  const counts = [
    ...(w.unseenCategories ? [l10n.t('{0} rows with a category training never had', w.unseenCategories)] : []),
    ...(w.belowRange ? [l10n.t('{0} rows below the training range', w.belowRange)] : []),
    ...(w.aboveRange ? [l10n.t('{0} rows above the training range', w.aboveRange)] : []),
    ...(w.missing ? [l10n.t('{0} rows missing a value, which training always had', w.missing)] : []),
  ];
  const examples = w.examples.length ? ' ' + l10n.t('(e.g. {0})', w.examples.join(', ')) : '';
  return l10n.t('column "{0}": {1}', w.column, counts.join('; ')) + examples;
}

const exportCommand = defineCommand({
  name: 'export',
  usage: 'mlops export --run <id> | --model <name>@<alias>|<name>/<version> --output <model.onnx> | --format triton --output <folder> [--json]',
  summary: 'Write a trained model as an ONNX file, for ONNX Runtime and other servers (gbdt, random_forest, extra_trees and linear models).',
  options: [
    RUN_OPTION,
    MODEL_OPTION,
    { name: 'output', type: 'string', description: 'The .onnx file to write (with --format triton: the model repository folder).' },
    { name: 'format', type: 'string', choices: ['onnx', 'triton'], description: 'onnx (default): one file; triton: a Triton / KServe model repository with config.pbtxt and an InferenceService.' },
    JSON_OPTION,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) throw new UsageError(l10n.t('export takes no arguments.'));
    const { output, format = 'onnx' } = ctx.args.options;
    if (format === 'triton' && !output) throw new UsageError(l10n.t('Give --output FOLDER: the Triton model repository to write.'));
    if (!output || (format === 'onnx' && path.extname(output).toLowerCase() !== '.onnx')) throw new UsageError(l10n.t('Give --output FILE.onnx: ONNX is the format export writes.'));
    const reference = modelChoice(ctx.args.options);
    const project = openProject(ctx.cwd);
    const store = await openMetadataStore(project.paths.root);
    try {
      const chosen = resolveModel(project, store, reference);
      const target = path.resolve(ctx.cwd, output);
      let written: { model: Model; bytes: number; repository?: { name: string; version: number; files: string[] } };
      if (format === 'triton') {
        // a run has no name or version of its own: it is served as run-<id>, version 1
        const name = chosen.version?.model ?? `run-${(chosen.runId ?? '').slice(0, 8)}`;
        const triton = exportTritonRepository(chosen.bytes, target, { name, version: chosen.version?.version ?? 1 });
        written = { ...triton, repository: { name: triton.name, version: triton.version, files: triton.files.map((f) => path.join(output, f)) } };
      } else written = exportOnnxFile(chosen.bytes, target);
      const { model, bytes, repository } = written;
      const outputs = model.classes ? ['label', 'probabilities'] : ['variable'];
      if (ctx.args.options.json) {
        printJson(ctx, 'export', { model: chosen.source, sha256: chosen.sha256, family: model.family, output, bytes, input: 'X', features: model.features, classes: model.classes ?? null, outputs, ...(repository ? { repository } : {}) });
      } else {
        if (repository) ctx.stderr(l10n.t('Wrote the Triton model repository {0}: {1}. Replace storageUri in inferenceservice.yaml with where you upload the folder.', output, repository.files.join(', ')) + '\n');
        else ctx.stderr(l10n.t('Wrote {0} ({1} bytes), a {2} model.', output, bytes, model.family) + '\n');
        ctx.stderr(l10n.t('Input X: float32 [rows, {0}], columns in this order: {1}. Categories go in as their index in the model\'s vocabulary (see --json), missing values as NaN.', model.features.length, model.features.map((f) => f.name).join(', ')) + '\n');
        ctx.stderr(l10n.t('Outputs: {0}.', outputs.join(', ')) + '\n');
      }
      return 0;
    } finally {
      store.close();
    }
  },
});

export const trainCommands: readonly CliCommand[] = [train, predict, exportCommand];
