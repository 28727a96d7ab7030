import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Builds once, before any test file runs, as `npm run build` does: the generated WebAssembly module the engine
 * imports, and `dist/` (the CLI and the API that tests spawn and load). One build here, not one per test file:
 * files run in parallel, and a build that rewrote `dist/cli.js` while another file spawned it could be read half
 * written.
 */
export function setup(): void {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: resolve(__dirname, '../..'), stdio: 'pipe' });
}
