// The shipped artifact: `npm run package` builds dist/layerstep.vsix, code-server installs it like a user's
// VS Code would (no development mode), and a user's first minutes work: the extension activates on a model
// file, Run runs it, and the panel draws the pass; the Get Started walkthrough opens with its pictures. Before
// installing, the package's entries are checked: what the extension and its page need is there, and no sources,
// tests, source maps or tooling. Catches .vscodeignore and bundling mistakes.
//   node test/e2e/vsix.mjs            (after `npm run e2e:setup`)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Tally, codeServerBin, exactly, launchBrowser, newPage, openFromExplorer, openWorkbench, repoRoot, screenshot, startCodeServer,
  webviewFrame, withTimeout,
} from './lib/index.mjs';
import { examplesDir } from './lib/paths.mjs';
import { editorTitleButton } from './lib/layerstep.mjs';

const suiteName = 'vsix';
const tally = new Tally(suiteName);
const vsix = join(repoRoot, 'dist', 'layerstep.vsix');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const walkthrough = manifest.contributes.walkthroughs[0];

/** The file names in a zip archive, from its central directory (a .vsix is a zip). */
function zipEntries(bytes) {
  let eocd = bytes.length - 22;
  while (eocd >= 0 && bytes.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const count = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (bytes.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory entry ${i} is damaged`);
    const nameLength = bytes.readUInt16LE(at + 28);
    names.push(bytes.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return names;
}

/** What the package must hold, and what it must not; returns the problems found (none when it is right). */
function checkEntries(entries) {
  const files = new Set(entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length)));
  const rel = (p) => p.replace(/^\.\//, '');
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(\s*([^)\s]+)[^)]*\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][\w+.-]*:/i.test(t));
  const media = walkthrough.steps.flatMap(({ media: m }) => [m.image, m.markdown, m.svg]).filter(Boolean);
  const needed = [
    rel(manifest.main), ...Object.values(manifest.bin ?? {}).map(rel), 'dist/engineWorker.js', 'dist/webview.js', 'dist/summary.js',
    manifest.icon, 'media/layerstep.svg', 'media/panel.css', 'media/summary.css', 'docs/model.schema.json', 'package.json', 'readme.md',
    'changelog.md', ...images, ...media,
  ];
  const problems = [...new Set(needed)].filter((f) => !files.has(f)).map((f) => `missing: ${f}`);
  for (const f of files) {
    if (/^(src|test|scripts|node_modules|webview)\/|^dist\/test\/|\.(map|ts)$|(^|\/)tsconfig\.json$/.test(f)) problems.push(`should not ship: ${f}`);
  }
  if (![...files].some((f) => /^LICENSE(\.txt)?$/.test(f))) problems.push('missing: LICENSE');
  return problems;
}

let server;
let browser;
let page;
try {
  const t0 = performance.now();
  const built = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, stdio: 'inherit', shell: false });
  if (built.status !== 0 || !existsSync(vsix)) throw new Error(`npm run package failed (exit ${built.status})`);
  const sizeKb = Math.round(statSync(vsix).size / 1024);
  const entries = zipEntries(readFileSync(vsix));
  const problems = checkEntries(entries);
  // The end-to-end suite's hooks (src/host/testHooks.ts) stay out of the shipped bundle.
  const shipped = readFileSync(join(repoRoot, 'dist', 'extension.js'), 'utf8');
  for (const hook of ['modelView', 'lastRenderTimings=']) {
    if (shipped.includes(hook)) problems.push(`dist/extension.js carries the test hook '${hook}'`);
  }
  if (problems.length) throw new Error(`dist/layerstep.vsix:\n  ${problems.join('\n  ')}`);

  server = await startCodeServer(suiteName);
  const installed = spawnSync(codeServerBin(), [
    '--extensions-dir', join(server.dir, 'extensions'), '--user-data-dir', join(server.dir, 'user-data'),
    '--install-extension', vsix, '--force',
  ], { encoding: 'utf8', env: { ...process.env, HOME: join(server.dir, 'home'), XDG_CONFIG_HOME: join(server.dir, 'xdg/config'), XDG_DATA_HOME: join(server.dir, 'xdg/data') } });
  if (installed.status !== 0) throw new Error(`code-server --install-extension failed: ${installed.stderr || installed.stdout}`);
  tally.pass(`npm run package builds a ${sizeKb} KB .vsix of ${entries.length} entries, all needed, that code-server installs`, performance.now() - t0);

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

  const t2 = performance.now();
  await withTimeout((async () => {
    // The command asks for a walkthrough in a second quick pick, so the palette stays open (not runCommand).
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    await input.fill('>Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row.focused', { has: page.locator('.label-name', { hasText: exactly('Welcome: Open Walkthrough...') }) }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget input[placeholder="Select a walkthrough to open"]').waitFor({ timeout: 30_000 });
    await input.fill(walkthrough.title);
    // Enter, not a click: a hover over the list can take the click.
    await page.locator('.quick-input-list .monaco-list-row.focused', { has: page.locator('.label-name', { hasText: exactly(walkthrough.title) }) }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const container = page.locator('.gettingStartedContainer');
    await container.locator('.category-title', { hasText: exactly(walkthrough.title) }).first().waitFor({ timeout: 30_000 });
    for (const step of walkthrough.steps) await container.locator('.step-title', { hasText: exactly(step.title) }).first().waitFor();
    // Each step with a picture: select it, and the picture loads from the installed extension.
    for (const step of walkthrough.steps.filter((s) => s.media.image)) {
      await container.locator('.step-title', { hasText: exactly(step.title) }).first().click();
      const img = container.locator(`.getting-started-media img[alt="${step.media.altText.replace(/"/g, '\\"')}"]`).first();
      await img.waitFor({ timeout: 15_000 });
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 15_000 });
    }
    await screenshot(page, 'vsix-walkthrough');
  })(), 90_000, 'the walkthrough opens with its steps and pictures');
  tally.pass(`the walkthrough "${walkthrough.title}" opens with its ${walkthrough.steps.length} steps, and its pictures load`, performance.now() - t2);
} catch (error) {
  const shot = page ? await screenshot(page, 'FAILED').catch(() => undefined) : undefined;
  tally.fail(suiteName, shot ? `${error?.stack ?? error}\n(screenshot: ${shot})` : error);
} finally {
  await browser?.close();
  await server?.stop();
}
process.exitCode = tally.finish();
