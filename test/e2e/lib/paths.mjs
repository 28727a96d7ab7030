// Where the end-to-end harness finds its tools and puts the files of each run.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the extension development path. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

/** `publisher.name`, as `vscode.extensions.getExtension` and webview iframe URLs spell it. */
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** The workspace folder the scenarios open. */
export const examplesDir = join(repoRoot, 'examples');

/** The bundled mocha entry (test/e2e/suite/index.ts, built by esbuild.mjs). */
export const suiteBundle = join(repoRoot, 'dist/test/suite.js');

/** Everything the harness writes lives under here (git-ignored). */
export const vscodeTestDir = join(repoRoot, '.vscode-test');

/**
 * One folder per suite run: home, XDG dirs, user data, extensions, logs, screenshots. E2E_RUN_NAME adds a
 * suffix, so two runs of one suite side by side keep apart.
 */
export function runDir(suite) {
  const extra = process.env.E2E_RUN_NAME ? `-${process.env.E2E_RUN_NAME.replace(/[^\w-]/g, '_')}` : '';
  return join(vscodeTestDir, `run-${suite}${extra}`);
}

/** code-server from CODE_SERVER_BIN, else the copy `npm run e2e:setup` installs. Throws with the fix if absent. */
export function codeServerBin() {
  const bin = process.env.CODE_SERVER_BIN ?? join(vscodeTestDir, 'code-server/node_modules/.bin/code-server');
  if (!existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}: run \`npm run e2e:setup\` (or set CODE_SERVER_BIN)`);
  }
  return bin;
}

/** Chromium from CHROMIUM_BIN, else Debian's. Playwright never downloads a browser here. */
export function chromiumBin() {
  const bin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  if (!existsSync(bin)) {
    throw new Error(`Chromium not found at ${bin}: apt-get install chromium (or set CHROMIUM_BIN)`);
  }
  return bin;
}
