import { l10n } from '../l10n';
import { ExpressionError, type BinaryOperator, type Expression } from './expression';

/** Types of values. Datetimes are milliseconds since 1970 UTC at run time; `null` is the type of a column with no values. */
export type ValueType = 'number' | 'boolean' | 'string' | 'datetime' | 'null';
export type Value = number | string | boolean | null;

/** What an expression reads at run time: a slot (a column or feature, numbered by the compiler) or a request input. */
export interface Scope {
  read(slot: number): Value;
  request(name: string): Value;
}

/** A compiled expression: its type, and a closure over the tree that computes it. No code is generated. */
export interface TypedExpression {
  type: ValueType;
  evaluate: (scope: Scope) => Value;
}

/** How the checker resolves a name: to a slot and its type, or undefined when unknown (with candidates for a hint). */
export interface NameResolver {
  resolve(name: string, start: number, end: number): { slot: number; type: ValueType } | undefined;
  candidates(): string[];
  /** A request input was read; the compiler records it. */
  onRequest(name: string): void;
}

export const FUNCTIONS = ['if', 'coalesce', 'log', 'exp', 'sqrt', 'abs', 'round', 'clip', 'bucketize', 'year', 'month', 'day', 'dow', 'hour', 'lower', 'upper', 'len', 'contains'];

/** The closest of `candidates` to `name` when it is close enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const [a, b] = [name.toLowerCase(), c.toLowerCase()];
    // A name cut short (event_time for event_timestamp) is as likely a slip as a typo.
    const d = a.length >= 3 && (b.startsWith(a) || a.startsWith(b)) ? 1 : editDistance(a, b);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function unify(a: ValueType, b: ValueType): ValueType | undefined {
  if (a === 'null') return b;
  if (b === 'null' || a === b) return a;
  return undefined;
}

const mismatch = (e: Expression, wanted: string, got: ValueType) =>
  new ExpressionError(l10n.t('Type mismatch: expected {0}, found {1}.', wanted, got), e.start, e.end);

const finite = (v: number): Value => (Number.isFinite(v) ? v : null);
const DAY = 86_400_000;

/** Type-checks `tree` and returns its evaluator; throws ExpressionError at the offending part. */
export function compileExpression(tree: Expression, names: NameResolver): TypedExpression {
  const want = (e: Expression, wanted: ValueType): TypedExpression['evaluate'] => {
    const c = compileExpression(e, names);
    if (c.type !== wanted && c.type !== 'null') throw mismatch(e, wanted, c.type);
    return c.evaluate;
  };
  switch (tree.kind) {
    case 'number':
    case 'string':
    case 'boolean': {
      const value = tree.value;
      return { type: tree.kind, evaluate: () => value };
    }
    case 'null':
      return { type: 'null', evaluate: () => null };
    case 'name': {
      const found = names.resolve(tree.name, tree.start, tree.end);
      if (!found) {
        const suggestion = closest(tree.name, names.candidates());
        throw new ExpressionError(
          suggestion ? l10n.t('Unknown column or feature "{0}". Did you mean "{1}"?', tree.name, suggestion) : l10n.t('Unknown column or feature "{0}".', tree.name),
          tree.start, tree.end,
        );
      }
      const slot = found.slot;
      return { type: found.type, evaluate: (scope) => scope.read(slot) };
    }
    case 'request': {
      names.onRequest(tree.name);
      const name = tree.name;
      // A request input has the type its use gives it: checked when the value arrives.
      return { type: 'null', evaluate: (scope) => scope.request(name) };
    }
    case 'list':
      throw new ExpressionError(l10n.t('A list is only allowed as the edges of bucketize(x, [e1, e2, ...]).'), tree.start, tree.end);
    case 'unary': {
      if (tree.op === '-') {
        const operand = want(tree.operand, 'number');
        return { type: 'number', evaluate: (s) => { const v = operand(s); return v === null ? null : -(v as number); } };
      }
      const operand = want(tree.operand, 'boolean');
      return { type: 'boolean', evaluate: (s) => { const v = operand(s); return v === null ? null : !v; } };
    }
    case 'binary':
      return compileBinary(tree.op, tree.left, tree.right, tree, names, want);
    case 'call':
      return compileCall(tree, names, want);
  }
}

