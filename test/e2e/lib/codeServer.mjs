// Starts and stops code-server (VS Code 1.100 served to a browser) for one test run, isolated from the
// user's machine: HOME, the XDG dirs, user data and extensions all live in the run folder.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { codeServerBin, runDir } from './paths.mjs';

/** User settings that keep the workbench quiet and its layout predictable for selectors and screenshots. */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
};

/**
 * Process groups of the code-servers still running. code-server runs in its own group, so Ctrl-C in a
 * terminal does not reach it: if the harness exits or is interrupted without stop(), signal them here.
 */
const liveGroups = new Set();
const stopAllNow = () => {
  for (const signalGroup of liveGroups) signalGroup('SIGTERM');
};
process.on('exit', stopAllNow);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    stopAllNow();
    process.exit(code);
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server for the suite `suite` and resolves once `/healthz` answers.
 * Options: `env` (extra variables; they reach the extension host and the tests), `settings` (merged over
 * quietSettings), `port` (default: a free one), `clean` (wipe the run folder first, default true).
 * Resolves to `{ port, origin, dir, log, startedMs, stop() }`.
 */
export async function startCodeServer(suite, options = {}) {
  const dir = runDir(suite);
  if (options.clean ?? true) rmSync(dir, { recursive: true, force: true });
  const paths = {
    home: join(dir, 'home'),
    data: join(dir, 'xdg/data'),
    config: join(dir, 'xdg/config'),
    cache: join(dir, 'xdg/cache'),
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
  };
  for (const p of Object.values(paths)) mkdirSync(p, { recursive: true });
  mkdirSync(join(paths.userData, 'User'), { recursive: true });
  writeFileSync(join(paths.userData, 'User/settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2));
  // Without --config, code-server writes ~/.config/code-server/config.yaml.
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'auth: none\n');

  const port = options.port ?? await freePort();
  const log = join(dir, 'code-server.log');
  const out = createWriteStream(log);
  const t0 = performance.now();
  const child = spawn(codeServerBin(), [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config,
    '--user-data-dir', paths.userData, '--extensions-dir', paths.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ], {
    env: {
      ...process.env,
      HOME: paths.home,
      XDG_DATA_HOME: paths.data,
      XDG_CONFIG_HOME: paths.config,
      XDG_CACHE_HOME: paths.cache,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: stopping code-server alone leaves the extension hosts it forked running
    // (orphaned, for a window that had connected), so stop() signals the whole group.
    detached: true,
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = null;
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // no process left in the group
    }
  };
  liveGroups.add(signalGroup);
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve();
  }));

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    signalGroup('SIGTERM');
    // Extension hosts take a few seconds to shut down; SIGKILL whatever is left after 10 s.
    const deadline = Date.now() + 10_000;
    while (signalGroup(0)) {
      if (Date.now() > deadline) {
        signalGroup('SIGKILL');
        break;
      }
      await sleep(100);
    }
    await exit;
    liveGroups.delete(signalGroup);
    out.end();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up (${JSON.stringify(exited)}); see ${log}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${origin}/healthz in time; see ${log}`);
    }
    await sleep(100);
  }
  return { port, origin, dir, log, startedMs: Math.round(performance.now() - t0), stop };
}

/**
 * The workbench URL for `folder` with this extension loaded in development mode. code-server's CLI has no
 * --extensionDevelopmentPath/--extensionTestsPath; the web workbench reads them from the `payload` query
 * parameter, and they must be vscode-remote:// URIs whose authority is the page's host:port (a plain path
 * leaves the window titled "[Extension Development Host]" with the extension silently not loaded).
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const authority = `127.0.0.1:${server.port}`;
  const remote = (p) => `vscode-remote://${authority}${encodeURI(p)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams();
  if (folder) query.set('folder', folder);
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${query}`;
}
