// A user opens examples/onnx-encoder/model.onnx: the summary editor shows its inputs, outputs and modules; Debug
// in the editor starts a session; a function breakpoint on `attn` from the BREAKPOINTS view's "+" stops the
// run with the call stack nested encoder › layer.0 › attn; a breakpoint from the Layerstep sidebar's inline
// toggle stops it at `mlp`; the panel's breakpoint button by the frame's title removes and adds it again.
import { join } from 'node:path';
import {
  activeEditorLines, examplesDir, exactly, openByPath, openFromExplorer, openWorkbench, repoRoot, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackRows, callStackTop, editorTitleButton, panelFrame, summaryFrame, variableRow } from '../lib/layerstep.mjs';

const model = 'onnx-encoder/model.onnx';

/** The texts of the CALL STACK rows that are frames (not the thread row), top first: the frame's name, then its source if any. */
async function stackTexts(page) {
  return (await callStackRows(page).locator('.stack-frame').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** A row of the BREAKPOINTS view whose text contains `text`. */
function breakpointRow(page, text) {
  return page.locator('.debug-breakpoints .monaco-list-row', { hasText: text }).first();
}

/** Adds a function breakpoint with the "+" of the BREAKPOINTS view's title (shown while the pointer is over the view). */
async function addFunctionBreakpoint(page, name) {
  const header = page.locator('.pane-header', { hasText: /^Breakpoints/i }).first();
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await header.hover();
  await header.locator('.action-label[aria-label="Add Function Breakpoint"]').click();
  const input = page.locator('.debug-breakpoints input:not([type="checkbox"])').first();
  await input.waitFor();
  await input.fill(name);
  await input.press('Enter');
  await breakpointRow(page, name).waitFor();
}

async function showRunAndDebug(page) {
  await runCommand(page, 'View: Show Run and Debug');
  await page.locator('.debug-call-stack').first().waitFor();
}

export const scenario = {
  name: 'an ONNX model: the summary editor, Debug from it, function breakpoints from BREAKPOINTS, the sidebar and the panel',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    // The extension's contributions are known once its activity bar entry shows; a file opened before that
    // opens in the text editor, as VS Code does not know the custom editor yet.
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().waitFor();
    await openFromExplorer(page, model);

    // The summary: inputs, outputs, opset, and the module tree down to attn.
    const summary = await summaryFrame(page);
    await summary.locator('#model-name', { hasText: exactly('onnx-encoder') }).waitFor();
    await summary.locator('#inputs td', { hasText: exactly('input') }).waitFor();
    await summary.locator('#inputs td.shape', { hasText: exactly('[1, 6, 16]') }).waitFor();
    await summary.locator('#outputs td', { hasText: exactly('logits') }).waitFor();
    await summary.locator('#facts dd', { hasText: 'ai.onnx 17' }).waitFor();
    await summary.locator('[data-module-id="encoder/layer.0/attn"] .module-counts', { hasText: '1,089 params' }).waitFor();
    if (await summary.locator('#unsupported').count()) throw new Error('the summary lists unsupported ops for a model that has none');
    // The editor title offers Run and Debug for the custom editor too.
    await editorTitleButton(page, 'Debug Model').waitFor();
    await screenshot(page, 'onnx-summary');

    // Debug from the summary: paused on entry at the model's frame.
    await summary.locator('#debug:not([disabled])').click();
    await callStackTop(page, 'onnx-encoder (model)').waitFor();
    await screenshot(page, 'onnx-entry');

    // A function breakpoint on `attn` from the BREAKPOINTS view, then Continue: nested frames, innermost first.
    await addFunctionBreakpoint(page, 'attn');
    await runCommand(page, 'Debug: Continue');
    await callStackTop(page, 'attn (scope)').waitFor();
    const rows = await stackTexts(page);
    const expected = ['attn (scope)', 'layer.0 (scope)', 'encoder (scope)', 'onnx-encoder (model)'];
    if (rows.length !== 4 || !expected.every((name, i) => rows[i].startsWith(name))) throw new Error(`CALL STACK: ${rows.join(' | ')}`);
    // VS Code focuses the top frame, so VARIABLES shows its inputs.
    await variableRow(page, /^input\s*=\s*float32\[1,6,16\]/).waitFor();
    const ui = await panelFrame(page);
    await ui.locator('#frame-title', { hasText: exactly('attn') }).waitFor();
    await screenshot(page, 'onnx-paused-nested');

    // The Layerstep sidebar shows the model's tree; the inline toggle on layer.0's mlp adds a breakpoint by id.
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().click();
    const mlp = page.getByRole('treeitem', { name: /^mlp\b/ }).first();
    await mlp.waitFor();
    await mlp.hover();
    await mlp.locator('.action-label[aria-label="Toggle Breakpoint"]').click();
    await screenshot(page, 'onnx-sidebar-toggle');
    await showRunAndDebug(page);
    await breakpointRow(page, 'encoder/layer.0/mlp').waitFor();
    await runCommand(page, 'Debug: Continue');
    await callStackTop(page, 'mlp (scope)').waitFor();
    await ui.locator('#frame-title', { hasText: exactly('mlp') }).waitFor();
    await variableRow(page, /norm1\/LayerNormalization_output_0.*=\s*float32\[1,6,16\]/).waitFor();

    // The panel's button by the frame title removes that breakpoint, and adds it again.
    await ui.locator('#toggle-breakpoint').click();
    await ui.locator('#status', { hasText: 'Breakpoint removed from mlp.' }).waitFor();
    await breakpointRow(page, 'encoder/layer.0/mlp').waitFor({ state: 'detached' });
    await ui.locator('#toggle-breakpoint').click();
    await ui.locator('#status', { hasText: 'Breakpoint set on mlp.' }).waitFor();
    await breakpointRow(page, 'encoder/layer.0/mlp').waitFor();
    await screenshot(page, 'onnx-panel-breakpoint');

    // While the session runs the summary offers neither Run nor Debug; after Stop it does again.
    if (!(await summary.locator('#debug[disabled]').count())) throw new Error('the summary offers Debug during a session');
    await runCommand(page, 'Debug: Stop');
    await summary.locator('#debug:not([disabled])').waitFor();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await runCommand(page, 'Remove All Breakpoints');

    // A TF.js layers model.json (outside the workspace, opened by its path) gets Run and Debug in the editor title.
    // The quick open's file mode (the palette without its '>') opens a file outside the workspace by its path.
    // The fixture's row by its folder: the list may also offer the examples' model.json files recently opened.
    await openByPath(page, join(repoRoot, 'test/fixtures/tfjs/mlp/model.json'),
      (p) => p.locator('.quick-input-list .monaco-list-row', { hasText: 'model.json' }).filter({ hasText: 'fixtures/tfjs/mlp' }).first());
    await activeEditorLines(page).waitFor();
    await editorTitleButton(page, 'Run Model').waitFor();
    await editorTitleButton(page, 'Debug Model').waitFor();
    await screenshot(page, 'tfjs-model-json');
  },
};
