// Playwright over Debian's Chromium (never `playwright install`), with the flags the recipe proved.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumBin } from './paths.mjs';

/** Viewport of every page: screenshots and the workbench layout stay the same from run to run. */
export const viewport = { width: 1400, height: 900 };

/**
 * Launches Chromium. Each launch gets a fresh temporary profile; passing --user-data-dir would make
 * Playwright throw. E2E_HEADED=1 shows the window (needs a display), E2E_SLOWMO=ms slows every action.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumBin(),
    headless: process.env.E2E_HEADED !== '1',
    slowMo: Number(process.env.E2E_SLOWMO ?? 0),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

const shotState = new WeakMap();

/**
 * A page in a fresh browser context whose screenshots go to `<runDir>/screenshots`, numbered in the
 * order they are taken.
 */
export async function newPage(browser, runDir, { prefix = '' } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dir = join(runDir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  shotState.set(page, { dir, prefix, count: 0 });
  return page;
}

/** Saves a full-window screenshot as `<NN>-<prefix><name>.png` and returns its path. */
export async function screenshot(page, name) {
  let state = shotState.get(page);
  if (!state) {
    state = { dir: join(process.cwd(), '.vscode-test/run-adhoc/screenshots'), prefix: '', count: 0 };
    mkdirSync(state.dir, { recursive: true });
    shotState.set(page, state);
  }
  state.count += 1;
  const file = join(state.dir, `${String(state.count).padStart(2, '0')}-${state.prefix}${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}