function compileBinary(
  op: BinaryOperator, leftTree: Expression, rightTree: Expression, whole: Expression, names: NameResolver,
  want: (e: Expression, t: ValueType) => TypedExpression['evaluate'],
): TypedExpression {
  if (op === 'and' || op === 'or') {
    const left = want(leftTree, 'boolean');
    const right = want(rightTree, 'boolean');
    // Three-valued logic, as in SQL: false and unknown is false, true or unknown is true.
    if (op === 'and') return { type: 'boolean', evaluate: (s) => { const a = left(s); if (a === false) return false; const b = right(s); if (b === false) return false; return a === null || b === null ? null : true; } };
    return { type: 'boolean', evaluate: (s) => { const a = left(s); if (a === true) return true; const b = right(s); if (b === true) return true; return a === null || b === null ? null : false; } };
  }
  const left = compileExpression(leftTree, names);
  const right = compileExpression(rightTree, names);
  const common = unify(left.type, right.type);
  if (common === undefined) throw mismatch(rightTree, left.type, right.type);
  const l = left.evaluate;
  const r = right.evaluate;
  if (op === '==' || op === '!=') {
    const equal = op === '==';
    return { type: 'boolean', evaluate: (s) => { const a = l(s); const b = r(s); return a === null || b === null ? null : (a === b) === equal; } };
  }
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    if (common === 'boolean') throw mismatch(leftTree, l10n.t('a number, text or datetime'), common);
    const compare: (a: number | string, b: number | string) => boolean =
      op === '<' ? (a, b) => a < b : op === '<=' ? (a, b) => a <= b : op === '>' ? (a, b) => a > b : (a, b) => a >= b;
    return { type: 'boolean', evaluate: (s) => { const a = l(s); const b = r(s); return a === null || b === null ? null : compare(a as number, b as number); } };
  }
  if (op === '+' && common === 'string') {
    return { type: 'string', evaluate: (s) => { const a = l(s); const b = r(s); return a === null || b === null ? null : (a as string) + (b as string); } };
  }
  if (common !== 'number' && common !== 'null') throw mismatch(left.type === 'null' ? rightTree : leftTree, 'number', common);
  const arithmetic: (a: number, b: number) => number =
    op === '+' ? (a, b) => a + b : op === '-' ? (a, b) => a - b : op === '*' ? (a, b) => a * b : op === '/' ? (a, b) => a / b : (a, b) => a % b;
  // Division by zero and other non-finite results are missing values, never Infinity or NaN in a training set.
  return { type: 'number', evaluate: (s) => { const a = l(s); const b = r(s); return a === null || b === null ? null : finite(arithmetic(a as number, b as number)); } };
}

function arity(call: Extract<Expression, { kind: 'call' }>, min: number, max = min): void {
  const n = call.args.length;
  if (n < min || n > max) {
    const expected = min === max ? String(min) : max === Infinity ? l10n.t('at least {0}', min) : l10n.t('{0} to {1}', min, max);
    throw new ExpressionError(l10n.t('{0}() takes {1} arguments, not {2}.', call.name, expected, n), call.start, call.end);
  }
}

