// A user compares examples/mnist-mlp's run on its first example (a seven) with its run on another example (a
// three): "Compare With…" in the editor title, "Another input…", "a three". The session stops where the runs
// part, with CALL STACK showing both runs as threads and VARIABLES a Divergence scope.
import {
  activeEditorLines, examplesDir, exactly, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackRows, editorTitleButton, variableRow } from '../lib/layerstep.mjs';

/** Clicks the quick pick's row whose label is exactly `label`. */
async function pick(page, label) {
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  await row.waitFor();
  await row.click();
}

export const scenario = {
  name: 'Compare With… another input: two threads in CALL STACK, the Diverged stop, the Divergence scope',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, 'mnist-mlp/model.json');
    await activeEditorLines(page).waitFor();

    await editorTitleButton(page, 'Compare With…').click();
    for (const label of ['Another input…', 'Another model file…', 'A folder of reference values…']) {
      await page.locator('.quick-input-list .label-name', { hasText: exactly(label) }).waitFor();
    }
    await screenshot(page, 'compare-with-pick');
    await pick(page, 'Another input…');
    await page.locator('.quick-input-list .label-name', { hasText: exactly('a three') }).waitFor();
    await pick(page, 'a three');

    // Both runs as threads of the session; the first op that reads the differing inputs is where they part.
    await callStackRows(page).filter({ hasText: 'compared with example a three' }).first().waitFor();
    const main = callStackRows(page).filter({ hasText: 'forward pass: mnist-mlp' }).first();
    await main.filter({ hasText: /Paused on exception/ }).waitFor();
    await callStackRows(page).filter({ hasText: /^matmul\b.*↩ return/ }).first().waitFor();
    await page.locator('.zone-widget .exception-widget', { hasText: 'Diverged' }).first().waitFor();
    await variableRow(page, exactly('Divergence')).waitFor();
    await screenshot(page, 'diverged-stop');

    // The compared run's thread holds the same frames, its tensors those of the other input.
    const other = callStackRows(page).filter({ hasText: 'compared with example a three' }).first();
    if ((await other.getAttribute('aria-expanded')) !== 'true') await other.locator('.monaco-tl-twistie').click();
    await callStackRows(page).filter({ hasText: /^matmul\b.*↩ return/ }).nth(1).waitFor();

    // VARIABLES: the Divergence scope says by how much.
    await variableRow(page, exactly('Divergence')).click();
    await variableRow(page, /hidden1\/matmul:0\s*=\s*max abs .* — diverged$/).waitFor();
    await screenshot(page, 'divergence-scope');

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
