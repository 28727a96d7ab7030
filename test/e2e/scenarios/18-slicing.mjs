// A channels-last TF.js graph model (iris, from @vladmandic/human) debugged on two pictures ([2, 64, 64, 3]): the
// panel draws the input as an RGB picture, not as 64 strips; the user scrubs to the second picture, turns the
// picture into its channel maps, switches the layout NHWC → NCHW and back, then at a layer with 128 channels pages
// to channels 65–128, scrubs the batch with the keyboard and turns on the shared colour scale.
import { join } from 'node:path';
import { openWorkbench, repoRoot, runCommand, screenshot } from '../lib/index.mjs';
import { callStackTop, panel, prepareToolbarButton, sessionState } from '../lib/layerstep.mjs';

const folder = join(repoRoot, 'test/fixtures/e2e/slicing');
const INPUT = 'input_1';

/** The panel's tensor view of `name` in the shown frame. */
const view = (ui, name) => ui.locator(`#frame .tensor-view[data-tensor-name="${name}"]`).first();

/** Brings the Layerstep panel's tab to the front (a stop shows the model file in the same editor group). */
const showPanel = (page) => page.locator('.tabs-container .tab', { hasText: 'Layerstep' }).first().click();

/** A screenshot with the tensor view `v` scrolled into the panel's view. */
async function shot(page, v, name) {
  await v.scrollIntoViewIfNeeded();
  await screenshot(page, name);
}

/** Resolves once the view's caption reads `text` (a string it contains, or a RegExp). */
const caption = (v, text) => v.locator('.slice-caption', { hasText: text }).waitFor();

