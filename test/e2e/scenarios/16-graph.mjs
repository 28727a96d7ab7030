// A user debugs examples/mnist-mlp with the panel's Graph: the layers' boxes open on their ops, the current op is
// highlighted and follows a Step, an edge gets its measured shape once its op has run, a click on a pending op
// runs to it and a click on a run op goes back to it (CALL STACK follows), a frame picked in CALL STACK is
// highlighted in the graph, a box closes and opens again, the search finds an op by type. In the light theme too.
// Then examples/onnx-encoder: its two transformer layers show as one box "layer ×2" that opens into both.
import { examplesDir, openFromExplorer, openWorkbench, runCommand, screenshot } from '../lib/index.mjs';
import { callStackRows, callStackTop, editorTitleButton, panel, panelFrame, summaryFrame, waitForRedraw } from '../lib/layerstep.mjs';

/** A drawn box of the graph by its item id. */
const box = (ui, id, extra = '') => ui.locator(`.graph-section [data-id="${id}"]${extra}`);

/**
 * Clicks a box of the graph in the middle of its first text line (a cluster: its title row), as a user does: the
 * graph is scrolled into the panel's view, and fitted to its view first when the box lies outside it.
 */
async function clickBox(page, ui, id) {
  const el = box(ui, id);
  await el.waitFor();
  const viewport = ui.locator('.graph-viewport');
  await viewport.scrollIntoViewIfNeeded();
  const inside = async () => {
    const [v, r] = [await viewport.boundingBox(), await el.locator('text').first().boundingBox()];
    return v && r && r.x >= v.x && r.y >= v.y && r.x + r.width <= v.x + v.width && r.y + r.height <= v.y + v.height ? r : undefined;
  };
  let r = await inside();
  if (!r) {
    await ui.locator('.graph-fit').click();
    r = await inside();
  }
  if (!r) throw new Error(`the graph's box ${id} is not on screen`);
  await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
}

/**
 * Debug from the editor title; clicked again only if no session started within a minute (a click can land while
 * the title redraws; on a loaded machine a session can take long to show, and two sessions would confuse CALL STACK).
 */
