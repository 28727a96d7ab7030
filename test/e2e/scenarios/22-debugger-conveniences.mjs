// A user debugs examples/small-cnn with the debugger's conveniences: an op type breakpoint from the BREAKPOINTS
// view's "Add Op Type Breakpoint…" (type:conv) that Continue stops at; Run to Cursor on a later layer's line; Jump
// to Cursor back to an earlier one; completions in the Debug Console; a line breakpoint set to the "At return"
// mode, which stops with the layer's outputs in VARIABLES; Step Into Target, which offers the layers not called yet.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorLines, activeTab, chooseFromContextMenu, examplesDir, exactly, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackTop, clickGutter, editorTitleButton, panel, sessionState, variableRow } from '../lib/layerstep.mjs';

const model = 'small-cnn/model.json';

/** 1-based line of the first line of the model file containing `needle`. */
function lineOf(needle) {
  const i = readFileSync(join(examplesDir, model), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${model} has no line with ${needle}`);
  return i + 1;
}

/** Puts the editor's cursor on `line` with the palette's `:LINE` (Go to Line), as a user does with Ctrl+G. */
async function cursorTo(page, line) {
  await activeEditorLines(page).click();
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page.locator('.editor-group-container.active .monaco-editor .current-line').first().waitFor();
}

export const scenario = {
  name: 'debugger conveniences on small-cnn: an op type breakpoint, Run to Cursor, Jump to Cursor, Debug Console completions, an At return breakpoint, Step Into Target',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, model);
    await activeEditorLines(page).waitFor();

    // Debug (paused on entry); BREAKPOINTS' title button "Add Op Type Breakpoint…": the model's types with counts.
    await editorTitleButton(page, 'Debug Model').click();
    await callStackTop(page, 'small-cnn (model)').waitFor();
    const header = page.locator('.pane-header', { hasText: /breakpoints/i }).first();
    await header.waitFor();
    await header.hover();
    await header.locator('.action-label[aria-label="Add Op Type Breakpoint…"]').click();
    const pick = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('conv') }) }).first();
    await pick.waitFor();
    await screenshot(page, 'debugger-type-pick');
    await pick.click();
    const typeRow = page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'type:conv' }).first();
    await typeRow.waitFor();

    // Continue: the first conv2d layer (its conv op does not stop again).
    await runCommand(page, 'Debug: Continue');
    await callStackTop(page, 'conv1 (conv2d)').waitFor();
    await sessionState(page, "Paused on function breakpoint type 'conv'").waitFor();
    await screenshot(page, 'debugger-type-breakpoint');

    // Run to Cursor on the classifier's line (breakpoints removed, so the run goes there).
    await runCommand(page, 'Remove All Breakpoints');
    await typeRow.waitFor({ state: 'detached' });
    await cursorTo(page, lineOf('"name": "classifier"'));
    await runCommand(page, 'Debug: Run to Cursor');
    await callStackTop(page, 'classifier (dense)').waitFor();
    await screenshot(page, 'debugger-run-to-cursor');

    // Jump to Cursor back to conv2's line: the recorded call, nothing run again.
    await cursorTo(page, lineOf('"name": "conv2"'));
    // VS Code asks which of the line's targets: its call or its return.
    const target = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Call of conv2 (conv2d)' }).first();
    await runCommand(page, 'Debug: Jump to Cursor', { until: target });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Return from conv2 (conv2d)' }).first().waitFor();
    await screenshot(page, 'debugger-jump-targets');
    await target.click();
    await callStackTop(page, 'conv2 (conv2d)').waitFor();
    await variableRow(page, /^pool1\/maxPool:0\s*=\s*float32\[1,8,14,14\]/).waitFor();
    await screenshot(page, 'debugger-jump-to-cursor');

    // The panel draws conv2's kernel [16, 8, 3, 3] as its 16 filters for one input channel, which a scrubber picks.
    const ui = panel(page);
    const kernel = ui.locator('#frame .tensor-view', { has: ui.locator('.slice-caption', { hasText: /16 filters/ }) }).first();
    await kernel.locator('.slice-caption', { hasText: exactly('input channel 1 of 8, 16 filters, rows=H cols=W') }).waitFor();
    if (await kernel.locator('.slicer-layout, .slicer-picture').count()) throw new Error('a weight view offers a layout or picture toggle');
    const inputChannel = kernel.locator('.slicer-scrub[data-axis="1"]');
    await inputChannel.focus();
    await inputChannel.press('End');
    await kernel.locator('.slice-caption', { hasText: exactly('input channel 8 of 8, 16 filters, rows=H cols=W') }).waitFor();
    await kernel.scrollIntoViewIfNeeded();
    await screenshot(page, 'debugger-kernel-filters');
    // Back to model.json's editor group, which the panel's scrubber took the focus from.
    await page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: exactly('model.json') }) }).first().click();
    await activeTab(page, 'model.json').waitFor();

    // Debug Console: typing `weights.` brings up the frame's weights by role.
    await runCommand(page, 'Debug Console: Focus on Debug Console View');
    const input = page.locator('.repl-input-wrapper .monaco-editor textarea');
    await input.waitFor();
    await input.focus();
    await page.keyboard.type('weights.');
    const suggest = page.locator('.suggest-widget .monaco-list-row', { hasText: 'kernel' }).first();
    await suggest.waitFor();
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'bias' }).first().waitFor();
    await screenshot(page, 'debugger-completions');
    await page.keyboard.press('Tab');
    await suggest.waitFor({ state: 'hidden' });
    await page.keyboard.press('Enter');
    await page.locator('.repl .evaluation-result', { hasText: 'float32[16,8,3,3]' }).first().waitFor();
    await screenshot(page, 'debugger-completion-evaluated');

    // A gutter breakpoint on relu2, then BREAKPOINTS' "Edit Mode" → At return; Continue stops at its return.
    await cursorTo(page, lineOf('"name": "relu2"'));
    await clickGutter(page, lineOf('"name": "relu2"'));
    const lineRow = page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'model.json' }).first();
    await lineRow.waitFor();
    await chooseFromContextMenu(page, lineRow, 'Edit Mode...');
    const mode = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('At return') }) }).first();
    await mode.waitFor();
    await screenshot(page, 'debugger-mode-pick');
    await mode.click();
    await page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'At return' }).first().waitFor();
    await runCommand(page, 'Debug: Continue');
    await callStackTop(page, 'relu2 (relu) ↩ return').waitFor();
    await variableRow(page, /^relu2\/relu:0\s*=\s*float32\[1,16,14,14\]/).waitFor();
    await screenshot(page, 'debugger-at-return');

    // Step Into Target from the editor: VS Code offers the model's children not called yet, and steps into the one
    // picked (the run goes on to its call).
    await cursorTo(page, lineOf('"name": "relu2"'));
    const stepTarget = (name) => page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(name) }) }).first();
    await runCommand(page, 'Debug: Step Into Target', { until: stepTarget('classifier (dense)') });
    const offered = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    if (offered.join('|') !== 'pool2 (maxPool2d)|flatten (flatten)|classifier (dense)') throw new Error(`step-in targets at relu2's return: ${offered.join(', ')}`);
    await screenshot(page, 'debugger-step-into-targets');
    await stepTarget('classifier (dense)').click();
    await callStackTop(page, 'classifier (dense)').waitFor();
    await sessionState(page, 'Paused at call of classifier').waitFor();

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
