import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, UsageError } from '../../../src/cli/args';

const SPECS = [
  { name: 'budget', type: 'number', min: 0, description: 'Seconds.' },
  { name: 'trials', type: 'number', integer: true, min: 1, description: 'A count.' },
  { name: 'task', type: 'string', choices: ['classification', 'regression'], description: 'Kind.' },
  { name: 'force', type: 'boolean', description: 'Overwrite.' },
  { name: 'message', short: 'm', type: 'string', description: 'Text.' },
] as const;

describe('parseArgs', () => {
  it('types each value from its declaration', () => {
    const parsed = parseArgs(['--budget', '2.5', '--trials=3', '--task', 'regression', '--force', '-m', 'hi', 'file.csv'], SPECS);
    // These assignments are the test as much as the assertions: tsc refuses them if the types drift.
    const budget: number | undefined = parsed.options.budget;
    const trials: number | undefined = parsed.options.trials;
    const task: 'classification' | 'regression' | undefined = parsed.options.task;
    const force: boolean | undefined = parsed.options.force;
    const message: string | undefined = parsed.options.message;
    // @ts-expect-error an option nobody declared is not there to read
    assert.equal(parsed.options.bogus, undefined);
    assert.deepEqual({ budget, trials, task, force, message, positionals: parsed.positionals }, { budget: 2.5, trials: 3, task: 'regression', force: true, message: 'hi', positionals: ['file.csv'] });
  });

  it('refuses a number below its minimum, a fraction where a whole number is declared, and text, all as usage mistakes', () => {
    assert.throws(() => parseArgs(['--budget', '-3'], SPECS), (e: unknown) => e instanceof UsageError && /--budget needs a number of at least 0; got "-3"/.test(e.message));
    assert.throws(() => parseArgs(['--trials', '2.5'], SPECS), (e: unknown) => e instanceof UsageError && /--trials needs a whole number; got "2.5"/.test(e.message));
    assert.throws(() => parseArgs(['--trials', '0'], SPECS), (e: unknown) => e instanceof UsageError && /at least 1/.test(e.message));
    assert.throws(() => parseArgs(['--budget', 'abc'], SPECS), UsageError);
    assert.equal(parseArgs(['--budget', '0'], SPECS).options.budget, 0);
  });
});
