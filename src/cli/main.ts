import { describeError, MlopsError } from '../core/errors';
import { installPaths, installedVersion } from '../core/install';
import { l10n, localeFromEnvironment, useLocale } from '../core/l10n';
import { parseArgs, UsageError } from './args';
import type { CliCommand, CommandContext } from './command';
import { allCommands } from './commands';

/** Picks the command whose words match the most leading arguments ("run show" before "run"). */
export function findCommand(argv: readonly string[], commands: readonly CliCommand[] = allCommands) {
  let best: { command: CliCommand; words: number } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.words)) best = { command, words: words.length };
  }
  return best;
}

function helpText(): string {
  // Usages vary from a word to a line of options: each summary goes on its own indented line below its usage.
  const lines = allCommands.flatMap((c) => [`  ${c.usage}`, `      ${l10n.t(c.summary)}`]);
  return [l10n.t('mlops: the MLOps Workbench command line.'), '', l10n.t('Commands:'), ...lines, '', l10n.t('Run `mlops <command> --help` for its options.'), ''].join('\n');
}

function commandHelp(command: CliCommand): string {
  const flagOf = (o: (typeof command.options)[number]) =>
    `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'boolean' ? '' : o.type === 'number' ? ' N' : ' VALUE'}`;
  const width = Math.max(0, ...command.options.map((o) => flagOf(o).length));
  const lines = command.options.map((o) => {
    const flag = flagOf(o);
    return `  ${flag.padEnd(width)}  ${l10n.t(o.description)}${o.choices ? ` (${o.choices.join(', ')})` : ''}`;
  });
  return [l10n.t('Usage: {0}', command.usage), '', l10n.t(command.summary), ...(lines.length ? ['', l10n.t('Options:'), ...lines] : []), ''].join('\n');
}

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  interactive: boolean;
}

/** Runs one command line and returns the exit code: 0 success, 1 failure, 2 usage mistake. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout(helpText());
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === 'version') {
    io.stdout(`mlops ${installedVersion()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr(l10n.t('Unknown command "{0}". Run `mlops help` to list the commands.', argv[0]) + '\n');
    return 2;
  }
  const { command, words } = found;
  const rest = argv.slice(words);
  if (rest.includes('--help') && !rest.slice(0, rest.indexOf('--help')).includes('--')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    const ctx: CommandContext = { ...io, args: parseArgs(rest, command.options) };
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${describeError(err)}\n${l10n.t('Usage: {0}', command.usage)}\n`);
      return 2;
    }
    io.stderr(l10n.t('Error: {0}', describeError(err)) + '\n');
    // A bug, not a user mistake: the stack is what a maintainer needs, and only with MLOPS_DEBUG set.
    if (!(err instanceof MlopsError) && err instanceof Error && process.env.MLOPS_DEBUG) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

/**
 * A reader that closed the pipe (`mlops runs | head -3`) has all the output it wanted: the command ends quietly,
 * as cat or grep do, instead of with Node's unhandled EPIPE stack.
 */
function endQuietlyWhenPipeCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

if (require.main === module) {
  endQuietlyWhenPipeCloses(process.stdout);
  endQuietlyWhenPipeCloses(process.stderr);
  useLocale(localeFromEnvironment(), installPaths().l10n);
  runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    interactive: Boolean(process.stderr.isTTY),
  }).then((code) => {
    process.exitCode = code;
  });
}
