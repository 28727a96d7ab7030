// A user debugs examples/mnist-mlp: Run from the editor title, a gutter breakpoint, Debug, CALL STACK and
// VARIABLES, stepping in, over, out and back with the Layerstep panel following, then a weight from the
// Layerstep sidebar drawn as a heatmap. Measures how fast the panel draws (Run → first frame, step → redrawn
// frame) and writes the numbers to <run>/timings-debug-mnist.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorLines, examplesDir, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import {
  callStackRows, callStackTop, clearRenderedIndex, clickGutter, editorTitleButton, median, panel, preparePaletteCommand,
  prepareToolbarButton, variableRow, waitForRedraw,
} from '../lib/layerstep.mjs';

const model = 'mnist-mlp/model.json';
const ms = (v) => Math.round(v);

/** 1-based line of the first line of the model file containing `needle`. */
function lineOf(needle) {
  const i = readFileSync(join(examplesDir, model), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${model} has no line with ${needle}`);
  return i + 1;
}

/** Stops the session and waits until the debug toolbar has gone. */
async function stopSession(page) {
  await runCommand(page, 'Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
}

/**
 * The stops after the breakpoint: [how to get there, top frame in CALL STACK, the panel's #frame-title, the
 * first input in VARIABLES]. Step Back is only on the debug toolbar: VS Code has no palette entry for it.
 */
const steps = [
  ['Debug: Continue', 'hidden2 (dense)', 'hidden2', 'hidden1/relu:0'],
  ['Debug: Step Into', 'matmul', 'matmul', 'hidden1/relu:0'],
  ['Debug: Step Over', 'matmul ↩ return', 'matmul', 'hidden1/relu:0'],
  ['Debug: Step Over', 'add', 'add', 'hidden2/matmul:0'],
  ['Debug: Step Out', 'hidden2 (dense) ↩ return', 'hidden2', 'hidden1/relu:0'],
  ['Step Back', 'relu ↩ return', 'relu', 'hidden2/add:0'],
  ['Step Back', 'relu', 'relu', 'hidden2/add:0'],
];

export const scenario = {
  name: 'debugging mnist-mlp: Run, a gutter breakpoint, Debug, stepping with the panel following, a weight from the sidebar',
  async run({ page, server }) {
    const timings = { runToFirstFrameMs: [], stepToRedrawMs: {} };
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, model);
    await activeEditorLines(page).waitFor();
    await screenshot(page, 'model-open');

    // Run: the panel opens beside the model and draws the finished pass; its stack lists the layers.
    // The first Run opens the panel; two more measure Run with the panel already open.
    const ui = panel(page);
    for (let i = 0; i < 3; i++) {
      const run = editorTitleButton(page, 'Run Model');
      await run.waitFor();
      const t0 = performance.now();
      await run.click();
      await waitForRedraw(page, undefined);
      timings.runToFirstFrameMs.push(ms(performance.now() - t0));
      await ui.locator('#status', { hasText: 'Finished' }).waitFor();
      if (i === 0) {
        const layers = await ui.locator('#stack [data-frame-id] .frame-name').allInnerTexts();
        for (const name of ['mnist-mlp', 'hidden1', 'hidden2', 'out']) {
          if (!layers.includes(name)) throw new Error(`the panel's stack lacks ${name}: ${layers.join(', ')}`);
        }
        await callStackTop(page, 'mnist-mlp (model)').waitFor();
        await screenshot(page, 'run-finished');
      }
      await stopSession(page);
      await ui.locator('#empty:not([hidden])').waitFor();
      await clearRenderedIndex(page);
    }

    // A breakpoint in the gutter on hidden2's line.
    const line = lineOf('"name": "hidden2"');
    await clickGutter(page, line);
    await page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'model.json' }).first().waitFor();
    await screenshot(page, `breakpoint-line-${line}`);

    // Debug: paused on entry, CALL STACK and VARIABLES filled in, the panel on the model's frame.
    await editorTitleButton(page, 'Debug Model').click();
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    await variableRow(page, /^x\s*=\s*float32\[1,784\] μ=/).waitFor();
    await ui.locator('#frame-title', { hasText: 'mnist-mlp' }).waitFor();
    let drawn = await waitForRedraw(page, undefined);
    await screenshot(page, 'debug-entry');

    // Continue to the breakpoint, then step in, over, out and back; the panel follows every stop.
    for (const [command, frame, title, input] of steps) {
      const click = command.startsWith('Debug: ') ? await preparePaletteCommand(page, command) : await prepareToolbarButton(page, command);
      const t0 = performance.now();
      await click();
      drawn = await waitForRedraw(page, drawn);
      (timings.stepToRedrawMs[command] ??= []).push(ms(performance.now() - t0));
      await callStackTop(page, frame).waitFor();
      await ui.locator('#frame-title', { hasText: title }).waitFor();
      await variableRow(page, new RegExp(`^${input}\\s*=\\s*float32\\[`)).waitFor();
      await screenshot(page, `${command.replace('Debug: ', '').replace(' ', '-').toLowerCase()}-${title}`);
    }

    // CALL STACK → panel: selecting the caller's frame in CALL STACK shows that frame in the panel.
    await callStackRows(page).filter({ hasText: 'hidden2 (dense)' }).first().click();
    await ui.locator('#frame-title', { hasText: 'hidden2' }).waitFor();
    await ui.locator('.tensor-view[data-tensor-name="hidden2.kernel"]').first().waitFor();
    await screenshot(page, 'call-stack-selects-hidden2');

    // The Layerstep sidebar: the model's tree; a weight of hidden1 shows in the panel as a heatmap.
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().click();
    const hidden1 = page.getByRole('treeitem', { name: /^hidden1\b/ }).first();
    await hidden1.waitFor();
    // A click on the row runs its command (go to the layer's line); the twistie expands it.
    if ((await hidden1.getAttribute('aria-expanded')) !== 'true') await hidden1.locator('.monaco-tl-twistie').click();
    await page.getByRole('treeitem').filter({ hasText: '784×128' }).first().click();
    await ui.locator('.tensor-view[data-tensor-name="hidden1.kernel"] canvas.heatmap').first().waitFor();
    await screenshot(page, 'sidebar-weight-heatmap');

    await stopSession(page);
    await screenshot(page, 'stopped');

    const all = Object.values(timings.stepToRedrawMs).flat();
    const summary = { ...timings, runToFirstFrameWarmMedianMs: median(timings.runToFirstFrameMs.slice(1)), stepToRedrawMedianMs: median(all) };
    writeFileSync(join(server.dir, 'timings-debug-mnist.json'), JSON.stringify(summary, null, 2));
    console.log(`    timings (mnist-mlp, in the browser): Run → first drawn frame ${timings.runToFirstFrameMs.join(', ')} ms`
      + ` (the first opens the panel; median of the others ${summary.runToFirstFrameWarmMedianMs} ms);`
      + ` step → redrawn panel median ${summary.stepToRedrawMedianMs} ms (all: ${all.join(', ')})`);
  },
};
