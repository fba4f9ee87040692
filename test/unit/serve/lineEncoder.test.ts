import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignatureInput } from '../../../src/core/registry';
import { encodePredictionLine, predictionLine, type PredictionHead, type PredictionRecord } from '../../../src/core/serve/predictionLog';
import type { ServedPrediction } from '../../../src/core/serve/modelSource';
import type { Cell } from '../../../src/core/train';

/** The record as the server built it before the encoder: an object of columns, probabilities as rows of numbers. */
function recordOf(head: PredictionHead, inputs: readonly SignatureInput[], columns: Cell[][], output: ServedPrediction): PredictionRecord {
  const byName: Record<string, Cell[]> = {};
  inputs.forEach((input, c) => (byName[input.name] = columns[c]));
  const k = output.classes?.length ?? 0;
  const rows = output.probabilities ? Array.from({ length: output.probabilities.length / k }, (_, i) => Array.from(output.probabilities!.subarray(i * k, (i + 1) * k))) : undefined;
  return { ...head, rows: columns[0].length, inputs: byName, outputs: { prediction: output.predictions, ...(rows ? { probabilities: rows } : {}) } };
}

const both = (head: PredictionHead, inputs: SignatureInput[], columns: Cell[][], output: ServedPrediction) => ({
  encoded: encodePredictionLine(head, inputs, { columns, rows: columns[0].length }, output),
  reference: predictionLine(recordOf(head, inputs, columns, output)),
});

const head: PredictionHead = { time: '2026-12-01T16:00:00.123Z', id: 'req-"1"\\', endpoint: 'météo', model: 'weather', version: 3, role: 'route', latencyMs: 2 };

describe('the prediction line encoder', () => {
  it('writes what predictionLine writes, byte for byte: escapes, unicode, missing values, non-finite numbers, several rows', () => {
    const inputs: SignatureInput[] = [
      { name: 'location', type: 'categorical' },
      { name: 'temp "max"\n', type: 'numeric' },
      { name: 'wind', type: 'numeric' },
      { name: 'flag', type: 'categorical' },
    ];
    const columns: Cell[][] = [
      ['Seattle', 'New\tYork "NY"\\', 'Zürich 🌧', '\u0001\u2028\ud800', null],
      [11.1, NaN, Infinity, -0, null],
      [4.2, undefined, -Infinity, 1e21, 5e-7],
      [true, false, 12, '', null],
    ];
    const output: ServedPrediction = {
      predictions: ['rain', 'sun', 'fog "x"', 'snow', 'drizzle'],
      classes: ['drizzle', 'fog', 'rain', 'snow', 'sun'],
      probabilities: Float64Array.from([0.1, 0.2, 0.5, 0.1, 0.1, 0, 0, 0, 0, 1, NaN, 0.3, 0.3, 0.2, 0.2, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2]),
    };
    const { encoded, reference } = both(head, inputs, columns, output);
    assert.equal(encoded, reference);
    // and it is one line that reads back as the record
    assert.ok(!encoded.includes('\n'));
    assert.equal(JSON.parse(encoded).inputs.location[2], 'Zürich 🌧');
  });

  it('orders and names the inputs as an object of them serializes: index-like names first, a repeated name once, __proto__ not at all', () => {
    const inputs: SignatureInput[] = [
      { name: 'b', type: 'numeric' },
      { name: '10', type: 'numeric' },
      { name: '2', type: 'numeric' },
      { name: '__proto__', type: 'numeric' },
      { name: 'a', type: 'numeric' },
      { name: 'b', type: 'numeric' },
    ];
    const columns: Cell[][] = [[1], [2], [3], [4], [5], [6]];
    const { encoded, reference } = both({ ...head, role: 'shadow' }, inputs, columns, { predictions: [0.5] });
    assert.equal(encoded, reference);
    assert.deepEqual(Object.keys(JSON.parse(encoded).inputs), ['2', '10', 'b', 'a']);
    assert.equal(JSON.parse(encoded).inputs.b[0], 6);
  });

  it('writes a regressor\'s numbers, NaN as null, and no probabilities', () => {
    const inputs: SignatureInput[] = [{ name: 'x', type: 'numeric' }];
    const { encoded, reference } = both(head, inputs, [[1, 2, 3]], { predictions: [1.5, NaN, -2e-9] });
    assert.equal(encoded, reference);
    assert.equal(JSON.parse(encoded).outputs.probabilities, undefined);
  });
});
