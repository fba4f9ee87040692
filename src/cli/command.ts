import type { OptionSpec, ParsedArgs } from './args';
import { l10n } from '../core/l10n';
import { openProjectForReading, type Project } from '../core/workspace';
import type { CliJson } from './json';

/** What a command sees: its parsed arguments and where to write. Nothing global, so tests can run commands in-process. */
export interface CommandContext<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  args: ParsedArgs<O>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal, where progress bars are drawn. */
  interactive: boolean;
}

export interface CliCommand<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** One or more words: "init", "run show". The longest match of the command line wins. */
  name: string;
  usage: string;
  /** English; translated when help is printed, since commands are defined before the locale is known. */
  summary: string;
  options: O;
  /** Returns the process exit code: 0 success, 1 a failed check or operation. */
  run(ctx: CommandContext<O>): Promise<number> | number;
}

/** Declares a command with its options' names and types kept, so `ctx.args.options` is typed from them. */
export function defineCommand<const O extends readonly OptionSpec[]>(command: CliCommand<O>): CliCommand<O> {
  return command;
}

export const JSON_OPTION = { name: 'json', type: 'boolean', description: 'Print machine-readable JSON.' } as const satisfies OptionSpec;

/** Prints a command's `--json` output; `shape` names its type in CliJson, so every shape printed is a declared one. */
export function printJson<K extends keyof CliJson>(ctx: Pick<CommandContext, 'stdout'>, shape: K, value: CliJson[K]): void {
  ctx.stdout(JSON.stringify(value, null, 2) + '\n');
}

/** One line of `--json`, for a command that keeps running after it (mlops serve): a reader can act on it at once. */
export function printJsonLine<K extends keyof CliJson>(ctx: Pick<CommandContext, 'stdout'>, shape: K, value: CliJson[K]): void {
  ctx.stdout(JSON.stringify(value) + '\n');
}

/** The project for a command that only reads (`mlops models`): a broken mlops.yaml is a warning, not a stop. */
export function projectForReading(ctx: Pick<CommandContext, 'cwd' | 'stderr'>): Project {
  const { project, configProblem } = openProjectForReading(ctx.cwd);
  if (configProblem) ctx.stderr(l10n.t('Warning: {0} (showing what is on disk; `mlops validate` lists every problem).', configProblem) + '\n');
  return project;
}
