// Playwright helpers for VS Code's web workbench (selectors checked against VS Code 1.100 in code-server).
import { extensionId as ownExtensionId, repoRoot, suiteBundle } from './paths.mjs';
import { workbenchUrl } from './codeServer.mjs';

/** The marker VS Code puts in the window title of a window running an extension under development. */
export const devHostTitle = '[Extension Development Host]';

/**
 * Loads the workbench on `folder` with this extension in development mode (and `extensionTestsPath` when
 * given), then waits until it is usable. Returns the URL it loaded.
 */
export async function openWorkbench(page, server, { folder, extensionDevelopmentPath = repoRoot, extensionTestsPath, explorer = true } = {}) {
  const url = workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath });
  await page.goto(url);
  await waitForWorkbench(page, { explorer: explorer && Boolean(folder) });
  return url;
}

/** The URL that runs the bundled mocha suite in the extension host (see ../ext-tests.mjs). */
export function testsUrl(server, folder) {
  return workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot, extensionTestsPath: suiteBundle });
}

/** Waits for the workbench and, with `explorer`, for the first row of the explorer's folder tree. */
export async function waitForWorkbench(page, { explorer = true, timeout = 60_000 } = {}) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  if (explorer) await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
}

/** Escapes `text` for an exact-match RegExp. */
export function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * Opens `relativePath` (slash-separated, relative to the workspace folder) by clicking through the explorer:
 * folders on the way are expanded, then the file is clicked. Resolves when its editor tab is active.
 */
export async function openFromExplorer(page, relativePath) {
  const parts = relativePath.split('/').filter(Boolean);
  const tree = page.locator('.explorer-folders-view');
  for (const [i, part] of parts.entries()) {
    const row = tree.getByRole('treeitem', { name: part, exact: true }).first();
    await row.waitFor();
    const isFile = i === parts.length - 1;
    if (isFile || (await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }
  await activeTab(page, parts.at(-1)).waitFor();
}

/** The active editor tab, optionally only if its label is exactly `label`. */
export function activeTab(page, label) {
  const tab = page.locator('.tabs-container .tab.active');
  return label ? tab.filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }) : tab;
}

/** The visible text lines of the active text editor. */
export function activeEditorLines(page) {
  return page.locator('.editor-group-container.active .monaco-editor .view-lines');
}

/**
 * Runs a command from the F1 palette by its exact palette label, "Category: Title" (e.g. "View: Toggle
 * Terminal"). Pressing F5 and similar key bindings proved unreliable in tests; use the palette. Resolves when the
 * palette has closed, or, for a command that opens a quick pick of its own, when `until` (a locator in it) shows.
 */
export async function runCommand(page, label, { until } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-list .monaco-list-row',
    { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  // The palette closes when something else takes the focus while it opens (a view redrawing): open it again.
  for (let attempt = 1; ; attempt++) {
    try {
      await openPalette(page, input);
      await input.fill(`>${label}`, { timeout: attempt < 3 ? 5_000 : undefined });
      await row.waitFor({ timeout: attempt < 3 ? 10_000 : undefined });
      await row.click({ timeout: attempt < 3 ? 5_000 : undefined });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`    (palette again for '${label}': ${String(error.message).split('\n')[0]})`);
    }
  }
  // A command that opens a quick pick of its own reuses the widget, which may never be seen hidden in between:
  // wait for what the command shows instead.
  if (until) await until.waitFor();
  else await input.waitFor({ state: 'hidden' });
}

/**
 * Opens the F1 palette. A key pressed while a webview holds the focus can stay in its iframe, so when the
 * palette does not show, the focus goes to the active editor's tab first and F1 is pressed again.
 */
async function openPalette(page, input) {
  if (await input.isVisible()) return;
  await page.keyboard.press('F1');
  try {
    await input.waitFor({ state: 'visible', timeout: 3_000 });
  } catch {
    await activeTab(page).click();
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
  }
}

/**
 * The content frame of a webview of `extensionId` (default: this extension). A webview is two nested
 * iframes: the outer `iframe.webview.ready` (its src names the extension) and the inner `#active-frame`
 * holding the HTML; while it loads, the inner one is `#pending-frame`, so waiting on it is safe.
 */
