import { MlopsError } from '../core/errors';
import { l10n } from '../core/l10n';

export interface OptionSpec {
  readonly name: string;
  /** A one-letter alias, written `-m` (as in `git commit -m`). */
  readonly short?: string;
  readonly type: 'string' | 'boolean' | 'number';
  readonly description: string;
  /** Allowed values of a string option, checked here so every command reports them alike. */
  readonly choices?: readonly string[];
  /** The smallest value a number option takes: below it is a usage mistake, found before any work starts. */
  readonly min?: number;
  /** A number option that only takes whole numbers (a count, a seed). */
  readonly integer?: boolean;
  /** A string option that may be given more than once (`--route a --route b`): its value is the list, in order. */
  readonly repeatable?: boolean;
}

/**
 * The value an option's declaration gives: a boolean flag, a number, one of its choices, a string, or the list of a
 * repeatable one. `T` and `R` are the declared type and repeatability on their own so that a declaration not known
 * exactly (any OptionSpec) gives the union of them all.
 */
type OptionValue<S extends OptionSpec, T extends OptionSpec['type'] = S['type'], R = S extends { readonly repeatable?: infer X } ? X : false> = R extends true
  ? string[]
  : T extends 'boolean'
  ? boolean
  : T extends 'number'
    ? number
    : S extends { readonly choices: readonly (infer C extends string)[] }
      ? C
      : string;

/** The parsed options of a command, typed from its declarations (declared `as const`, or inline in `defineCommand`). */
export type OptionValues<O extends readonly OptionSpec[]> = { readonly [S in O[number] as S['name']]?: OptionValue<S> };

export interface ParsedArgs<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  positionals: string[];
  options: OptionValues<O>;
  /** Everything after a bare `--`, untouched (a command to run, for example). */
  rest: string[];
}

/** A usage mistake: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends MlopsError {
  constructor(message: string, hint?: string) {
    super(message, hint, 'USAGE');
  }
}

export function parseArgs<O extends readonly OptionSpec[]>(argv: readonly string[], specs: O): ParsedArgs<O> {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const options: Record<string, string | boolean | number | string[]> = {};
  const result = { positionals: [] as string[], rest: [] as string[] };
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
      options[name] = true;
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
      if (spec.integer && !Number.isInteger(n)) throw new UsageError(l10n.t('--{0} needs a whole number; got "{1}".', name, raw));
      if (spec.min !== undefined && n < spec.min) throw new UsageError(l10n.t('--{0} needs a number of at least {1}; got "{2}".', name, spec.min, raw));
      options[name] = n;
    } else if (spec.repeatable) {
      const earlier = options[name];
      options[name] = Array.isArray(earlier) ? [...earlier, raw] : [raw];
    } else {
      // the later value would silently win: the user meant one of them, and only they know which
      if (options[name] !== undefined) throw new UsageError(l10n.t('--{0} was given twice; give it once.', name));
      options[name] = raw;
    }
  }
  // Every value was checked against its declaration above, which is what OptionValues<O> promises.
  return { ...result, options: options as OptionValues<O> };
}