export const scenario = {
  name: 'slicing: an NHWC picture, the layout toggle, channel pages, the batch scrubber and the shared colour scale',
  timeoutMs: 240_000,
  async run({ page, server }) {
    await openWorkbench(page, server, { folder });
    // Run and Debug: the fixture's launch configuration, started with the view's green button.
    await page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Run and Debug"]') }).first().click();
    await page.locator('.debug-viewlet .start-debug-action-item select, .start-debug-action-item .monaco-select-box').first()
      .filter({ hasText: 'Debug iris on two pictures' }).waitFor({ timeout: 60_000 });
    await page.locator('.start-debug-action-item .action-label[aria-label^="Start Debugging"], .start-debug-action-item .codicon-debug-start').first().click();
    await sessionState(page, 'Paused on entry').waitFor({ timeout: 60_000 });
    await callStackTop(page, 'iris').waitFor();
    await showPanel(page);
    const ui = panel(page);

    // The model's input: NHWC (the TF.js model says so), drawn as the RGB picture it is.
    const input = view(ui, INPUT);
    await input.locator('canvas.picture').waitFor({ timeout: 60_000 });
    await caption(input, 'item 1 of 2, RGB picture of channels 1–3, rows=H cols=W');
    const layout = input.locator('.slicer-layout');
    if ((await layout.getAttribute('data-layout')) !== 'NHWC' || (await layout.getAttribute('data-from')) !== 'op') {
      throw new Error(`the input's layout reads ${await layout.getAttribute('data-layout')} from ${await layout.getAttribute('data-from')}`);
    }
    await shot(page, input, 'slicing-picture');

    // The batch scrubber, from the keyboard: the second picture.
    const scrub = input.locator('.slicer-scrub[data-axis="0"]');
    await scrub.focus();
    await scrub.press('ArrowRight');
    await caption(input, 'item 2 of 2, RGB picture');
    await input.locator('canvas.picture').waitFor();
    await shot(page, input, 'slicing-batch-item-2');

    // Picture → channels: three channel maps of the same item.
    await input.locator('.slicer-picture').click();
    await caption(input, 'item 2 of 2, 3 channels, rows=H cols=W');
    await input.locator('canvas.maps').waitFor();

    // NHWC → NCHW: what the input would look like read the other way (64 "channels" of 64 × 3), then back.
    await layout.click();
    await input.locator('.slicer-layout[data-layout="NCHW"]').waitFor();
    await caption(input, '64 channels, rows=H cols=W');
    await shot(page, input, 'slicing-layout-nchw');
    await input.locator('.slicer-layout').click();
    await input.locator('.slicer-layout[data-layout="NHWC"]').waitFor();
    await caption(input, 'rows=H cols=W');

    // A layer with 128 channels: a function breakpoint on it, Continue.
    const header = page.locator('.pane-header', { hasText: /^breakpoints/i }).first();
    await header.hover();
    await header.locator('.action-label[aria-label="Add Function Breakpoint"]').click();
    const box = page.locator('.debug-breakpoints .monaco-inputbox input').first();
    await box.waitFor();
    await box.fill('batch_normalization_10');
    await box.press('Enter');
    await (await prepareToolbarButton(page, 'Continue'))();
    await callStackTop(page, 'batch_normalization_10').waitFor({ timeout: 60_000 });
    // Its input has 64 channels; its output, at its return, 128.
    await (await prepareToolbarButton(page, 'Step Over'))();
    await ui.locator('#status', { hasText: 'return of batch_normalization_10' }).waitFor({ state: 'attached' });
    await showPanel(page);
    const wide = ui.locator('#frame .tensor-view[data-layout="maps"]', { has: ui.locator('.slice-caption', { hasText: 'of 128' }) }).first();
    await caption(wide, 'item 1 of 2, channels 1–64 of 128, rows=H cols=W');
    await wide.locator('.slicer-layout[data-layout="NHWC"][data-from="op"]').waitFor();
    await shot(page, wide, 'slicing-128-channels');

    // The edit menu goes along the channels drawn: the last axis of NHWC, axis 1 once the view is read as NCHW
    // (whose caption no longer says "of 128": the view is found by its tensor's name).
    const wideName = await wide.getAttribute('data-tensor-name');
    const sameView = ui.locator('#frame .tensor-view').and(ui.locator(`[data-tensor-name=${JSON.stringify(wideName)}]`));
    const zeroEdit = async () => {
      await sameView.locator('.tensor-edit-button').click();
      const zero = ui.locator('#edit-menu .edit-menu-item[data-action="zero"]');
      await zero.waitFor();
      const title = await zero.getAttribute('title');
      await zero.press('Escape');
      await ui.locator('#edit-menu').waitFor({ state: 'hidden' });
      return title;
    };
    const nhwcEdit = await zeroEdit();
    if (!/\[:, :, :, 0\] = 0$/.test(nhwcEdit ?? '')) throw new Error(`an NHWC output's channel edit should assign [:, :, :, 0], got '${nhwcEdit}'`);
    await sameView.locator('.slicer-layout').click();
    await sameView.locator('.slicer-layout[data-layout="NCHW"]').waitFor();
    const nchwEdit = await zeroEdit();
    if (!/\[:, 0\] = 0$/.test(nchwEdit ?? '')) throw new Error(`read as NCHW, the channel edit should assign [:, 0], got '${nchwEdit}'`);
    await sameView.locator('.slicer-layout').click();
    await sameView.locator('.slicer-layout[data-layout="NHWC"]').waitFor();
    await caption(wide, 'item 1 of 2, channels 1–64 of 128, rows=H cols=W');

    // Channel paging, then the batch scrubber from the keyboard.
    await wide.locator('.slicer-button[data-control="page-next"]').click();
    await caption(wide, 'item 1 of 2, channels 65–128 of 128');
    const wideScrub = wide.locator('.slicer-scrub[data-axis="0"]');
    await wideScrub.focus();
    await wideScrub.press('End');
    await caption(wide, 'item 2 of 2, channels 65–128 of 128, rows=H cols=W');
    await shot(page, wide, 'slicing-pages-and-batch');

    // One colour scale shared across frames: the legend names it.
    await wide.locator('.shared-scale input').check();
    await wide.locator('.shared-scale', { hasText: /Shared scale \(.+ to .+\)/ }).waitFor();
    await wide.locator('canvas.legend[aria-label^="shared activation scale"]').waitFor();
    // The checkbox names the range the legend spans.
    const legendRange = (await wide.locator('canvas.legend').getAttribute('aria-label')).replace(/^shared activation scale from /, '');
    const toggleText = await wide.locator('.shared-scale').innerText();
    if (toggleText.trim() !== `Shared scale (${legendRange})`) throw new Error(`the Shared scale toggle says '${toggleText}', the legend spans ${legendRange}`);
    await shot(page, wide, 'slicing-shared-scale');

    // The same in a dark theme: the controls, the captions and the legend keep their contrast.
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator('.monaco-workbench.vs-dark, .monaco-workbench.hc-black').first().waitFor();
    await wide.locator('.shared-scale input:checked').waitFor();
    await shot(page, wide, 'slicing-dark');

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
