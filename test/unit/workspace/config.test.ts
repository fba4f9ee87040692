import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../../src/core/workspace';

describe('mlops.yaml validation', () => {
  it('accepts a complete, valid configuration', () => {
    const { config, problems } = checkConfigText(
      'version: 1\nproject: churn\ndatasets:\n  customers:\n    path: data/c.csv\n    entity: id\ntraining:\n  target: churned\n  metric: roc_auc\n',
    );
    assert.deepEqual(problems, []);
    assert.equal(config?.datasets?.customers.path, 'data/c.csv');
  });

  it('reports an unknown key on the line and column of the key', () => {
    const { config, problems } = checkConfigText('version: 1\nproject: p\ntrainig:\n  target: y\n');
    assert.equal(config, undefined);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 3);
    assert.equal(problems[0].column, 1);
    assert.match(problems[0].message, /unknown key `trainig`/);
  });

  it('reports a wrong enum value on the value with the allowed values', () => {
    const { problems } = checkConfigText('version: 1\nproject: p\ntraining:\n  metric: accuracyy\n');
    assert.equal(problems.length, 1);
    assert.deepEqual([problems[0].line, problems[0].column], [4, 11]);
    assert.match(problems[0].message, /"accuracy"/);
  });

  it('reports a missing required key', () => {
    const { problems } = checkConfigText('version: 1\ndatasets: {}\n');
    assert.match(problems.map((p) => p.message).join('\n'), /missing required key `project`/);
  });

  it('reports YAML syntax errors with their position instead of throwing', () => {
    const { config, problems } = checkConfigText('version: 1\nproject: [unclosed\n');
    assert.equal(config, undefined);
    assert.ok(problems.length > 0);
    assert.ok(problems.every((p) => p.line >= 1 && p.severity === 'error'));
    assert.match(problems[0].message, /YAML syntax/);
  });

  it('rejects an empty file with a message that says what is needed', () => {
    const { problems } = checkConfigText('# nothing yet\n');
    assert.match(problems[0].message, /version: 1/);
  });

  it('rejects dataset names with path characters', () => {
    const { problems } = checkConfigText('version: 1\nproject: p\ndatasets:\n  ../evil:\n    path: x.csv\n');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 4);
    assert.match(problems[0].message, /not a valid name/);
  });
});
