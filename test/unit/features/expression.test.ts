import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { compileExpression, ExpressionError, FUNCTIONS, parseExpression, type Value, type ValueType } from '../../../src/core/features';

/** Compiles `text` over named inputs of the given types and evaluates it with their values. */
function run(text: string, inputs: Record<string, [ValueType, Value]> = {}, request: Record<string, Value> = {}): Value {
  const names = Object.keys(inputs);
  const compiled = compileExpression(parseExpression(text), {
    resolve: (name) => (name in inputs ? { slot: names.indexOf(name), type: inputs[name][0] } : undefined),
    candidates: () => names,
    onRequest: () => undefined,
  });
  return compiled.evaluate({ read: (slot) => inputs[names[slot]][1], request: (name) => request[name] ?? null });
}

function typeOf(text: string, inputs: Record<string, ValueType> = {}): ValueType {
  const names = Object.keys(inputs);
  return compileExpression(parseExpression(text), {
    resolve: (name) => (name in inputs ? { slot: names.indexOf(name), type: inputs[name] } : undefined),
    candidates: () => names,
    onRequest: () => undefined,
  }).type;
}

/** The error an expression raises, with the text it points at. */
function failure(text: string, inputs: Record<string, ValueType> = {}): { message: string; at: string; start: number } {
  try {
    typeOf(text, inputs);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, String(err));
    return { message: err.message, at: text.slice(err.start, err.end), start: err.start };
  }
  assert.fail(`"${text}" was accepted`);
}

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);

describe('feature expressions: parsing and precedence', () => {
  it('multiplies before adding, and unary minus binds tighter than both', () => {
    assert.equal(run('1 + 2 * 3'), 7);
    assert.equal(run('(1 + 2) * 3'), 9);
    assert.equal(run('-2 * 3 + 10 % 4'), -4);
    assert.equal(run('10 - 4 - 3'), 3, 'left-associative');
    assert.equal(run('2 * -x', { x: ['number', 5] }), -10);
  });
  it('compares after arithmetic, then not, and, or, loosest last', () => {
    assert.equal(run('1 + 1 == 2 and 3 > 2'), true);
    assert.equal(run('true or false and false'), true, 'and before or');
    assert.equal(run('not false and false'), false, 'not before and');
    assert.equal(run('not 1 > 2'), true, 'comparison before not');
    assert.deepEqual(parseExpression('a or b and c'), {
      kind: 'binary', op: 'or', start: 0, end: 12,
      left: { kind: 'name', name: 'a', start: 0, end: 1 },
      right: { kind: 'binary', op: 'and', start: 5, end: 12, left: { kind: 'name', name: 'b', start: 5, end: 6 }, right: { kind: 'name', name: 'c', start: 11, end: 12 } },
    });
  });
  it('reads strings in either quote, backquoted column names, and request inputs', () => {
    assert.equal(run(`"a" + 'b'`), 'ab');
    assert.equal(run('`wind speed` * 2', { 'wind speed': ['number', 3] }), 6);
    assert.equal(run('request.amount * 2', {}, { amount: 21 }), 42);
    assert.equal(run('1.5e2 + .5'), 150.5);
  });
});

