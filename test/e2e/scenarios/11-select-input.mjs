// A user picks another input for mnist-mlp with "Layerstep: Select Input…" (one of the model's examples), runs
// it, and asks the Debug Console which class won: the digit of the example picked.
import {
  activeEditorLines, examplesDir, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { editorTitleButton, panel, typeInDebugConsole, waitForRedraw } from '../lib/layerstep.mjs';

/** Picks the quick pick row whose label is exactly `label`. */
async function pick(page, label) {
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await row.waitFor();
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Evaluates `expression` in the Debug Console and waits for a result line equal to `expected`. */
async function evaluateInConsole(page, expression, expected) {
  await typeInDebugConsole(page, expression);
  await page.locator('.repl .monaco-list-row .evaluation-result', { hasText: new RegExp(`^${expected}$`) }).first().waitFor();
}

export const scenario = {
  name: 'Select Input picks an example of mnist-mlp that the next Run uses',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, 'mnist-mlp/model.json');
    await activeEditorLines(page).waitFor();

    await runCommand(page, 'Layerstep: Select Input…', { until: page.locator('.quick-input-list .label-name', { hasText: 'a seven' }).first() });
    for (const example of ['a seven', 'a three', 'a zero', 'random']) {
      await page.locator('.quick-input-list .label-name', { hasText: example }).first().waitFor();
    }
    await screenshot(page, 'select-input');
    await pick(page, 'a three');

    await editorTitleButton(page, 'Run Model').click();
    await waitForRedraw(page, undefined);
    await panel(page).locator('#status', { hasText: 'Finished' }).waitFor();
    await evaluateInConsole(page, 'argmax(output)', '3');
    await screenshot(page, 'ran-a-three');
    await runCommand(page, 'Debug: Stop');
  },
};
