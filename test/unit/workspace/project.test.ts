import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigFile, findProjectRoot, initProject, openProject } from '../../../src/core/workspace';
import { installPaths } from '../../../src/core/install';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-project-'));
const sampleDir = installPaths().sample;

describe('project initialization', () => {
  it('creates a valid mlops.yaml, .mlops/ and .gitignore entries', () => {
    const dir = tmp();
    const result = initProject(dir, { sampleDir });
    assert.equal(result.created, true);
    assert.ok(fs.statSync(path.join(dir, '.mlops')).isDirectory());
    assert.deepEqual(checkConfigFile(path.join(dir, 'mlops.yaml')).problems, []);
    assert.match(fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8'), /^# /, 'the file is commented');
    const ignore = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    assert.match(ignore, /^\/\.mlops\/\*$/m);
    assert.match(ignore, /^!\/\.mlops\/datasets\/$/m);
  });

  it('keeps an existing .gitignore and adds its block once', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules');
    initProject(dir, { sampleDir });
    const once = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    assert.match(once, /^node_modules\n/);
    fs.rmSync(path.join(dir, 'mlops.yaml'));
    initProject(dir, { sampleDir });
    assert.equal(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), once);
  });

  it('changes nothing in a folder that already has a project, and says so', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'mlops.yaml'), 'version: 1\nproject: mine # my own edits\n');
    const result = initProject(dir, { sampleDir, sample: true });
    assert.equal(result.created, false);
    assert.match(result.message, /nothing was changed/);
    assert.equal(fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8'), 'version: 1\nproject: mine # my own edits\n');
    assert.deepEqual(fs.readdirSync(dir), ['mlops.yaml']);
  });

  it('creates the sample project with the real weather data', () => {
    const dir = tmp();
    initProject(dir, { sampleDir, sample: true });
    const lines = fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'location,date,precipitation,temp_max,temp_min,wind,weather');
    assert.equal(lines.length - 1, 2922, 'four years of two locations');
    const locations = new Set(lines.slice(1).map((l) => l.split(',')[0]));
    assert.deepEqual([...locations].sort(), ['New York', 'Seattle']);
    const { config } = openProject(dir);
    assert.equal(config.datasets?.weather.path, 'data/weather.csv');
    assert.equal(config.training?.target, 'weather');
  });

  it('refuses to overwrite an existing data/weather.csv with the sample', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'weather.csv'), 'mine');
    assert.throws(() => initProject(dir, { sampleDir, sample: true }), /already exists/);
    assert.equal(fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8'), 'mine');
    assert.equal(fs.existsSync(path.join(dir, 'mlops.yaml')), false, 'no half-made project');
  });

  it('finds the project root from a subfolder, and nothing outside a project', () => {
    const dir = tmp();
    initProject(dir, { sampleDir });
    fs.mkdirSync(path.join(dir, 'src', 'deep'), { recursive: true });
    assert.equal(findProjectRoot(path.join(dir, 'src', 'deep')), dir);
    assert.equal(findProjectRoot(tmp()), undefined);
    assert.throws(() => openProject(tmp()), (err: Error & { hint?: string }) => /No MLOps project here/.test(err.message) && /mlops init/.test(err.hint ?? ''));
  });
});
