import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { captureGit } from '../../../src/core/tracking/environment';

describe('reading a workspace git repository', () => {
  it('records the commit and a dirty tree without running programs the repository configures', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'Test');
    fs.writeFileSync(path.join(dir, 'data.txt'), 'one\n');
    git('add', 'data.txt');
    git('commit', '-q', '-m', 'first');
    fs.appendFileSync(path.join(dir, 'data.txt'), 'two\n');
    // A hostile repository: git would run these on `status` and `diff`.
    const marker = path.join(dir, 'executed');
    git('config', 'core.fsmonitor', `touch ${marker}; false`);
    git('config', 'diff.external', `sh -c 'touch ${marker}'`);
    fs.writeFileSync(path.join(dir, '.gitattributes'), '*.txt diff=evil\n');
    git('config', 'diff.evil.textconv', `sh -c 'touch ${marker}; cat "$1"' --`);

    const state = await captureGit(dir);
    assert.equal(state?.commit, git('rev-parse', 'HEAD').trim());
    assert.equal(state?.dirty, true);
    assert.match(state?.diffSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(fs.existsSync(marker), false, 'a program from the repository config was executed');
  });
});
