// The README's pictures, taken in a real VS Code (code-server + Playwright, the e2e harness of test/e2e/lib):
//   media/screenshot-debug.png    mnist-mlp paused at the return of its `out` layer: CALL STACK, VARIABLES,
//                                 the highlighted layer and the panel's stack over time and class bars
//   media/screenshot-cnn.png      small-cnn at the return of conv1: the panel's grid of feature maps
//   media/screenshot-sidebar.png  the Layerstep sidebar on mnist-mlp's hidden1, its kernel as a heatmap in the
//                                 panel above the session paused at hidden1's return (input: a drawn seven)
//   media/screenshot-what-if.png  small-cnn at the return of conv1 with channel 2 zeroed from the panel's menu: the
//                                 edit marks in CALL STACK, VARIABLES and the panel
//   media/screenshot-compare.png  mnist-mlp compared with itself on another example, stopped by the Diverged filter:
//                                 the second thread, the Divergence scope and the strip coloured by divergence
//   media/screenshot-train-backward.png  xor/untrained.json in a Train step, at the return of the backward frame
//                                 ∂hidden: ∂loss/∂ its weights in VARIABLES, the step's frames in the panel
//   media/screenshot-train-loss.png  the panel's loss curve after Train N Steps… (100 steps of xor/untrained.json)
//   media/screenshot-graph.png    small-cnn at the return of conv2: the panel's graph, synced to CALL STACK
//   media/screenshot-summary.png  mnist-mlp at the return of out: the panel's Summary of the run
//   media/screenshot-open-sizes.png  is not made here: it is end-to-end scenario 21's 'open-sizes-asked' screenshot
//                                 (.vscode-test/run-ui/screenshots), Run asking for an ONNX model's open sizes
// Run: npm run build && node scripts/readme-screenshots.mjs   (or `npm run screenshots`; needs `npm run e2e:setup`)
//   SHOTS=debug,cnn,sidebar,whatif,compare,train-backward,train-loss,graph,summary  only some of them;  SHOTS_DIR=<dir>  write elsewhere than media/
//   SHOTS_THEME=<colour theme>  default "Default Dark Modern"
import { mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorLines, exactly, examplesDir, extensionId, launchBrowser, openFromExplorer, openWorkbench, repoRoot, runCommand,
  startCodeServer,
} from '../test/e2e/lib/index.mjs';
import {
  callStackRows, callStackTop, clickGutter, editorTitleButton, panel, variableRow, waitForRedraw,
} from '../test/e2e/lib/layerstep.mjs';

const manifestVersion = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
const viewport = { width: 1600, height: 1000 };
const outDir = process.env.SHOTS_DIR ?? join(repoRoot, 'media');
const wanted = new Set((process.env.SHOTS ?? 'debug,cnn,sidebar,whatif,compare,train-backward,train-loss,graph,summary').split(',').map((s) => s.trim()));

/**
 * Settings for pictures, over the harness's quiet ones: a fixed theme, no minimap (more room for the model's
 * lines), the debug toolbar docked in Run and Debug (not floating over the editor), no Debug Console.
 */
const pictureSettings = {
  'workbench.colorTheme': process.env.SHOTS_THEME ?? 'Default Dark Modern',
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  // The models' descriptions say 28×28: no boxes around the × that VS Code finds ambiguous.
  'editor.unicodeHighlight.ambiguousCharacters': false,
  'workbench.editor.enablePreview': false,
  'debug.toolBarLocation': 'docked',
  'debug.openDebug': 'openOnDebugBreak',
  'debug.internalConsoleOptions': 'neverOpen',
  'workbench.layoutControl.enabled': false,
};