function constantNumber(e: Expression): number | undefined {
  if (e.kind === 'number') return e.value;
  if (e.kind === 'unary' && e.op === '-') {
    const v = constantNumber(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

function compileCall(
  call: Extract<Expression, { kind: 'call' }>, names: NameResolver, want: (e: Expression, t: ValueType) => TypedExpression['evaluate'],
): TypedExpression {
  const math1 = (f: (x: number) => number): TypedExpression => {
    arity(call, 1);
    const x = want(call.args[0], 'number');
    return { type: 'number', evaluate: (s) => { const v = x(s); return v === null ? null : finite(f(v as number)); } };
  };
  const datePart = (f: (d: Date) => number): TypedExpression => {
    arity(call, 1);
    const x = want(call.args[0], 'datetime');
    return { type: 'number', evaluate: (s) => { const v = x(s); return v === null ? null : f(new Date(v as number)); } };
  };
  switch (call.name) {
    case 'if': {
      arity(call, 3);
      const condition = want(call.args[0], 'boolean');
      const a = compileExpression(call.args[1], names);
      const b = compileExpression(call.args[2], names);
      const type = unify(a.type, b.type);
      if (type === undefined) throw mismatch(call.args[2], a.type, b.type);
      // An unknown condition is not true, as in SQL's CASE: the else branch.
      return { type, evaluate: (s) => (condition(s) === true ? a.evaluate(s) : b.evaluate(s)) };
    }
    case 'coalesce': {
      arity(call, 1, Infinity);
      const parts = call.args.map((e) => compileExpression(e, names));
      let type: ValueType = 'null';
      parts.forEach((p, i) => {
        const u = unify(type, p.type);
        if (u === undefined) throw mismatch(call.args[i], type, p.type);
        type = u;
      });
      return { type, evaluate: (s) => { for (const p of parts) { const v = p.evaluate(s); if (v !== null) return v; } return null; } };
    }
    case 'log': return math1(Math.log);
    case 'exp': return math1(Math.exp);
    case 'sqrt': return math1(Math.sqrt);
    case 'abs': return math1(Math.abs);
    case 'round': {
      arity(call, 1, 2);
      const x = want(call.args[0], 'number');
      let scale = 1;
      if (call.args.length === 2) {
        const digits = constantNumber(call.args[1]);
        if (digits === undefined || !Number.isInteger(digits) || digits < 0 || digits > 15) {
          throw new ExpressionError(l10n.t('round(x, digits): digits must be a whole number from 0 to 15.'), call.args[1].start, call.args[1].end);
        }
        scale = 10 ** digits;
      }
      return { type: 'number', evaluate: (s) => { const v = x(s); return v === null ? null : Math.round((v as number) * scale) / scale; } };
    }
    case 'clip': {
      arity(call, 3);
      const x = want(call.args[0], 'number');
      const lo = want(call.args[1], 'number');
      const hi = want(call.args[2], 'number');
      return { type: 'number', evaluate: (s) => { const v = x(s); const a = lo(s); const b = hi(s); return v === null || a === null || b === null ? null : Math.min(Math.max(v as number, a as number), b as number); } };
    }
    case 'bucketize': {
      arity(call, 2);
      const x = want(call.args[0], 'number');
      const list = call.args[1];
      if (list.kind !== 'list' || list.items.length === 0) throw new ExpressionError(l10n.t('bucketize(x, [e1, e2, ...]) needs a list of numbers as its edges.'), list.start, list.end);
      const edges = list.items.map((item) => {
        const v = constantNumber(item);
        if (v === undefined) throw new ExpressionError(l10n.t('The edges of bucketize must be numbers.'), item.start, item.end);
        return v;
      });
      for (let i = 1; i < edges.length; i++) {
        if (!(edges[i] > edges[i - 1])) throw new ExpressionError(l10n.t('The edges of bucketize must increase.'), list.items[i].start, list.items[i].end);
      }
      // The bucket is the number of edges at or below x: x below the first edge is 0, at or past the last is n.
      return { type: 'number', evaluate: (s) => { const v = x(s); if (v === null) return null; let k = 0; while (k < edges.length && (v as number) >= edges[k]) k++; return k; } };
    }
    case 'year': return datePart((d) => d.getUTCFullYear());
    case 'month': return datePart((d) => d.getUTCMonth() + 1);
    case 'day': return datePart((d) => d.getUTCDate());
    // Monday 0 to Sunday 6, as pandas' dayofweek.
    case 'dow': return datePart((d) => (d.getUTCDay() + 6) % 7);
    case 'hour': return datePart((d) => Math.floor(((d.getTime() % DAY) + DAY) % DAY / 3_600_000));
    case 'lower':
    case 'upper': {
      arity(call, 1);
      const x = want(call.args[0], 'string');
      const upper = call.name === 'upper';
      return { type: 'string', evaluate: (s) => { const v = x(s); return v === null ? null : upper ? (v as string).toUpperCase() : (v as string).toLowerCase(); } };
    }
    case 'len': {
      arity(call, 1);
      const x = want(call.args[0], 'string');
      return { type: 'number', evaluate: (s) => { const v = x(s); return v === null ? null : [...(v as string)].length; } };
    }
    case 'contains': {
      arity(call, 2);
      const x = want(call.args[0], 'string');
      const part = want(call.args[1], 'string');
      return { type: 'boolean', evaluate: (s) => { const v = x(s); const p = part(s); return v === null || p === null ? null : (v as string).includes(p as string); } };
    }
    default: {
      const suggestion = closest(call.name, FUNCTIONS);
      throw new ExpressionError(
        suggestion ? l10n.t('Unknown function "{0}". Did you mean "{1}"?', call.name, suggestion) : l10n.t('Unknown function "{0}".', call.name),
        call.start, call.start + call.name.length,
      );
    }
  }
}
