import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointSpecs } from '../../../src/core/serve';
import { checkConfigText } from '../../../src/core/workspace';

const HEAD = 'version: 1\nproject: demo\n';

describe('serving: in mlops.yaml', () => {
  it('accepts endpoints with weighted routes, a shadow, a sticky key, auth and log settings, and the older model shorthand', () => {
    const check = checkConfigText(`${HEAD}serving:
  host: 127.0.0.1
  port: 5005
  auth: { tokenEnv: MLOPS_TOKEN }
  log: { maxBytes: 1048576, maxFiles: 4, fsync: true }
  endpoints:
    weather:
      routes: [{ model: weather@champion, weight: 90 }, { model: weather/3, weight: 10 }]
      shadow: weather@candidate
      sticky: location
`);
    assert.deepEqual(check.problems, []);
    assert.deepEqual(endpointSpecs(check.config!.serving, []), [
      { name: 'weather', routes: [{ model: 'weather@champion', weight: 90 }, { model: 'weather/3', weight: 10 }], shadow: 'weather@candidate', sticky: 'location' },
    ]);
    const shorthand = checkConfigText(`${HEAD}serving:\n  model: churn@champion\n`);
    assert.deepEqual(endpointSpecs(shorthand.config!.serving, []), [{ name: 'churn', routes: [{ model: 'churn@champion', weight: 1 }] }]);
    // models named on the command line replace the declared endpoints; two of one model get distinct names
    assert.deepEqual(endpointSpecs(check.config!.serving, ['weather@champion', 'weather@challenger']).map((e) => e.name), ['weather', 'weather-challenger']);
  });

  it('points at the mistake: a negative weight, a reference that names no version, an unknown key', () => {
    const negative = checkConfigText(`${HEAD}serving:\n  endpoints:\n    w:\n      routes: [{ model: w@champion, weight: -1 }]\n`);
    assert.equal(negative.config, undefined);
    assert.equal(negative.problems[0].line, 6);
    assert.match(negative.problems[0].message, /weight/);
    const reference = checkConfigText(`${HEAD}serving:\n  endpoints:\n    w:\n      routes: [{ model: just-a-name }]\n`);
    assert.match(reference.problems[0].message, /model/);
    const typo = checkConfigText(`${HEAD}serving:\n  endpoints:\n    w:\n      routes: [{ model: w@a }]\n      shaddow: w@b\n`);
    assert.match(typo.problems[0].message, /unknown key `shaddow`/);
    assert.equal(typo.problems[0].line, 7);
    assert.throws(() => endpointSpecs({}, []), /No model to serve/);
  });
});