describe('feature expressions: every function', () => {
  it('computes if, coalesce and the arithmetic functions', () => {
    assert.equal(run('if(x > 1, "big", "small")', { x: ['number', 3] }), 'big');
    assert.equal(run('if(x > 1, "big", "small")', { x: ['number', null] }), 'small', 'an unknown condition takes the else branch');
    assert.equal(run('coalesce(x, y, 7)', { x: ['number', null], y: ['number', null] }), 7);
    assert.equal(run('coalesce(x, 7)', { x: ['number', 2] }), 2);
    assert.equal(run('log(exp(2))'), 2);
    assert.equal(run('sqrt(16) + abs(-3)'), 7);
    assert.equal(run('round(2.345, 2)'), 2.35);
    assert.equal(run('round(2.5)'), 3);
    assert.equal(run('clip(15, 0, 10)'), 10);
    assert.equal(run('clip(-1, 0, 10)'), 0);
    assert.equal(run('log(0)'), null, 'a non-finite result is missing');
    assert.equal(run('1 / 0'), null);
    assert.equal(run('sqrt(-1)'), null);
  });
  it('bucketizes by counting the edges at or below the value', () => {
    assert.equal(run('bucketize(x, [0, 10, 20])', { x: ['number', -5] }), 0);
    assert.equal(run('bucketize(x, [0, 10, 20])', { x: ['number', 10] }), 2);
    assert.equal(run('bucketize(x, [0, 10, 20])', { x: ['number', 25] }), 3);
    assert.equal(run('bucketize(x, [-1, 1])', { x: ['number', 0] }), 1);
  });
  it('takes date parts in UTC, Monday being day 0', () => {
    const d: Record<string, [ValueType, Value]> = { d: ['datetime', t('2024-03-17T13:45:00Z')] };
    assert.equal(run('year(d)', d), 2024);
    assert.equal(run('month(d)', d), 3);
    assert.equal(run('day(d)', d), 17);
    assert.equal(run('dow(d)', d), 6, '2024-03-17 is a Sunday');
    assert.equal(run('hour(d)', d), 13);
    assert.equal(run('dow(d)', { d: ['datetime', t('2024-03-18T00:00:00Z')] }), 0);
    assert.equal(run('hour(d)', { d: ['datetime', -DAY + 3_600_000 * 5] }), 5, 'before 1970 too');
  });
  it('lowers, uppers, measures and searches text', () => {
    const s: Record<string, [ValueType, Value]> = { s: ['string', 'New York'] };
    assert.equal(run('lower(s)', s), 'new york');
    assert.equal(run('upper(s)', s), 'NEW YORK');
    assert.equal(run('len(s)', s), 8);
    assert.equal(run('contains(s, "York")', s), true);
    assert.equal(run('contains(s, "york")', s), false);
    assert.equal(run('len(s)', { s: ['string', null] }), null);
  });
  it('propagates missing values, with three-valued and/or', () => {
    const x: Record<string, [ValueType, Value]> = { x: ['number', null] };
    assert.equal(run('x + 1', x), null);
    assert.equal(run('x > 1', x), null);
    assert.equal(run('x > 1 and false', x), false);
    assert.equal(run('x > 1 or true', x), true);
    assert.equal(run('x > 1 and true', x), null);
    assert.equal(run('not (x > 1)', x), null);
  });
  it('covers the documented list of functions', () => {
    assert.deepEqual([...FUNCTIONS].sort(), ['abs', 'bucketize', 'clip', 'coalesce', 'contains', 'day', 'dow', 'exp', 'hour', 'if', 'len', 'log', 'lower', 'month', 'round', 'sqrt', 'upper', 'year']);
  });
});

describe('feature expressions: types and errors at their offsets', () => {
  it('types expressions from their inputs', () => {
    assert.equal(typeOf('x * 2', { x: 'number' }), 'number');
    assert.equal(typeOf('x > 2 and s == "a"', { x: 'number', s: 'string' }), 'boolean');
    assert.equal(typeOf('if(b, s, "z")', { b: 'boolean', s: 'string' }), 'string');
    assert.equal(typeOf('coalesce(e, 1)', { e: 'null' }), 'number');
  });
  it('reports a type mismatch at the operand that has the wrong type', () => {
    const f = failure('temp + city', { temp: 'number', city: 'string' });
    assert.match(f.message, /Type mismatch: expected number, found string/);
    assert.equal(f.at, 'city');
    assert.equal(failure('month(city)', { city: 'string' }).at, 'city');
    assert.equal(failure('not temp', { temp: 'number' }).at, 'temp');
    assert.equal(failure('if(temp, 1, 2)', { temp: 'number' }).at, 'temp');
    assert.equal(failure('if(b, 1, "a")', { b: 'boolean' }).at, '"a"');
  });
  it('suggests the closest name for an unknown column or function', () => {
    const f = failure('temp_maxx - temp_min', { temp_max: 'number', temp_min: 'number' });
    assert.match(f.message, /Unknown column or feature "temp_maxx"\. Did you mean "temp_max"\?/);
    assert.deepEqual([f.at, f.start], ['temp_maxx', 0]);
    const g = failure('1 + lgo(2)');
    assert.match(g.message, /Unknown function "lgo"\. Did you mean "log"\?/);
    assert.equal(g.start, 4);
  });
  it('reports syntax errors where they are', () => {
    assert.equal(failure('1 + * 2').at, '*');
    assert.equal(failure('(1 + 2').start, 6);
    assert.match(failure('"open').message, /never closed/);
    assert.equal(failure('1 < 2 < 3').at, '<');
    assert.equal(failure('x $ 2', { x: 'number' }).at, '$');
    assert.match(failure('round(1, 2, 3)').message, /round\(\) takes 1 to 2 arguments, not 3/);
    assert.match(failure('bucketize(1, [3, 2])').message, /must increase/);
    assert.match(failure('bucketize(1, [x])', { x: 'number' }).message, /must be numbers/);
    assert.match(failure('1 2').message, /after the end/);
  });
});

describe('feature expressions are never run as code', () => {
  it('refuses what would reach JavaScript, and no engine file calls eval or Function', () => {
    assert.match(failure('constructor.constructor("return process")()').message, /Unexpected|Unknown/);
    assert.match(failure('x; process.exit(1)', { x: 'number' }).message, /Unexpected/);
    const dir = path.join(__dirname, '..', '..', '..', '..', 'src', 'core', 'features');
    for (const file of fs.readdirSync(dir)) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.doesNotMatch(source, /\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(/, file);
    }
  });
});
