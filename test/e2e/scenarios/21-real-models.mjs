// Models as they come from elsewhere. An ONNX model whose input is [batch, 3, height, width]: Run asks for the
// sizes (offering the smallest its layers accept), runs to the end on the answer, and offers that answer at the
// next Run; Select Input during the session runs it again on other sizes. A Keras .h5 file opens in the summary
// editor, and Debug steps it to the end; so does a real TF.js graph model.
import { join } from 'node:path';
import { activeTab, exactly, openFromExplorer, openWorkbench, repoRoot, runCommand, screenshot } from '../lib/index.mjs';
import { callStackTop, editorTitleButton, panelFrame, prepareToolbarButton, sessionState, summaryFrame, variableRow } from '../lib/layerstep.mjs';

const folder = join(repoRoot, 'test/fixtures/e2e/open-sizes');

/** Resolves once the quick input's text box holds `value` (VS Code fills it in after showing the box). */
async function inputValue(page, value, timeout = 30_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  const deadline = Date.now() + timeout;
  for (;;) {
    const now = await input.inputValue();
    if (now === value) return input;
    if (Date.now() > deadline) throw new Error(`the input box holds '${now}', not '${value}'`);
    await page.waitForTimeout(50);
  }
}

/** Shows a side bar view with its activity bar button, as a user does (when it is not shown already). */
async function showView(page, label, content) {
  if (await page.locator(content).first().isVisible()) return;
  // The item, not its icon: a badge over the icon ("1 active session") takes the click and is part of the item.
  await page.locator('.activitybar .action-item', { has: page.locator(`[aria-label^="${label}"]`) }).first().click();
  await page.locator(content).first().waitFor();
}

/**
 * From a session paused on entry: Continue to the end, where VARIABLES shows `output`, a screenshot, then Stop.
 * The toolbar, as a user does: a stop moves the focus to the frame's file, which would close a palette opened then.
 */
async function continueToEnd(page, output, shot) {
  await sessionState(page, 'Paused on entry').waitFor();
  await (await prepareToolbarButton(page, 'Continue'))();
  await sessionState(page, 'Forward pass finished').waitFor();
  await variableRow(page, output).waitFor();
  await screenshot(page, shot);
  await (await prepareToolbarButton(page, 'Stop'))();
}

export const scenario = {
  name: 'open sizes: Run asks for them, runs, remembers; a Keras .h5 file and a TF.js graph model debugged to the end',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder });
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().waitFor();
    await openFromExplorer(page, 'model.onnx');
    const summary = await summaryFrame(page);
    await summary.locator('#model-name', { hasText: exactly('open-sizes') }).waitFor();
    await summary.locator('#inputs td.shape', { hasText: 'height' }).waitFor();

    // Run with no input chosen: the sizes are asked for, the smallest the model accepts offered.
    await editorTitleButton(page, 'Run Model').click();
    const box = await inputValue(page, '1, 3, 32, 32');
    await page.locator('.quick-input-widget', { hasText: "Input 'image' leaves sizes open" }).waitFor();
    await screenshot(page, 'open-sizes-asked');
    await box.fill('2, 3, 48, 40');
    await box.press('Enter');
    await box.waitFor({ state: 'hidden' });
    await sessionState(page, 'Forward pass finished').waitFor();
    await (await panelFrame(page)).locator('#status', { hasText: 'Finished' }).waitFor();
    await callStackTop(page, 'open-sizes (model)').waitFor();
    await variableRow(page, /^probs\s*=\s*float32\[2,4\]/).waitFor();
    await screenshot(page, 'open-sizes-finished');

    // Select Input during the session: random values of other sizes run again in the same session.
    await runCommand(page, 'Layerstep: Select Input…', { until: page.locator('.quick-input-list .label-name', { hasText: 'random' }).first() });
    await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^random$/ }) }).first().click();
    const other = await inputValue(page, '2, 3, 48, 40');
    await other.fill('1, 3, 36, 52');
    await other.press('Enter');
    await variableRow(page, /^probs\s*=\s*float32\[1,4\]/).waitFor();
    await sessionState(page, 'Forward pass finished').waitFor();
    await (await panelFrame(page)).locator('.heading, #frame-title, body', { hasText: '[1,3,36,52]' }).first().waitFor();
    if ((await page.locator('.debug-call-stack .monaco-list-row .session').count()) > 1) throw new Error('Select Input started a second session');
    await screenshot(page, 'open-sizes-selected-input');

    // The next Run offers the sizes given last; Escape cancels it and leaves the finished run as it was.
    await runCommand(page, 'Layerstep: Run Model');
    const again = await inputValue(page, '1, 3, 36, 52');
    await again.press('Escape');
    await again.waitFor({ state: 'hidden' });
    await sessionState(page, 'Forward pass finished').waitFor();
    await (await prepareToolbarButton(page, 'Stop'))();
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });

    // A Keras file: its summary, then Debug from it to the end.
    await showView(page, 'Explorer', '.explorer-folders-view');
    await openFromExplorer(page, 'cnn.h5');
    const keras = await summaryFrame(page);
    await keras.locator('#model-name', { hasText: exactly('cnn') }).waitFor();
    await keras.locator('#inputs td.shape', { hasText: exactly('[?, 8, 8, 3]') }).waitFor();
    await keras.locator('#outputs td.shape', { hasText: exactly('[?, 3]') }).waitFor();
    await keras.locator('#debug:not([disabled])').click();
    await showView(page, 'Run and Debug', '.debug-call-stack');
    await callStackTop(page, 'cnn (Model)').waitFor();
    await continueToEnd(page, /^logits\s*=\s*float32\[1,3\]/, 'keras-finished');
    // The session has ended when the summary offers Debug again and the debug toolbar is gone: only then does
    // the palette stay open (a session that ends moves the focus).
    await keras.locator('#debug:not([disabled])').waitFor();
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });

    // A real TF.js graph model (tfjs-converter output shipped by @vladmandic/human), opened by its path: Run and
    // Debug in the editor title, and Debug steps it to the end with its output in VARIABLES.
    const quick = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    await quick.waitFor({ state: 'visible' });
    await quick.fill(join(repoRoot, 'node_modules/@vladmandic/human/models/emotion.json'));
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'emotion.json' }).first().click();
    await activeTab(page, 'emotion.json').waitFor();
    await editorTitleButton(page, 'Debug Model').click();
    await continueToEnd(page, /^Identity\s*=\s*float32\[1,7\]/, 'graph-model-finished');
  },
};
