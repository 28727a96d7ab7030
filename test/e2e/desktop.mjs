// The same extension-host suite in desktop VS Code, for machines that can download it: @vscode/test-electron
// fetches a VS Code build (1.100.x, matching engines.vscode) and runs dist/test/suite.js in its extension host
// with examples/ open. Where VS Code cannot be downloaded, test/e2e/ext-tests.mjs runs the suite in code-server.
//   npm run build && node test/e2e/desktop.mjs
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './lib/paths.mjs';

try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'dist', 'test', 'suite.js'),
    launchArgs: [join(repoRoot, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`desktop VS Code tests failed: ${error?.message ?? error}`);
  process.exitCode = 1;
}
