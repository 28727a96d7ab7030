// A user checks health and summaries. examples/xor, whose sigmoid output is saturated, runs: its frame carries the
// "⚠ sat" badge in CALL STACK and in the panel. Then examples/mnist-mlp: in BREAKPOINTS the "Dead units above X%" filter is turned
// on with the condition 30, and Continue stops at hidden2's relu (33% of its units dead); the panel's Summary
// section lists the run so far (shapes and parameters as the model has them, the current frame's row marked), a
// click on a row moves the session there, and Copy as Markdown says it copied.
import {
  activeEditorLines, examplesDir, notification, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackTop, editorTitleButton, panel, prepareToolbarButton } from '../lib/layerstep.mjs';

/** A row of the BREAKPOINTS view whose text contains `text`. */
function breakpointRow(page, text) {
  return page.locator('.debug-breakpoints .monaco-list-row', { hasText: text }).first();
}

/** Turns an exception filter on and gives it a condition, with the row's inline Edit Condition action. */
async function filterWithCondition(page, label, condition) {
  const header = page.locator('.pane-header', { hasText: /^Breakpoints/i }).first();
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const row = breakpointRow(page, label);
  await row.waitFor();
  const box = row.locator('input[type="checkbox"]');
  if (!(await box.isChecked())) await box.check();
  await row.hover();
  await row.locator('.action-label[aria-label^="Edit Condition"]').click();
  const input = page.locator('.debug-breakpoints input:not([type="checkbox"])').first();
  await input.waitFor();
  await input.fill(condition);
  await input.press('Enter');
  await breakpointRow(page, label).filter({ hasText: condition }).waitFor().catch(() => undefined);
}

/**
 * Clicks an editor-title button (Run Model, Debug Model) until a session starts: right after the workbench opens,
 * a click can come before the extension has registered the command.
 */
async function startSession(page, title) {
  for (let attempt = 1; ; attempt++) {
    await editorTitleButton(page, title).click();
    try {
      await page.locator('.debug-toolbar').waitFor({ timeout: 15_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
  await runCommand(page, 'View: Show Run and Debug');
}

export const scenario = {
  name: 'summary and health: a Dead units filter with a condition, the Summary section, a health badge',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    // xor: its sigmoid output is saturated, so the finished model's frame carries the badge.
    await openFromExplorer(page, 'xor/model.json');
    await activeEditorLines(page).filter({ hasText: '"name": "xor"' }).waitFor();
    await startSession(page, 'Run Model');
    await callStackTop(page, /xor \(model\) ⚠ sat \d+% ↩ return/).waitFor();
    await panel(page).locator('#frame-health', { hasText: /^⚠ sat \d+%$/ }).waitFor();
    await panel(page).locator('#stack .frame-bar[data-health^="⚠ sat"]').first().waitFor();
    await screenshot(page, 'summary-badge');
    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });

    // mnist-mlp, opened in the first editor group (the panel's group has the focus after the Run), with Quick Open:
    // the explorer tells two model.json files apart by their folders only.
    await runCommand(page, 'View: Focus First Editor Group');
    const quick = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    await quick.waitFor({ state: 'visible' });
    await quick.fill('mnist-mlp/model.json');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'mnist-mlp' }).first().waitFor();
    await page.keyboard.press('Enter');
    // Both files are model.json: wait for mnist-mlp's text, not only a tab of that name.
    await activeEditorLines(page).filter({ hasText: '"name": "mnist-mlp"' }).waitFor();

    // Debug: paused on entry; the filter set in BREAKPOINTS with its condition.
    await startSession(page, 'Debug Model');
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    await filterWithCondition(page, 'Dead units above X%', '30');
    await screenshot(page, 'summary-dead-filter');

    // Continue: hidden1's relu leaves 25% dead and runs on; hidden2's leaves 33% and stops.
    await (await prepareToolbarButton(page, 'Continue'))();
    await callStackTop(page, /relu.*↩ return/).waitFor();
    await page.locator('.zone-widget .exception-widget', { hasText: 'Dead units' }).first().waitFor();
    await page.locator('.zone-widget .exception-widget', { hasText: 'op relu (hidden2/relu) left 33% of its 64 units dead (above 30%)' }).first().waitFor();
    await screenshot(page, 'summary-dead-stop');

    // The Summary section: the rows of the run so far, the current one (hidden2's relu) marked.
    const ui = panel(page);
    const section = ui.locator('#run-summary');
    await section.locator('summary').click();
    const row = (path) => section.locator('.summary-row', { has: ui.locator(`td[title="${path}"]`) });
    await row('mnist-mlp/hidden1').filter({ hasText: '[1, 128]' }).filter({ hasText: '100,480' }).waitFor();
    await row('mnist-mlp/hidden2/matmul').filter({ hasText: '[1, 64]' }).filter({ hasText: '8,192' }).waitFor();
    await row('mnist-mlp/hidden2/relu').filter({ hasText: 'dead 33%' }).waitFor();
    await section.locator('.summary-row[aria-current="true"]', { has: ui.locator('td[title="mnist-mlp/hidden2/relu"]') }).waitFor();
    const names = await section.locator('.summary-row .summary-name').allInnerTexts();
    if (names.includes('out')) throw new Error(`the summary lists 'out', which has not run yet: ${names.join(', ')}`);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'summary-table');

    // A click on hidden1's row moves the session there: CALL STACK and the marked row follow.
    await row('mnist-mlp/hidden1').click();
    await callStackTop(page, 'hidden1 (dense) ↩ return').waitFor();
    await section.locator('.summary-row[aria-current="true"]', { has: ui.locator('td[title="mnist-mlp/hidden1"]') }).waitFor();

    await section.locator('#summary-copy').click();
    await notification(page, 'copied the summary of mnist-mlp').waitFor();
    await screenshot(page, 'summary-goto-copied');
    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });

  },
};
