import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { profileFile, type ColumnProfile } from '../../../src/core/data';

const file = (name: string, contents: string | Buffer) => {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-profile-')), name);
  fs.writeFileSync(p, contents);
  return p;
};
const column = (columns: ColumnProfile[], name: string) => columns.find((c) => c.name === name)!;

describe('CSV reading', () => {
  it('handles quotes, doubled quotes, line breaks in quotes, CRLF and the null spellings', () => {
    const csv = 'name,note,n\r\n"Smith, J","said ""hi""",1\r\nLee,"two\r\nlines",NA\r\n,NaN,null\r\nAda,,3\r\n';
    const p = profileFile(file('q.csv', csv), 'csv');
    assert.equal(p.rows, 4);
    assert.deepEqual(p.columns.map((c) => c.name), ['name', 'note', 'n']);
    const name = column(p.columns, 'name');
    assert.equal(name.nulls, 1);
    assert.deepEqual(name.top.map((t) => t.value).sort(), ['Ada', 'Lee', 'Smith, J']);
    const note = column(p.columns, 'note');
    assert.deepEqual(note.top.map((t) => t.value).sort(), ['said "hi"', 'two\r\nlines']);
    assert.equal(note.nulls, 2, 'NaN and the empty cell are missing');
    const n = column(p.columns, 'n');
    assert.equal(n.type, 'integer');
    assert.equal(n.nulls, 2, 'NA and null are missing');
    assert.equal(n.mean, 2);
  });

  it('reads a quoted cell cut by the 1 MiB read boundary, and a last line without a line break', () => {
    const filler = 'x'.repeat(1024 * 1024 - 20);
    const csv = `a,b\n${filler},1\n"cut ""across"" the boundary, with a comma",2\nlast,3`;
    const p = profileFile(file('big.csv', csv), 'csv');
    assert.equal(p.rows, 3);
    assert.ok(column(p.columns, 'a').top.some((t) => t.value === 'cut "across" the boundary, with a comma'));
    assert.equal(column(p.columns, 'b').max, 3);
  });

  it('says where a quote is never closed', () => {
    assert.throws(() => profileFile(file('bad.csv', 'a,b\n"open,1\n'), 'csv'), /Malformed CSV near byte 4: a quoted cell is never closed/);
  });

  it('refuses a row with more cells than the header', () => {
    assert.throws(() => profileFile(file('wide.csv', 'a,b\n1,2,3\n'), 'csv'), /row 1 has more cells than the header has columns \(2\)/);
  });
});

describe('profiles', () => {
  it('computes exact statistics: quantiles by linear interpolation, sample std, distinct, top values', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const p = profileFile(file('n.csv', 'x\n' + values.join('\n') + '\n'), 'csv');
    const x = column(p.columns, 'x');
    assert.equal(x.type, 'integer');
    assert.equal(x.count, 11);
    assert.equal(x.distinct, 7);
    assert.equal(x.min, 1);
    assert.equal(x.max, 9);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    assert.ok(Math.abs(x.mean! - mean) < 1e-12);
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    assert.ok(Math.abs(x.std! - std) < 1e-12);
    // sorted: 1 1 2 3 3 4 5 5 5 6 9; p25 at rank 2.5 -> 2.5, p50 at rank 5 -> 4, p95 at rank 9.5 -> 7.5
    assert.equal(x.quantiles?.p25, 2.5);
    assert.equal(x.quantiles?.p50, 4);
    assert.equal(x.quantiles?.p95, 7.5);
    assert.deepEqual(x.top[0], { value: 5, count: 3 });
    assert.equal(x.histogram?.kind, 'bins');
    if (x.histogram?.kind === 'bins') {
      assert.equal(x.histogram.edges[0], 1);
      assert.equal(x.histogram.edges.at(-1), 9);
      assert.equal(x.histogram.counts.reduce((s, c) => s + c, 0), 11);
      assert.equal(x.histogram.counts.at(-1), 1, 'the top value falls in the last bin');
    }
  });

  it('infers float, boolean, datetime and string columns, and keeps text spelled as written when a number column turns out to be text', () => {
    const csv = 'f,b,d,code\n1.5,true,2024-01-31,007\n-2.25,False,2024-02-01T10:30:00Z,12\n1e3,TRUE,2024-03-01 08:00,A1\n';
    const p = profileFile(file('t.csv', csv), 'csv');
    assert.deepEqual(p.columns.map((c) => c.type), ['float', 'boolean', 'datetime', 'string']);
    assert.equal(column(p.columns, 'f').max, 1000);
    assert.equal(column(p.columns, 'b').top.find((t) => t.value === true)?.count, 2);
    assert.equal(column(p.columns, 'd').min, '2024-01-31T00:00:00.000Z');
    assert.equal(column(p.columns, 'd').max, '2024-03-01T08:00:00.000Z');
    assert.deepEqual(column(p.columns, 'code').top.map((t) => t.value).sort(), ['007', '12', 'A1']);
  });

  it('parses decimals exactly as JavaScript does', () => {
    const texts = ['0.1', '0.3', '123456.789', '-0.000123', '99999999999999.99', '12345678901234567890', '3.141592653589793'];
    const p = profileFile(file('d.csv', 'v\n' + texts.join('\n') + '\n'), 'csv');
    const sorted = texts.map(Number).sort((a, b) => a - b);
    assert.equal(column(p.columns, 'v').min, sorted[0]);
    assert.equal(column(p.columns, 'v').max, sorted.at(-1));
    assert.equal(column(p.columns, 'v').quantiles?.p50, sorted[3]);
  });

  it('profiles JSON lines, with keys missing on some rows as nulls', () => {
    const p = profileFile(file('r.jsonl', '{"a":1,"s":"x"}\n{"a":2.5}\n\n{"a":null,"s":"y","late":true}\n'), 'jsonl');
    assert.equal(p.rows, 3);
    assert.equal(column(p.columns, 'a').type, 'float');
    assert.equal(column(p.columns, 'a').nulls, 1);
    assert.equal(column(p.columns, 's').nulls, 1);
    assert.equal(column(p.columns, 'late').nulls, 2);
    assert.equal(column(p.columns, 'late').type, 'boolean');
  });

  it('reads TSV', () => {
    const p = profileFile(file('t.tsv', 'a\tb\n1\tx y\n2\tz\n'), 'tsv');
    assert.deepEqual(p.columns.map((c) => [c.name, c.type]), [['a', 'integer'], ['b', 'string']]);
  });
});
