import * as path from 'node:path';
import { l10n } from '../../core/l10n';
import { installPaths } from '../../core/install';
import * as fs from 'node:fs';
import { checkProjectText } from '../../core/features';
import { findProjectRoot, initProject, CONFIG_FILE } from '../../core/workspace';
import { defineCommand, JSON_OPTION, printJson } from '../command';
import { UsageError } from '../args';

const init = defineCommand({
  name: 'init',
  usage: 'mlops init [DIR] [--sample] [--name NAME] [--json]',
  summary: 'Create mlops.yaml, .mlops/ and .gitignore entries (with --sample: the weather sample project).',
  options: [
    { name: 'sample', type: 'boolean', description: 'Create the sample project with data/weather.csv.' },
    { name: 'name', type: 'string', description: 'Project name (default: the folder name).' },
    JSON_OPTION,
  ],
  run(ctx) {
    if (ctx.args.positionals.length > 1) throw new UsageError(l10n.t('init takes at most one folder.'));
    const dir = path.resolve(ctx.cwd, ctx.args.positionals[0] ?? '.');
    const result = initProject(dir, {
      sample: ctx.args.options.sample === true,
      name: ctx.args.options.name,
      sampleDir: installPaths().sample,
    });
    if (ctx.args.options.json) printJson(ctx, 'init', result);
    else {
      ctx.stdout(result.message + '\n');
      for (const f of result.written) ctx.stdout(`  + ${f}\n`);
    }
    return 0;
  },
});

const validate = defineCommand({
  name: 'validate',
  usage: 'mlops validate [--json]',
  summary: 'Check mlops.yaml against its schema; print file:line:column for each problem.',
  options: [JSON_OPTION],
  run(ctx) {
    const root = findProjectRoot(ctx.cwd);
    if (!root) {
      const message = l10n.t('No {0} in {1} or any folder above it. Run `mlops init` to create one.', CONFIG_FILE, ctx.cwd);
      if (ctx.args.options.json) printJson(ctx, 'validate', { valid: false, file: null, problems: [{ message }] });
      else ctx.stderr(message + '\n');
      return 1;
    }
    const file = path.join(root, CONFIG_FILE);
    const { problems } = checkProjectText(fs.readFileSync(file, 'utf8'), root);
    const errors = problems.filter((p) => p.severity === 'error');
    if (ctx.args.options.json) {
      printJson(ctx, 'validate', { valid: errors.length === 0, file, problems });
    } else {
      const shown = path.relative(ctx.cwd, file) || CONFIG_FILE;
      for (const p of problems) ctx.stderr(`${shown}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
      if (errors.length === 0) ctx.stdout(l10n.t('{0} is valid.', shown) + '\n');
    }
    return errors.length === 0 ? 0 : 1;
  },
});

export const projectCommands = [init, validate];
