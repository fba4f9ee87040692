import { l10n } from '../l10n';

/**
 * The feature expression language: a lexer and a recursive-descent parser into a tree. Nothing here is ever handed
 * to eval or Function: an expression in mlops.yaml comes from a shared file and must not be able to run code.
 */
export type Expression =
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'boolean'; value: boolean; start: number; end: number }
  | { kind: 'null'; start: number; end: number }
  /** A source column or another feature of the same view; which one is decided by the type checker. */
  | { kind: 'name'; name: string; start: number; end: number }
  /** `request.x`: a value the caller gives at lookup time (on-demand features). */
  | { kind: 'request'; name: string; start: number; end: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expression; start: number; end: number }
  | { kind: 'binary'; op: BinaryOperator; left: Expression; right: Expression; start: number; end: number }
  | { kind: 'call'; name: string; args: Expression[]; start: number; end: number }
  | { kind: 'list'; items: Expression[]; start: number; end: number };

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

/** A mistake in an expression, at `start`..`end` (offsets into the expression's text). */
export class ExpressionError extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type TokenKind = 'number' | 'string' | 'name' | 'op' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  value?: number | string;
  start: number;
  end: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '[', ']', '.'];
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const literal = match ? match[0] : c;
      i += literal.length;
      if (i < text.length && NAME_PART.test(text[i])) throw new ExpressionError(l10n.t('A number cannot be followed by letters here.'), start, i + 1);
      tokens.push({ kind: 'number', text: literal, value: Number(literal), start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ExpressionError(l10n.t('This string is never closed: add a closing {0}.', c), start, text.length);
        const d = text[i];
        if (d === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        value += d;
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close === -1) throw new ExpressionError(l10n.t('This quoted name is never closed: add a closing {0}.', '`'), start, text.length);
      i = close + 1;
      tokens.push({ kind: 'name', text: text.slice(start, i), value: text.slice(start + 1, close), start, end: i });
      continue;
    }
    if (NAME_START.test(c)) {
      while (i < text.length && NAME_PART.test(text[i])) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: 'name', text: word, value: word, start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new ExpressionError(l10n.t('Unexpected character "{0}".', c), start, start + 1);
    i += op.length;
    tokens.push({ kind: 'op', text: op, start, end: i });
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null', 'request']);

/**
 * Precedence, loosest first: or, and, not, comparisons (non-associative), + -, * / %, unary minus, calls and
 * primaries.
 */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => peek().kind === 'name' && peek().text === word;
  const isOp = (op: string) => peek().kind === 'op' && peek().text === op;
  const expect = (op: string): Token => {
    if (!isOp(op)) throw new ExpressionError(l10n.t('Expected "{0}" here.', op), peek().start, Math.max(peek().end, peek().start + 1));
    return tokens[at++];
  };

  const parseOr = (): Expression => {
    let left = parseAnd();
    while (isWord('or')) {
      at++;
      const right = parseAnd();
      left = { kind: 'binary', op: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseAnd = (): Expression => {
    let left = parseNot();
    while (isWord('and')) {
      at++;
      const right = parseNot();
      left = { kind: 'binary', op: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseNot = (): Expression => {
    if (isWord('not')) {
      const start = tokens[at++].start;
      const operand = parseNot();
      return { kind: 'unary', op: 'not', operand, start, end: operand.end };
    }
    return parseComparison();
  };
  const parseComparison = (): Expression => {
    const left = parseAdditive();
    const t = peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      at++;
      const right = parseAdditive();
      const next = peek();
      if (next.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(next.text)) {
        throw new ExpressionError(l10n.t('Comparisons do not chain: write "a < b and b < c".'), next.start, next.end);
      }
      return { kind: 'binary', op: t.text as BinaryOperator, left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseAdditive = (): Expression => {
    let left = parseMultiplicative();
    while (isOp('+') || isOp('-')) {
      const op = tokens[at++].text as '+' | '-';
      const right = parseMultiplicative();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseMultiplicative = (): Expression => {
    let left = parseUnary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = tokens[at++].text as '*' | '/' | '%';
      const right = parseUnary();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseUnary = (): Expression => {
    if (isOp('-')) {
      const start = tokens[at++].start;
      const operand = parseUnary();
      return { kind: 'unary', op: '-', operand, start, end: operand.end };
    }
    return parsePrimary();
  };
  const parseArguments = (close: string): Expression[] => {
    const args: Expression[] = [];
    if (isOp(close)) return args;
    for (;;) {
      args.push(parseOr());
      if (!isOp(',')) break;
      at++;
    }
    return args;
  };
  const parsePrimary = (): Expression => {
    const t = peek();
    if (t.kind === 'number') {
      at++;
      return { kind: 'number', value: t.value as number, start: t.start, end: t.end };
    }
    if (t.kind === 'string') {
      at++;
      return { kind: 'string', value: t.value as string, start: t.start, end: t.end };
    }
    if (isOp('(')) {
      at++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (isOp('[')) {
      at++;
      const items = parseArguments(']');
      const end = expect(']').end;
      return { kind: 'list', items, start: t.start, end };
    }
    if (t.kind === 'name') {
      at++;
      const quoted = t.text.startsWith('`');
      const word = t.value as string;
      if (!quoted && (word === 'true' || word === 'false')) return { kind: 'boolean', value: word === 'true', start: t.start, end: t.end };
      if (!quoted && word === 'null') return { kind: 'null', start: t.start, end: t.end };
      if (!quoted && word === 'request') {
        expect('.');
        const field = peek();
        if (field.kind !== 'name') throw new ExpressionError(l10n.t('Expected the name of a request input after "request.".'), field.start, Math.max(field.end, field.start + 1));
        at++;
        return { kind: 'request', name: field.value as string, start: t.start, end: field.end };
      }
      if (!quoted && KEYWORDS.has(word)) throw new ExpressionError(l10n.t('"{0}" is a keyword and cannot start a value here.', word), t.start, t.end);
      if (!quoted && isOp('(')) {
        at++;
        const args = parseArguments(')');
        const end = expect(')').end;
        return { kind: 'call', name: word, args, start: t.start, end };
      }
      return { kind: 'name', name: word, start: t.start, end: t.end };
    }
    if (t.kind === 'eof') throw new ExpressionError(l10n.t('The expression ends where a value was expected.'), t.start, t.start);
    throw new ExpressionError(l10n.t('Unexpected "{0}": a value was expected here.', t.text), t.start, t.end);
  };

  const tree = parseOr();
  if (peek().kind !== 'eof') throw new ExpressionError(l10n.t('Unexpected "{0}" after the end of the expression.', peek().text), peek().start, peek().end);
  return tree;
}

/** Names an expression reads, in order of appearance: what the dependency graph between features is built from. */
export function namesIn(tree: Expression): Expression[] {
  const found: Expression[] = [];
  const visit = (e: Expression) => {
    if (e.kind === 'name' || e.kind === 'request') found.push(e);
    else if (e.kind === 'unary') visit(e.operand);
    else if (e.kind === 'binary') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'call') e.args.forEach(visit);
    else if (e.kind === 'list') e.items.forEach(visit);
  };
  visit(tree);
  return found;
}
