// `npm run test:e2e`: the end-to-end suites (extension host, UI scenarios, the packaged .vsix), one after the other, each in its own process and code-server.
// All always run; the exit code is non-zero if any failed. Each prints its own `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './lib/paths.mjs';

const suites = ['ext-tests.mjs', 'ui.mjs', 'vsix.mjs'];
let failed = 0;
for (const script of suites) {
  console.log(`\n==> ${script}`);
  const t0 = performance.now();
  const { status, signal } = spawnSync(process.execPath, [join(repoRoot, 'test/e2e', script)], { stdio: 'inherit' });
  console.log(`<== ${script}: ${status === 0 ? 'ok' : `failed (${signal ?? `exit ${status}`})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
