import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkProjectText } from '../../../src/core/features';

/** mlops.yaml of `dir` checked as mlops validate and the Problems panel check it. */
const checkConfigFile = (file: string) => checkProjectText(fs.readFileSync(file, 'utf8'), path.dirname(file));
import { featureProject } from './featureProject';

const SOURCE = 'driver_id,event_timestamp,created,conv_rate,trips,city\nd1,2024-01-01T00:00:00,2024-01-01T00:05:00,0.5,10,Lyon\n';

function features(view: string, extra = ''): string {
  return `
features:
  entities:
    driver: { key: driver_id }
  views:
    stats:
      entity: driver
      source: drivers
      timestamp: event_timestamp
${view}
${extra}`;
}

/** The problems of the project's mlops.yaml, as "line:column message". */
async function problemsOf(yaml: string): Promise<{ at: string; message: string; severity: string }[]> {
  const { dir } = await featureProject({ 'drivers.csv': SOURCE }, yaml);
  return checkConfigFile(path.join(dir, 'mlops.yaml')).problems.map((p) => ({ at: `${p.line}:${p.column}`, message: p.message, severity: p.severity }));
}

/** 1-based line and column of `needle` in the text appended after the default config. */
async function expectProblem(yaml: string, needle: string, message: RegExp): Promise<void> {
  const { dir } = await featureProject({ 'drivers.csv': SOURCE }, yaml);
  const text = fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8');
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = text.slice(0, offset).split('\n');
  const expected = `${before.length}:${before[before.length - 1].length + 1}`;
  const problems = checkConfigFile(path.join(dir, 'mlops.yaml')).problems.map((p) => ({ at: `${p.line}:${p.column}`, message: p.message }));
  assert.ok(problems.some((p) => p.at === expected && message.test(p.message)), `expected ${message} at ${expected}, got ${JSON.stringify(problems)}`);
}

describe('feature definitions in mlops.yaml', () => {
  it('accepts the contract of the issue and types each feature from the source profile', async () => {
    const problems = await problemsOf(features(`      created: created
      ttl: 2d
      features:
        conv_rate: conv_rate
        trips: trips
        city: city
        busy: "trips > 30 and conv_rate > 0.5"
        trips_7d_sum: { aggregate: sum, of: trips, window: 7d }
        trips_7d_count: { aggregate: count, window: 7d }`, `  services:
    driver_model: [stats]
    busy_only: ["stats:busy"]`));
    assert.deepEqual(problems, []);
  });

  it('points at an unknown column inside an expression, with a suggestion', async () => {
    await expectProblem(features(`      features:
        ratio: "trips / conv_rat"`), 'conv_rat"', /Unknown column or feature "conv_rat"\. Did you mean "conv_rate"\?/);
  });

  it('points at the operand of a type mismatch', async () => {
    await expectProblem(features(`      features:
        bad: 'trips + city'`), "city'", /Type mismatch: expected number, found string/);
  });

  it('reports a cycle between features', async () => {
    await expectProblem(features(`      features:
        a: b + 1
        b: a * 2`), 'b + 1', /cycle: a -> b -> a/);
  });

  it('reports a timestamp column the source does not have', async () => {
    await expectProblem(features(`      features:
        trips: trips`).replace('timestamp: event_timestamp', 'timestamp: event_time'), 'event_time\n', /no timestamp column "event_time"\. Did you mean "event_timestamp"\?/);
  });

  it('reports an unknown entity, an aggregate of text, and a service naming a missing feature', async () => {
    await expectProblem(features(`      features:
        trips: trips`).replace('entity: driver', 'entity: drivr'), 'drivr', /Unknown entity "drivr"\. Did you mean "driver"\?/);
    await expectProblem(features(`      features:
        s: { aggregate: sum, of: city, window: 7d }`), 'city, window', /sum needs numbers/);
    await expectProblem(features(`      features:
        trips: trips`, `  services:
    m: ["stats:trip"]`), '"stats:trip"', /no feature "trip"\. Did you mean "trips"\?/);
  });

  it('reports a feature listed twice by a service', async () => {
    await expectProblem(features(`      features:
        trips: trips`, `  services:
    m: [stats, "stats:trips"]`), '"stats:trips"', /lists the feature stats:trips twice/);
  });

  it('rejects a malformed section through the JSON Schema', async () => {
    const problems = await problemsOf(features(`      ttl: 2 weeks
      features:
        trips: trips`));
    assert.ok(problems.some((p) => /ttl/.test(p.message)), JSON.stringify(problems));
  });

  it('warns, without failing, while the source has no version', async () => {
    const { dir } = await featureProject({}, features(`      features:
        trips: trips`));
    const check = checkConfigFile(path.join(dir, 'mlops.yaml'));
    assert.ok(check.config);
    assert.deepEqual(check.problems.map((p) => p.severity), ['warning']);
    assert.match(check.problems[0].message, /no version yet/);
  });
});