export function webviewFrame(page, extensionId = ownExtensionId, index = 0) {
  return page.locator(`iframe.webview.ready[src*="extensionId=${encodeURIComponent(extensionId)}"]`).nth(index)
    .contentFrame().locator('iframe#active-frame').contentFrame();
}

/** A notification toast whose message contains `text`. */
export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
}

/** Polls `page.title()` until it contains `text`; resolves to the title, throws with the last one seen. */
export async function waitForTitle(page, text, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let title = await page.title();
  while (!title.includes(text)) {
    if (Date.now() > deadline) throw new Error(`window title never contained '${text}'; last: '${title}'`);
    await page.waitForTimeout(100);
    title = await page.title();
  }
  return title;
}

/**
 * Chooses `label` (a string matched exactly, or a RegExp) in the context menu of `target`. The entry is hovered,
 * which focuses it, then Enter is pressed: VS Code's menu items ignore the mouse for 100 ms after they are drawn,
 * so an early click is lost. On a loaded machine the menu can also keep its entry focused and drop the key: while
 * it stays open, the entry is chosen again (three times at most). `opened` runs once the entry is focused (to take
 * a screenshot of the menu).
 */
export async function chooseFromContextMenu(page, target, label, { opened } = {}) {
  await target.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const name = typeof label === 'string' ? exactly(label) : label;
  const entry = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: name }) }).first();
  await entry.hover({ timeout: 5_000 });
  if (opened) await opened();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Enter');
    try {
      await menu.waitFor({ state: 'detached', timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw new Error(`the context menu kept '${name.source}' open after three tries`, { cause: error });
      await entry.hover({ timeout: 5_000 });
    }
  }
}

/**
 * Opens the file at `path` (absolute, inside the workspace or not) through Quick Open, whose file mode takes a path:
 * the palette is opened, the path typed, and the row `row(page)` (the file's entry in the list) clicked; resolves
 * when the file's tab is active. A busy workbench can close the palette before the path is typed (a view redrawing
 * takes the focus): then it is opened again, three times at most.
 */
export async function openByPath(page, path, row) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const name = path.split(/[\\/]/).pop();
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await input.isVisible())) await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(path, { timeout: 5_000 });
      await row(page).click({ timeout: 10_000 });
      await activeTab(page, name).waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`    (quick open again for ${name}: ${String(error.message).split('\n')[0]})`);
      if (await input.isVisible()) await page.keyboard.press('Escape');
    }
  }
}

/**
 * Answers VS Code's save dialog (the simple one, in a browser) whose title contains `title` with the path `file`:
 * waits for its default path (until it ends with `defaultName`: the dialog fills it in part by part, and a path
 * typed before it has finished is overwritten), types the new one, and presses OK until the dialog takes it (it reads the typed path's folder as it changes and
 * may drop a press that comes meanwhile). Resolves to the default path.
 */
export async function answerSaveDialog(page, title, file, { defaultName, timeout = 15_000 } = {}) {
  const dialog = page.locator('.quick-input-widget', { hasText: title });
  const input = dialog.locator('.quick-input-box input');
  const valueIs = async (check, what) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = await input.inputValue().catch(() => undefined);
      if (v !== undefined && check(v)) return v;
      if (Date.now() > deadline) throw new Error(`save dialog '${title}': ${what}; the input reads '${v}'`);
      await page.waitForTimeout(100);
    }
  };
  await dialog.waitFor({ timeout });
  const first = await valueIs((v) => (defaultName ? v.endsWith(defaultName) : v.length > 0), `no default path${defaultName ? ` ending in ${defaultName}` : ''}`);
  await input.fill(file);
  await valueIs((v) => v === file, `the typed path ${file}`);
  for (let attempt = 1; ; attempt++) {
    await dialog.locator('.monaco-button', { hasText: /^OK$/ }).first().click().catch(() => undefined);
    try {
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      return first;
    } catch (e) {
      if (attempt === 5) throw e;
      await valueIs((v) => v === file, `the typed path ${file}`);
    }
  }
}
