import { MlopsError } from '../core/errors';
import { l10n } from '../core/l10n';

export interface OptionSpec {
  name: string;
  /** A one-letter alias, written `-m` (as in `git commit -m`). */
  short?: string;
  type: 'string' | 'boolean' | 'number';
  description: string;
  /** Allowed values of a string option, checked here so every command reports them alike. */
  choices?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | number | undefined>;
  /** Everything after a bare `--`, untouched (a command to run, for example). */
  rest: string[];
}

/** A usage mistake: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends MlopsError {
  constructor(message: string) {
    super(message, undefined, 'USAGE');
  }
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const result: ParsedArgs = { positionals: [], options: {}, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      result.rest = argv.slice(i + 1);
      break;
    }
    const isShort = /^-[A-Za-z]$/.test(arg);
    const short = isShort ? specs.find((s) => s.short === arg[1]) : undefined;
    if (isShort && !short) throw new UsageError(l10n.t('Unknown option {0}.', arg));
    if (!short && (!arg.startsWith('--') || arg === '-')) {
      result.positionals.push(arg);
      continue;
    }
    const eq = short ? -1 : arg.indexOf('=');
    const name = short ? short.name : arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(l10n.t('Unknown option --{0}.', name));
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(l10n.t('--{0} takes no value.', name));
      result.options[name] = true;
      continue;
    }
    const raw: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined || (eq === -1 && raw.startsWith('--'))) throw new UsageError(l10n.t('--{0} needs a value.', name));
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(l10n.t('--{0} must be one of {1}; got "{2}".', name, spec.choices.join(', '), raw));
    }
    if (spec.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(l10n.t('--{0} needs a number; got "{1}".', name, raw));
      result.options[name] = n;
    } else {
      result.options[name] = raw;
    }
  }
  return result;
}