async function debug(page) {
  const toolbar = page.locator('.debug-toolbar');
  for (let attempt = 1; ; attempt++) {
    await editorTitleButton(page, 'Debug Model').click();
    try {
      await toolbar.waitFor({ timeout: 60_000 });
      return;
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
}

async function stopSession(page) {
  await runCommand(page, 'Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
}

export const scenario = {
  name: 'the graph: module boxes, run-time shapes, the current op following steps, clicks moving CALL STACK, search, repeated blocks',
  timeoutMs: 240_000,
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, 'mnist-mlp/model.json');
    await debug(page);
    const ui = panel(page);
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    let drawn = await waitForRedraw(page, undefined);

    // The graph opens its layers at first: their ops are drawn, all pending (dimmed), with static shapes.
    await box(ui, 'hidden1/matmul', '.pending').waitFor();
    await box(ui, 'out/softmax').waitFor();
    await ui.locator('.graph-edge-label', { hasText: '1×784' }).first().waitFor();
    const layoutMs = await ui.locator('.graph-viewport').getAttribute('data-layout-ms');
    console.log(`    graph of mnist-mlp: ${await ui.locator('.graph-viewport').getAttribute('data-boxes')} boxes laid out in ${layoutMs} ms (worker)`);
    await screenshot(page, 'graph-entry');

    // Step into the first layer and its first op: the op is the current node, its layer on the stack.
    for (const [top, id] of [['hidden1 (dense)', 'hidden1'], ['matmul', 'hidden1/matmul']]) {
      await runCommand(page, 'Debug: Step Into');
      drawn = await waitForRedraw(page, drawn);
      await callStackTop(page, top).waitFor();
      await box(ui, id, '.current').waitFor();
    }
    await box(ui, 'hidden1', '.active').waitFor();
    // Step Over: matmul returns, and the edge it feeds shows the shape the run measured.
    await runCommand(page, 'Debug: Step Over');
    drawn = await waitForRedraw(page, drawn);
    await ui.locator('.graph-edge-label.measured', { hasText: '1×128' }).first().waitFor();
    await runCommand(page, 'Debug: Step Over');
    drawn = await waitForRedraw(page, drawn);
    await box(ui, 'hidden1/add', '.current').waitFor();
    await box(ui, 'hidden1/matmul', '.executed').waitFor();
    await screenshot(page, 'graph-step');

    // A click on a pending op runs to it: CALL STACK's top frame is out's matmul.
    await clickBox(page, ui, 'out/matmul');
    await callStackRows(page).filter({ hasText: 'out (dense)' }).first().waitFor();
    await callStackTop(page, 'matmul').waitFor();
    drawn = await waitForRedraw(page, drawn);
    await box(ui, 'out/matmul', '.current').waitFor();
    await box(ui, 'hidden2/relu', '.executed').waitFor();
    await screenshot(page, 'graph-run-to');

    // A click on an op that has run goes back to its call: CALL STACK follows.
    await clickBox(page, ui, 'hidden1/relu');
    await callStackRows(page).filter({ hasText: 'hidden1 (dense)' }).first().waitFor();
    await callStackTop(page, 'relu').waitFor();
    await waitForRedraw(page, drawn);
    await box(ui, 'hidden1/relu', '.current').waitFor();

    // CALL STACK → graph: picking the layer's frame highlights the layer's box.
    await callStackRows(page).filter({ hasText: 'hidden1 (dense)' }).first().click();
    await box(ui, 'hidden1', '.current').waitFor();
    await screenshot(page, 'graph-call-stack-pick');

    // A layer's box closes on a click on its title, and opens again.
    await clickBox(page, ui, 'hidden2');
    await box(ui, 'hidden2', '.graph-node.expandable').waitFor();
    await box(ui, 'hidden2/matmul').waitFor({ state: 'detached' });
    await screenshot(page, 'graph-closed-box');
    await clickBox(page, ui, 'hidden2');
    await box(ui, 'hidden2/matmul').waitFor();

    // Search by op type: Enter goes to the match.
    const search = ui.locator('.graph-search');
    await search.fill('type:softmax');
    await ui.locator('.graph-info', { hasText: '1 match' }).waitFor();
    await search.press('Enter');
    await box(ui, 'out/softmax', '.found').waitFor();
    await search.fill('hidden2/*');
    await ui.locator('.graph-info', { hasText: /\d+ matches/ }).waitFor();
    await box(ui, 'hidden2/add', '.match').waitFor();
    await screenshot(page, 'graph-search');

    // The other theme (the test's workbench starts light): the same graph, drawn with the theme's colours.
    const dark = await page.locator('.monaco-workbench.vs-dark').count();
    const other = dark ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark';
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator(other).waitFor();
    await box(ui, 'hidden2/add', '.match').waitFor();
    await screenshot(page, dark ? 'graph-light' : 'graph-dark');
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator(other).waitFor({ state: 'detached' });
    await stopSession(page);

    // Repeated blocks: the encoder's two layers are one box that opens into both.
    await runCommand(page, 'View: Show Explorer');
    await openFromExplorer(page, 'onnx-encoder/model.onnx');
    await summaryFrame(page);
    await debug(page);
    await runCommand(page, 'View: Show Run and Debug');
    await callStackTop(page, 'onnx-encoder').waitFor();
    // The panel shares its editor group with the summary: bring its tab forward.
    await page.locator('.tabs-container .tab', { hasText: 'Layerstep' }).first().click();
    const onnx = await panelFrame(page);
    const repeat = box(onnx, 'repeat:encoder/layer.0');
    await repeat.filter({ hasText: 'layer ×2' }).waitFor();
    await screenshot(page, 'graph-repeat-closed');
    await clickBox(page, onnx, 'repeat:encoder/layer.0');
    await box(onnx, 'encoder/layer.1', '.graph-node.expandable').waitFor();
    await clickBox(page, onnx, 'encoder/layer.1');
    await box(onnx, 'encoder/layer.1/norm2').waitFor();
    await screenshot(page, 'graph-repeat-open');
    await stopSession(page);
  },
};
