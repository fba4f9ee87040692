import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cronMatches, lastFiring, parseCron } from '../../../src/core/retrain';

const at = (iso: string) => new Date(iso);

describe('cron schedules (five fields, UTC)', () => {
  it('"0 3 * * 1" fires on Mondays at 03:00 only', () => {
    const cron = parseCron('0 3 * * 1');
    assert.equal(cronMatches(cron, at('2026-11-30T03:00:00Z')), true); // a Monday
    assert.equal(cronMatches(cron, at('2026-11-30T03:01:00Z')), false);
    assert.equal(cronMatches(cron, at('2026-12-01T03:00:00Z')), false); // Tuesday
  });

  it('lists, ranges, steps, and 7 as Sunday', () => {
    const cron = parseCron('*/15 8-10 * * 7');
    assert.deepEqual([...cron.minutes], [0, 15, 30, 45]);
    assert.deepEqual([...cron.hours], [8, 9, 10]);
    assert.equal(cronMatches(cron, at('2026-11-29T09:45:00Z')), true); // a Sunday
    assert.deepEqual([...parseCron('5,10 0 1,15 1-12/6 *').months], [1, 7]);
  });

  it('restricted day of month and day of week match either, as cron does', () => {
    const cron = parseCron('0 0 1 * 1');
    assert.equal(cronMatches(cron, at('2026-12-01T00:00:00Z')), true); // the 1st, a Tuesday
    assert.equal(cronMatches(cron, at('2026-12-07T00:00:00Z')), true); // a Monday
    assert.equal(cronMatches(cron, at('2026-12-08T00:00:00Z')), false);
  });

  it('lastFiring finds the latest firing after the last retrain, or none', () => {
    const cron = parseCron('0 3 * * 1');
    assert.deepEqual(lastFiring(cron, at('2026-11-20T00:00:00Z'), at('2026-12-01T12:00:00Z')), at('2026-11-30T03:00:00Z'));
    assert.equal(lastFiring(cron, at('2026-11-30T03:00:30Z'), at('2026-12-01T12:00:00Z')), undefined);
  });

  it('refuses what is not a five-field expression, naming the field', () => {
    assert.throws(() => parseCron('0 3 * *'), /has 4 fields/);
    assert.throws(() => parseCron('61 3 * * *'), /outside 0 to 59 in the minute field/);
    assert.throws(() => parseCron('0 3 * * mon'), /"mon" in the day of week field/);
  });
});
