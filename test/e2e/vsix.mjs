// The shipped artifact: `npm run package` builds dist/layerstep.vsix, code-server installs it like a user's
// VS Code would (no development mode), and a user's first minutes work: the extension activates on a model
// file, Run runs it, and the panel draws the pass. Catches .vscodeignore and bundling mistakes.
//   node test/e2e/vsix.mjs            (after `npm run e2e:setup`)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tally, codeServerBin, launchBrowser, newPage, openFromExplorer, openWorkbench, repoRoot, screenshot, startCodeServer, webviewFrame, withTimeout } from './lib/index.mjs';
import { examplesDir } from './lib/paths.mjs';
import { editorTitleButton } from './lib/layerstep.mjs';

const suiteName = 'vsix';
const tally = new Tally(suiteName);
const vsix = join(repoRoot, 'dist', 'layerstep.vsix');

let server;
let browser;
let page;
try {
  const t0 = performance.now();
  const built = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, stdio: 'inherit', shell: false });
  if (built.status !== 0 || !existsSync(vsix)) throw new Error(`npm run package failed (exit ${built.status})`);
  const sizeKb = Math.round(statSync(vsix).size / 1024);

  server = await startCodeServer(suiteName);
  const installed = spawnSync(codeServerBin(), [
    '--extensions-dir', join(server.dir, 'extensions'), '--user-data-dir', join(server.dir, 'user-data'),
    '--install-extension', vsix, '--force',
  ], { encoding: 'utf8', env: { ...process.env, HOME: join(server.dir, 'home'), XDG_CONFIG_HOME: join(server.dir, 'xdg/config'), XDG_DATA_HOME: join(server.dir, 'xdg/data') } });
  if (installed.status !== 0) throw new Error(`code-server --install-extension failed: ${installed.stderr || installed.stdout}`);
  tally.pass(`npm run package builds a ${sizeKb} KB .vsix that code-server installs`, performance.now() - t0);

  browser = await launchBrowser();
  page = await newPage(browser, server.dir);
  const t1 = performance.now();
  await withTimeout((async () => {
    // No development path: the installed extension is the only Layerstep there is.
    await openWorkbench(page, server, { folder: examplesDir, extensionDevelopmentPath: null });
    await openFromExplorer(page, 'mnist-mlp/model.json');
    await editorTitleButton(page, 'Run Model').waitFor({ timeout: 60_000 });
    await editorTitleButton(page, 'Run Model').click();
    const panel = webviewFrame(page);
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    await panel.locator('.tensor-view canvas').first().waitFor();
    await screenshot(page, 'vsix-run-finished');
  })(), 150_000, 'the installed extension runs mnist-mlp');
  tally.pass('the installed .vsix activates on a model file, Run runs it, and the panel draws the pass', performance.now() - t1);
} catch (error) {
  const shot = page ? await screenshot(page, 'FAILED').catch(() => undefined) : undefined;
  tally.fail(suiteName, shot ? `${error?.stack ?? error}\n(screenshot: ${shot})` : error);
} finally {
  await browser?.close();
  await server?.stop();
}
process.exitCode = tally.finish();
