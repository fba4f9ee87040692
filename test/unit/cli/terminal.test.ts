import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { interruptOnCtrlC, progressBar, INTERRUPTED_EXIT_CODE } from '../../../src/cli/terminal';

// The compiled module, loaded by a child process that a test sends real SIGINTs to.
const terminalModule = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'terminal.js');

/** A child that, on Ctrl-C, takes its time cleaning up (as a snapshot removing its temporaries would). */
const slowToStop = `
const { interruptOnCtrlC } = require(${JSON.stringify(terminalModule)});
const interrupt = interruptOnCtrlC({ stderr: (s) => process.stderr.write(s) });
interrupt.signal.addEventListener('abort', () => console.log('aborted'));
console.log('ready');
setTimeout(() => { console.log('finished cleaning up'); process.exit(0); }, 20000);
`;

function runChild(source: string, onLine: (line: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n').filter(Boolean)) onLine(line, child);
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('Ctrl-C', () => {
  it('aborts the signal at the first press and says a second one stops at once; the second ends the process', async () => {
    const result = await runChild(slowToStop, (line, child) => {
      if (line === 'ready' || line === 'aborted') child.kill('SIGINT');
    });
    assert.equal(result.code, INTERRUPTED_EXIT_CODE);
    assert.match(result.stdout, /^ready\naborted\n$/);
    assert.match(result.stderr, /press Ctrl-C again to stop at once/);
  });

  it('leaves no listener behind once disposed, so a later Ctrl-C behaves as Node\'s default', () => {
    const before = process.listenerCount('SIGINT');
    const interrupt = interruptOnCtrlC({ stderr: () => undefined });
    assert.equal(process.listenerCount('SIGINT'), before + 1);
    interrupt.dispose();
    assert.equal(process.listenerCount('SIGINT'), before);
    assert.equal(interrupt.signal.aborted, false);
  });
});

describe('progress bar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    let written = '';
    const bar = progressBar({ interactive: false, stderr: (s) => (written += s) });
    bar.draw('Hashing', 0.5, '50%');
    bar.end();
    assert.equal(written, '');
  });

  it('redraws in place, skips redraws closer than 100 ms except a new label or the end, and clears the line at the end', () => {
    const writes: string[] = [];
    const bar = progressBar({ interactive: true, stderr: (s) => writes.push(s) });
    bar.draw('Hashing', 0.2, '20%');
    bar.draw('Hashing', 0.3, '30%');
    bar.draw('Profiling', 0.1, '10%');
    bar.draw('Profiling', 1, '100%');
    bar.end();
    assert.deepEqual(writes, [
      '\r\x1b[KHashing [#####....................] 20%',
      '\r\x1b[KProfiling [##.......................] 10%',
      '\r\x1b[KProfiling [#########################] 100%',
      '\r\x1b[K',
    ]);
  });
});