/** 1-based line of the first line of `model` (relative to examples/) containing `needle`. */
function lineOf(model, needle) {
  const i = readFileSync(join(examplesDir, model), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${model} has no line with ${needle}`);
  return i + 1;
}

/**
 * Hides the bottom panel (`workbench.action.closePanel`, "View: Hide Panel") so the editor and the Layerstep
 * panel get the height, clears notifications and moves the mouse out of the way (no hovers, no tooltips).
 */
async function tidy(page) {
  if (await page.locator('.part.panel.bottom').isVisible()) await runCommand(page, 'View: Hide Panel');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(viewport.width - 2, viewport.height / 2);
  await page.waitForTimeout(600);
}

/** Drags a vertical sash found at `x` (the right edge of a part) to `toX`, at height `y`. */
async function dragSash(page, x, toX, y) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(toX, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
}

/**
 * Sizes the side bar to `sidebar` pixels and the first editor group (the model) to `editor` pixels by
 * dragging their sashes; the Layerstep panel, in the second group, gets the rest of the width.
 */
async function layout(page, { sidebar, editor }) {
  const side = await page.locator('.part.sidebar').boundingBox();
  if (side) await dragSash(page, side.x + side.width, side.x + sidebar, side.y + side.height / 2);
  const first = await page.locator('.part.editor .editor-group-container').first().boundingBox();
  if (!first) throw new Error('no editor group on screen');
  await dragSash(page, first.x + first.width, first.x + editor, first.y + first.height / 2);
}

/** Collapses the side bar's view `title` (WATCH is empty: its room goes to VARIABLES and CALL STACK). */
async function collapseView(page, title) {
  const header = page.locator('.part.sidebar .pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();
  if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** Moves the top edge of the side bar's view `title` down by `dy` pixels: the view above it grows. */
async function growView(page, title, dy) {
  const header = await page.locator('.part.sidebar .pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first().boundingBox();
  if (!header) throw new Error(`no view ${title} in the side bar`);
  const x = header.x + header.width / 2;
  await page.mouse.move(x, header.y);
  await page.mouse.down();
  await page.mouse.move(x, header.y + dy, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
}

/**
 * Expands the VARIABLES row whose text matches `text` (a click on its twistie) and waits for its child
 * `child`; the tree sometimes drops a click made while it is still refreshing, so it tries a few times.
 */
async function expandVariable(page, text, child) {
  const row = variableRow(page, text);
  for (let attempt = 0; ; attempt++) {
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    try {
      await variableRow(page, child).waitFor({ timeout: 3000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Focuses the Layerstep panel (a click on its tab): the focus outline leaves the side bar and the panel draws
 * its selected frame in the active selection colour. The mouse then leaves, so no hover shows.
 */
async function focusPanel(page) {
  await page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: /^Layerstep$/ }) }).first().click();
  await page.mouse.move(viewport.width - 2, viewport.height / 2);
  await page.waitForTimeout(400);
}

/** Saves a PNG of the whole window to media/<name>.png and says how big it is. */
async function save(page, name) {
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file, type: 'png' });
  const kb = Math.round(statSync(file).size / 1024);
  console.log(`  ${file} (${kb} KB)`);
  if (kb > 400) console.warn(`  warning: ${name}.png is over 400 KB`);
  return file;
}

/** Stops the session and waits until CALL STACK is empty. */
async function stopSession(page) {
  await runCommand(page, 'Debug: Stop');
  await callStackRows(page).first().waitFor({ state: 'detached' });
}

/**
 * Opens `model` (relative to examples/), sets a gutter breakpoint on the layer `layer`, starts Debug (which
 * stops on entry), continues to the layer's call and, with `toReturn`, steps over it to its return. Resolves
 * once the panel has drawn that stop.
 */
async function debugTo(page, model, layer, { toReturn }) {
  await openFromExplorer(page, model);
  await activeEditorLines(page).waitFor();
  // The editor title offers Debug once the extension knows the file is a model: breakpoints are allowed then.
  await editorTitleButton(page, 'Debug Model').waitFor();
  await clickGutter(page, lineOf(model, `"name": "${layer}"`));
  await editorTitleButton(page, 'Debug Model').click();
  await callStackTop(page, '(model)').waitFor();
  let drawn = await waitForRedraw(page, undefined);
  await runCommand(page, 'Debug: Continue');
  drawn = await waitForRedraw(page, drawn);
  await callStackTop(page, `${layer} (`).waitFor();
  if (toReturn) {
    await runCommand(page, 'Debug: Step Over');
    await waitForRedraw(page, drawn);
    await callStackTop(page, '↩ return').filter({ hasText: `${layer} (` }).waitFor();
  }
  await panel(page).locator('#frame-title', { hasText: exactly(layer) }).waitFor();
}

/** Closes the panel's section `scope` (inputs, outputs, weights) of the shown frame. */
async function closePanelSection(page, scope) {
  const details = panel(page).locator(`details.scope[data-scope="${scope}"]`).first();
  if ((await details.getAttribute('open')) !== null) await details.locator('summary').click();
}

/** mnist-mlp paused at the return of `out`: the class probabilities in VARIABLES and in the panel. */
async function shootDebug(page) {
  await debugTo(page, 'mnist-mlp/model.json', 'out', { toReturn: true });
  await variableRow(page, /^Outputs/).waitFor();
  await collapseView(page, 'Watch');
  // probs[0] opened: the ten class probabilities as numbers next to the panel's bars.
  await expandVariable(page, /^probs\s*=/, /^\[0\]\s*=/);
  await expandVariable(page, /^\[0\]\s*=\s*float32/, /^\[9\]\s*=/);
  await growView(page, 'Watch', 140);
  await layout(page, { sidebar: 300, editor: 620 });
  await tidy(page);
  // Focus in the panel: no focus outline on the last VARIABLES row clicked, the panel's selection drawn active.
  await focusPanel(page);
  await save(page, 'screenshot-debug');
  await stopSession(page);
}

/** small-cnn paused at the return of conv1: its eight feature maps and its filters in the panel. */
async function shootCnn(page) {
  await debugTo(page, 'small-cnn/model.json', 'conv1', { toReturn: true });
  await collapseView(page, 'Watch');
  // The input digit shows again in every feature map: its section closed, the maps and filters get the room.
  await closePanelSection(page, 'inputs');
  await panel(page).locator('.tensor-view[data-layout="maps"]').first().waitFor();
  // Wide enough for the eight maps as two rows of four beside their histogram.
  await layout(page, { sidebar: 300, editor: 580 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-cnn');
  await stopSession(page);
}

/**
 * The Layerstep sidebar on mnist-mlp, paused at hidden1's return: hidden1 expanded in the Model view, its
 * kernel selected and shown in the panel as a heatmap above the session's stack and the input digit.
 */
async function shootSidebar(page) {
  await debugTo(page, 'mnist-mlp/model.json', 'hidden1', { toReturn: true });
  await page.locator('.activitybar [aria-label^="Layerstep"]').first().click();
  const hidden1 = page.getByRole('treeitem', { name: /^hidden1\b/ }).first();
  await hidden1.waitFor();
  if ((await hidden1.getAttribute('aria-expanded')) !== 'true') await hidden1.locator('.monaco-tl-twistie').click();
  await page.getByRole('treeitem').filter({ hasText: '784×128' }).first().click();
  await panel(page).locator('#weight .tensor-view[data-tensor-name="hidden1.kernel"] canvas.heatmap').first().waitFor();
  // A wider side bar: the Model view's rows name parameters and shapes.
  await layout(page, { sidebar: 380, editor: 560 });
  await tidy(page);
  await save(page, 'screenshot-sidebar');
  await stopSession(page);
}

/**
 * small-cnn paused at conv1's return, its channel 2 zeroed from the panel's menu (the keyboard picks the channel,
 * the `⋯` button opens the menu): CALL STACK, VARIABLES and the panel mark the edit.
 */
async function shootWhatIf(page) {
  await debugTo(page, 'small-cnn/model.json', 'conv1', { toReturn: true });
  await collapseView(page, 'Watch');
  await closePanelSection(page, 'inputs');
  const view = panel(page).locator('.tensor-view[data-layout="maps"]').first();
  const maps = view.locator('canvas.maps').first();
  await maps.waitFor();
  await maps.focus();
  await maps.press('ArrowRight');
  await maps.press('ArrowRight');
  await view.locator('.tensor-edit-button').first().click();
  await panel(page).locator('#edit-menu [data-action="zero"]', { hasText: 'channel 2' }).click();
  await panel(page).locator('.tensor-view[data-edited="true"]').first().waitFor();
  await callStackTop(page, '✎ edited').waitFor();
  await variableRow(page, /✎ edited/).waitFor();
  await layout(page, { sidebar: 340, editor: 540 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-what-if');
  await stopSession(page);
}

/**
 * mnist-mlp compared with the same model on another example (a launch configuration with `compareInput`), run
 * until the Diverged filter stops at the first op that reads the input: two threads in CALL STACK, the Divergence
 * scope in VARIABLES and the panel's strip coloured by divergence.
 */
async function shootCompare(page) {
  await openFromExplorer(page, 'mnist-mlp/model.json');
  await activeEditorLines(page).waitFor();
  await editorTitleButton(page, 'Debug Model').waitFor();
  await editorTitleButton(page, 'Compare With…').click();
  for (const label of ['Another input…', 'a three']) {
    const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
    await row.waitFor();
    await row.click();
  }
  await callStackRows(page).filter({ hasText: 'compared with example a three' }).first().waitFor();
  await callStackRows(page).filter({ hasText: /^matmul\b.*↩ return/ }).first().waitFor();
  await variableRow(page, exactly('Divergence')).click();
  await variableRow(page, /max abs .* — diverged$/).waitFor();
  await panel(page).locator('.frame-bar[data-diverged="true"]').first().waitFor();
  await collapseView(page, 'Watch');
  await layout(page, { sidebar: 380, editor: 520 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-compare');
  await stopSession(page);
}

/**
 * xor/untrained.json in a Train step, a breakpoint on `hidden`: Continue to its forward frame, Continue to its
 * backward frame ∂hidden, Step Over to its return: ∂loss/∂hidden.kernel and ∂loss/∂hidden.bias in VARIABLES,
 * the panel on the backward frame with the step's forward, loss, backward and update frames in its strip.
 */
async function shootTrainBackward(page) {
  const model = 'xor/untrained.json';
  await openFromExplorer(page, model);
  await activeEditorLines(page).waitFor();
  await editorTitleButton(page, 'Train Model').waitFor();
  // The layer's first line: where a breakpoint inside the layer would move to.
  await clickGutter(page, lineOf(model, '"name": "hidden"') - 1);
  await editorTitleButton(page, 'Train Model').click();
  await callStackTop(page, 'step 1 (training step)').waitFor();
  let drawn = await waitForRedraw(page, undefined);
  await runCommand(page, 'Debug: Continue');
  drawn = await waitForRedraw(page, drawn);
  await callStackTop(page, /^hidden \(dense\)/).waitFor();
  await runCommand(page, 'Debug: Continue');
  drawn = await waitForRedraw(page, drawn);
  await callStackTop(page, /^∂hidden \(dense\)/).waitFor();
  await runCommand(page, 'Debug: Step Over');
  await waitForRedraw(page, drawn);
  await callStackTop(page, '∂hidden (dense) ↩ return').waitFor();
  await variableRow(page, /^∂loss\/∂hidden\.kernel\s*=/).waitFor();
  await panel(page).locator('#frame-title', { hasText: exactly('∂hidden') }).waitFor();
  await collapseView(page, 'Watch');
  await layout(page, { sidebar: 420, editor: 480 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-train-backward');
  await stopSession(page);
}

/** Train N Steps… on xor/untrained.json (its hint, 100 steps) run to the end: the panel's loss curve. */
async function shootTrainLoss(page) {
  const model = 'xor/untrained.json';
  await openFromExplorer(page, model);
  await activeEditorLines(page).waitFor();
  await editorTitleButton(page, 'Train Model').waitFor();
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await runCommand(page, 'Layerstep: Train N Steps…', { until: page.locator('.quick-input-widget', { hasText: 'How many training steps' }) });
  await input.fill('100');
  await input.press('Enter');
  await panel(page).locator('svg.loss-curve[data-step="100"]').waitFor({ timeout: 120_000 });
  await callStackRows(page).first().waitFor();
  await collapseView(page, 'Watch');
  await layout(page, { sidebar: 300, editor: 520 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-train-loss');
  await stopSession(page);
}

/** small-cnn paused at the return of conv2: the panel's graph, the current op filled, the ops run so far marked. */
async function shootGraph(page) {
  await debugTo(page, 'small-cnn/model.json', 'conv2', { toReturn: true });
  const ui = panel(page);
  await ui.locator('.graph-viewport[data-boxes]').waitFor();
  await ui.locator('.graph-edge-label.measured').first().waitFor();
  await collapseView(page, 'Watch');
  await layout(page, { sidebar: 300, editor: 460 });
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-graph');
  await stopSession(page);
}

/** mnist-mlp paused at the return of `out`: the panel's Summary of the whole run, with shapes, parameters, FLOPs, time, memory, health. */
async function shootSummary(page) {
  await debugTo(page, 'mnist-mlp/model.json', 'out', { toReturn: true });
  const ui = panel(page);
  const section = ui.locator('#run-summary');
  await section.locator('summary').click();
  await section.locator('.summary-row', { has: ui.locator('td[title="mnist-mlp/out"]') }).waitFor();
  await collapseView(page, 'Watch');
  await layout(page, { sidebar: 300, editor: 420 });
  await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await tidy(page);
  await focusPanel(page);
  await save(page, 'screenshot-summary');
  await stopSession(page);
}

const shots = [
  ['debug', shootDebug], ['cnn', shootCnn], ['sidebar', shootSidebar], ['whatif', shootWhatIf], ['compare', shootCompare],
  ['train-backward', shootTrainBackward], ['train-loss', shootTrainLoss], ['graph', shootGraph], ['summary', shootSummary],
]
  .filter(([n]) => wanted.has(n));
mkdirSync(outDir, { recursive: true });
let server;
let browser;
try {
  server = await startCodeServer('screenshots', { settings: pictureSettings });
  // The extension installed by a link in the extensions folder rather than in development mode: the same
  // code, without "[Extension Development Host]" in the window title. It is scanned when a window connects.
  symlinkSync(repoRoot, join(server.dir, 'extensions', `${extensionId}-${manifestVersion}`), 'dir');
  browser = await launchBrowser();
  for (const [name, shoot] of shots) {
    // A fresh window per picture: no editors, panel or sidebar state left over from the previous one.
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    try {
      await openWorkbench(page, server, { folder: examplesDir, extensionDevelopmentPath: null });
      await shoot(page);
    } catch (error) {
      await page.screenshot({ path: join(server.dir, `FAILED-${name}.png`) }).catch(() => undefined);
      throw new Error(`screenshot '${name}' failed (see ${server.dir}/FAILED-${name}.png)`, { cause: error });
    } finally {
      await context.close();
    }
  }
} finally {
  await browser?.close();
  await server?.stop();
}
