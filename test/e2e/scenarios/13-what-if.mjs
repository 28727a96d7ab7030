// A user asks "what if this layer's output were zero?" of examples/mnist-mlp: Debug, run to the end once to see
// the class probabilities, go back to the return of hidden1, Set Value 0 on its output in VARIABLES, continue to
// the end and see other probabilities, with CALL STACK marking the edited frame and the debug toolbar offering
// Revert Edits; then "Layerstep: Revert Edits" from the palette brings the probabilities back. Last, the sidebar's
// Edit Weight Element… on a bias, and the toolbar's Revert Edits button.
import {
  activeEditorLines, chooseFromContextMenu, examplesDir, exactly, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import {
  callStackRows, callStackTop, editorTitleButton, panel, prepareToolbarButton, sessionState, typeInDebugConsole, variableRow,
} from '../lib/layerstep.mjs';

const model = 'mnist-mlp/model.json';
/** VARIABLES' row of the model's output, the ten class probabilities. */
const probsRow = (page) => variableRow(page, /=\s*float32\[1,10\]/);
/** VARIABLES' row of hidden1's output, at its return. */
const hiddenRow = (page) => variableRow(page, /^hidden1\/relu:0\s*=\s*float32\[1,128\]/);
/** The debug toolbar's Revert Edits button (shown while edits are in force). */
const revertButton = (page) => page.locator('.debug-toolbar .action-label[aria-label^="Revert Edits"]').first();

/** Waits until `locator`'s text passes `check`; resolves to it, or throws with `what` and the last text read. */
async function textWhere(page, locator, check, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let text;
  for (;;) {
    text = await locator.innerText().catch(() => undefined);
    if (text !== undefined && check(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what}: VARIABLES still reads '${text}'`);
    await page.waitForTimeout(50);
  }
}

/** Evaluates `expression` in the Debug Console (where a tensor's summary shows whole) and resolves to its answer. */
async function consoleEval(page, expression) {
  const results = page.locator('.repl .monaco-list-row .evaluation-result');
  const before = await results.count();
  await typeInDebugConsole(page, expression);
  await results.nth(before).waitFor();
  return results.nth(before).innerText();
}

/**
 * Runs `act` (an action and a wait for its effect) again, at most three times, when its effect does not show:
 * VS Code redraws VARIABLES and the sidebar when the session reports a stop, and a redraw closes a context menu
 * or an inline edit box that had just opened. The last failure is thrown, with the notifications shown.
 */
async function tried(page, what, act) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act();
    } catch (error) {
      if (attempt === 3) {
        const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
        throw new Error(`${what} failed three times (notifications: ${toasts.join(' | ') || 'none'}): ${error.message}`, { cause: error });
      }
      console.log(`    (again: ${what}, after ${error.message.split('\n')[0]})`);
      await page.keyboard.press('Escape');
    }
  }
}

export const scenario = {
  name: 'what-if: Set Value 0 on a layer\'s output in VARIABLES changes the probabilities, CALL STACK marks it, Revert Edits brings them back',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, model);
    await activeEditorLines(page).waitFor();

    // Debug, then Continue to the end: the probabilities as the model computes them.
    await editorTitleButton(page, 'Debug Model').click();
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    await runCommand(page, 'Debug: Continue');
    await sessionState(page, 'Forward pass finished').waitFor();
    await probsRow(page).waitFor();
    const original = await probsRow(page).innerText();
    if (await consoleEval(page, 'argmax(output)') !== '7') throw new Error('mnist-mlp does not read its first example as a 7');
    await consoleEval(page, 'output');
    await screenshot(page, 'finished-original');

    // Back to the start (Reverse is on the toolbar only), then in to hidden1 and over to its return.
    await (await prepareToolbarButton(page, 'Reverse'))();
    await callStackTop(page, 'mnist-mlp (model)').filter({ hasNotText: 'return' }).waitFor();
    await runCommand(page, 'Debug: Step Into');
    await callStackTop(page, 'hidden1 (dense)').waitFor();
    await runCommand(page, 'Debug: Step Over');
    await callStackTop(page, 'hidden1 (dense) ↩ return').waitFor();
    // What a user waits for before editing: the whole stop shown (both frames in CALL STACK, the panel at hidden1's
    // return). VS Code fetches the rest of the stack after the top frame and then redraws VARIABLES, which closes an
    // inline edit box opened before.
    await callStackRows(page).filter({ hasText: 'mnist-mlp (model)' }).first().waitFor();
    await panel(page).locator('#frame-title', { hasText: exactly('hidden1') }).waitFor();
    await panel(page).locator('.tensor-view[data-tensor-name="hidden1/relu:0"]').first().waitFor();
    await hiddenRow(page).waitFor();
    if (await revertButton(page).isVisible()) throw new Error('Revert Edits is on the toolbar before any edit');

    // Set Value: right-click hidden1's output, type 0, Enter. VARIABLES reads the new value back, marked as an edit.
    await tried(page, 'Set Value 0 on hidden1/relu:0', async () => {
      await chooseFromContextMenu(page, hiddenRow(page), 'Set Value');
      const box = page.locator('.debug-variables .monaco-inputbox input');
      await box.waitFor({ timeout: 5_000 });
      await box.fill('0');
      await screenshot(page, 'set-value-0');
      await box.press('Enter');
      await variableRow(page, /^hidden1\/relu:0\s*=\s*✎ edited · float32\[1,128\] μ=0 σ=0 \[0, 0\] 100% zeros/).waitFor({ timeout: 10_000 });
    });
    await callStackTop(page, 'hidden1 (dense) ✎ edited ↩ return').waitFor();
    await revertButton(page).waitFor();
    await screenshot(page, 'edited-hidden1');

    // Continue: the rest of the pass is computed from the edited value; the probabilities differ. (The model's
    // frame is not itself marked: only frames whose own outputs or weights were edited are.)
    await runCommand(page, 'Debug: Continue');
    await sessionState(page, 'Forward pass finished').waitFor();
    await probsRow(page).waitFor();
    const edited = await textWhere(page, probsRow(page), (t) => t !== original, 'the probabilities should change after the edit');
    const summary = await consoleEval(page, 'output');
    if (!edited.endsWith(summary)) throw new Error(`the Debug Console reads '${summary}', VARIABLES '${edited}'`);
    await screenshot(page, 'finished-edited');

    // Revert Edits from the palette: the probabilities are the model's again, the marks and the button go.
    await runCommand(page, 'Layerstep: Revert Edits');
    await textWhere(page, probsRow(page), (t) => t === original, `after Revert Edits the probabilities should read '${original}' again (edited: '${edited}')`);
    if (await consoleEval(page, 'argmax(output)') !== '7') throw new Error('after Revert Edits mnist-mlp no longer reads a 7');
    await revertButton(page).waitFor({ state: 'hidden' });
    if (await callStackRows(page).filter({ hasText: '✎ edited' }).count()) throw new Error('CALL STACK still marks a frame edited after Revert Edits');
    await screenshot(page, 'reverted');

    // The sidebar: Edit Weight Element… on out's bias, 3 = 100, makes the run read a 3 and marks the weight;
    // the toolbar's Revert Edits button takes it back.
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().click();
    const out = page.getByRole('treeitem', { name: /^out\b/ }).first();
    await out.waitFor();
    if ((await out.getAttribute('aria-expanded')) !== 'true') await out.locator('.monaco-tl-twistie').click();
    const bias = page.getByRole('treeitem').filter({ hasText: 'float32[10]' }).first();
    await tried(page, 'Edit Weight Element… 3 = 100 on out.bias', async () => {
      await chooseFromContextMenu(page, bias, 'Edit Weight Element…');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ timeout: 5_000 });
      await input.fill('3 = 100');
      await screenshot(page, 'sidebar-edit-element');
      await input.press('Enter');
      await bias.filter({ hasText: '✎ edited' }).waitFor({ timeout: 10_000 });
    });
    await revertButton(page).waitFor();
    if (await consoleEval(page, 'argmax(output)') !== '3') throw new Error('a bias of 100 on class 3 did not make the run read a 3');
    await page.mouse.move(700, 820);
    await screenshot(page, 'sidebar-edited-bias');
    await revertButton(page).click();
    await revertButton(page).waitFor({ state: 'hidden' });
    await page.getByRole('treeitem').filter({ hasText: 'float32[10]' }).filter({ hasNotText: '✎ edited' }).first().waitFor();
    if (await consoleEval(page, 'argmax(output)') !== '7') throw new Error('after the toolbar\'s Revert Edits mnist-mlp no longer reads a 7');

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
