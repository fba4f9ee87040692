import type { OptionSpec, ParsedArgs } from './args';

/** What a command sees: its parsed arguments and where to write. Nothing global, so tests can run commands in-process. */
export interface CommandContext {
  args: ParsedArgs;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal, where progress bars are drawn. */
  interactive: boolean;
}

export interface CliCommand {
  /** One or more words: "init", "run show". The longest match of the command line wins. */
  name: string;
  usage: string;
  /** English; translated when help is printed, since commands are defined before the locale is known. */
  summary: string;
  options: readonly OptionSpec[];
  /** Returns the process exit code: 0 success, 1 a failed check or operation. */
  run(ctx: CommandContext): Promise<number> | number;
}

export const JSON_OPTION: OptionSpec = { name: 'json', type: 'boolean', description: 'Print machine-readable JSON.' };

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2) + '\n');
}
