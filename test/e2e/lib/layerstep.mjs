// Helpers for the Layerstep scenarios: the workbench's debug views, the editor's gutter, the Layerstep panel
// (a webview) and timings. Selectors are VS Code 1.100's (code-server 4.100.3).
import { exactly, runCommand, webviewFrame } from './workbench.mjs';

/** The Layerstep panel's document (the inner webview frame). */
export function panel(page) {
  return webviewFrame(page);
}

/** Of this extension's webviews, the document that holds `selector`; throws naming `what` when none does in time. */
async function webviewWith(page, selector, what, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const n = await page.locator('iframe.webview.ready').count();
    for (let i = 0; i < n; i++) {
      const frame = webviewFrame(page, undefined, i);
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${what} (${selector})`);
    await page.waitForTimeout(100);
  }
}

/** The `.onnx`/Keras summary editor's document. */
export function summaryFrame(page, timeout = 30_000) {
  return webviewWith(page, '#model-name', 'the model summary', timeout);
}

/** The Layerstep panel's document when other webviews are open too: the one with the forward-pass strip. */
export function panelFrame(page, timeout = 30_000) {
  return webviewWith(page, '#stack', 'the Layerstep panel', timeout);
}

/** A session's state as CALL STACK shows it: in its header with one session, else on the session's row. */
export function sessionState(page, text) {
  return page.locator('.pane-header, .debug-call-stack .monaco-list-row', { hasText: /call stack|session/i })
    .or(page.locator('.debug-call-stack .monaco-list-row')).filter({ hasText: text }).first();
}

/** The rows of CALL STACK. */
export function callStackRows(page) {
  return page.locator('.debug-call-stack .monaco-list-row');
}

/** The top frame of CALL STACK (the first row under the thread) once its name contains `text`. */
export function callStackTop(page, text) {
  return callStackRows(page).filter({ has: page.locator('.stack-frame') }).first().filter({ hasText: text });
}

/** A row of VARIABLES whose text contains `text` (a string or a RegExp); the name and value are one text. */
export function variableRow(page, text) {
  return page.locator('.debug-variables .monaco-list-row', { hasText: text }).first();
}

/** The editor-title button of a contributed command, by its title (`Run Model`, `Debug Model`). */
export function editorTitleButton(page, title) {
  return page.locator(`.editor-actions .action-label[aria-label="${title}"], .title-actions .action-label[aria-label="${title}"]`).first();
}

/**
 * Opens the F1 palette with `label` typed and resolves to a function that clicks its row: so a caller can
 * start a clock right before the click, leaving the typing out of a measurement.
 */
export async function preparePaletteCommand(page, label) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  if (!(await input.isVisible())) await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  await row.waitFor();
  return async () => {
    await row.click();
    await input.waitFor({ state: 'hidden' });
  };
}

/**
 * The debug toolbar's button `label` (`Step Back`, `Reverse`: VS Code offers these two only there, not in the
 * palette), resolved to a function that clicks it, like {@link preparePaletteCommand}.
 */
export async function prepareToolbarButton(page, label) {
  const button = page.locator(`.debug-toolbar .action-label[aria-label^="${label}"]`).first();
  await button.waitFor();
  return () => button.click();
}

/**
 * Clicks the glyph margin (where breakpoints go) of `line` (1-based) in the active editor: the line must be
 * on screen. Resolves once the breakpoint's red dot is drawn on that line.
 */
export async function clickGutter(page, line) {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  const number = editor.locator('.margin-view-overlays .line-numbers', { hasText: exactly(String(line)) }).first();
  await number.waitFor();
  const glyph = await editor.locator('.margin .glyph-margin').first().boundingBox();
  const box = await number.boundingBox();
  if (!glyph || !box) throw new Error(`line ${line} or the glyph margin is not on screen`);
  const y = box.y + box.height / 2;
  // A loaded workbench can drop a click on the margin (an editor still laying out): with no dot after a while,
  // the margin is clicked again, three times at most. A second click only comes when the first made no dot.
  for (let attempt = 1; ; attempt++) {
    await page.mouse.click(glyph.x + glyph.width / 2, y);
    try {
      await breakpointDot(page, y).waitFor(attempt === 3 ? 10_000 : 5_000);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`    (gutter again for line ${line}: ${error.message})`);
    }
  }
}

/** The breakpoint dot in the active editor's glyph margin whose box holds `y`. */
function breakpointDot(page, y) {
  const dots = page.locator('.editor-group-container.active .monaco-editor .codicon-debug-breakpoint');
  return {
    async waitFor(timeout = 10_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        for (const b of await dots.all()) {
          const r = await b.boundingBox();
          if (r && r.y <= y && y <= r.y + r.height) return;
        }
        if (Date.now() > deadline) throw new Error(`no breakpoint dot at y=${Math.round(y)}`);
        await page.waitForTimeout(50);
      }
    },
  };
}

/** The timeline index the panel last drew (`<body data-rendered-index>`), or undefined before its first frame. */
export async function renderedIndex(page) {
  const v = await panel(page).locator('body').getAttribute('data-rendered-index');
  return v === null ? undefined : Number(v);
}

/**
 * Forgets the panel's last drawn index (the panel keeps it after a session ends), so that the next
 * {@link waitForRedraw} from undefined waits for the next session's first frame.
 */
export async function clearRenderedIndex(page) {
  await panel(page).locator('body').evaluate((b) => delete b.dataset.renderedIndex);
}

/** Waits until the panel has drawn a frame other than `previous` (any frame when undefined); resolves to its index. */
export async function waitForRedraw(page, previous, timeout = 30_000) {
  const body = panel(page).locator(previous === undefined ? 'body[data-rendered-index]' : `body[data-rendered-index]:not([data-rendered-index="${previous}"])`);
  await body.waitFor({ state: 'attached', timeout });
  return Number(await body.getAttribute('data-rendered-index'));
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Focuses the Debug Console, types `expression` into its input and presses Enter, as a user does. */
export async function typeInDebugConsole(page, expression) {
  await runCommand(page, 'Debug Console: Focus on Debug Console View');
  const input = page.locator('.repl-input-wrapper .monaco-editor textarea');
  await input.waitFor();
  await input.focus();
  await page.keyboard.type(expression);
  await page.keyboard.press('Enter');
}
