// A user trains examples/linear-regression/untrained.json (one dense unit, w = 0.2, b = -0.5) towards y = 2x + 1:
// Train from the editor title stops on entry; a gutter breakpoint on the layer stops in its forward frame, then in
// its backward frame ∂line with ∂loss/∂ tensors in VARIABLES; Step Over and Step Out move through the backward
// pass; the step finishes with its loss. Then Train N Steps… (30) from the palette runs on to the last step, the
// loss falls (CALL STACK, the Debug Console and the panel's loss curve say so), and Save Trained Weights… writes
// a new .safetensors file whose weights are near 2 and 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorLines, answerSaveDialog, examplesDir, notification, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackRows, callStackTop, clickGutter, editorTitleButton, panelFrame, sessionState, variableRow } from '../lib/layerstep.mjs';

const model = 'linear-regression/untrained.json';
const STEPS = 30;

/** 1-based line of the first line of the model file containing `needle`. */
function lineOf(needle) {
  const i = readFileSync(join(examplesDir, model), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${model} has no line with ${needle}`);
  return i + 1;
}

/** The top frame of CALL STACK when its name starts with `name` (so `line (dense)` is not `∂line (dense)`). */
const topFrame = (page, name) => callStackTop(page, new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

/** The loss in a finished run's state (`Training finished: 30 steps · loss 0.000277283`), once CALL STACK shows it. */
async function finishedLoss(page, steps) {
  const state = sessionState(page, `Training finished: ${steps} ${steps === 1 ? 'step' : 'steps'} · loss `);
  await state.waitFor({ timeout: 60_000 });
  const m = /Training finished: \d+ steps? · loss (\S+)/.exec(await state.innerText());
  if (!m) throw new Error(`CALL STACK reads '${await state.innerText()}'`);
  return Number(m[1]);
}

/**
 * Clicks a button that starts a debug session, again if no session started: on a loaded machine a click on the
 * editor title can land while its toolbar is drawn again, and is lost. A session that did start shows the debug
 * toolbar within seconds, long before its model is loaded, so a second click never starts a second session.
 */
async function clickToStart(page, button) {
  const toolbar = page.locator('.debug-toolbar');
  for (let attempt = 1; ; attempt++) {
    await button.click();
    try {
      await toolbar.waitFor({ timeout: 15_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`    (no session started after clicking ${await button.getAttribute('aria-label')}; clicking again)`);
    }
  }
}

/** The keys and float32 values of a safetensors file. */
function readSafetensors(file) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const data = bytes.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    out[name] = Array.from(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  }
  return { metadata: header.__metadata__ ?? {}, tensors: out };
}

export const scenario = {
  // Two sessions, 31 training steps and a save on a 2-core machine: more than the default 120 s may be needed.
  timeoutMs: 240_000,
  name: 'training linear-regression: Train stops on entry, a layer breakpoint stops forward and backward (∂line), Train N Steps lowers the loss, Save Trained Weights',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, model);
    await activeEditorLines(page).waitFor();

    // Train: one step, paused on entry at the step's frame; the thread and the state say which step.
    await clickToStart(page, editorTitleButton(page, 'Train Model'));
    await topFrame(page, 'step 1 (training step)').waitFor();
    await sessionState(page, 'Paused on entry · step 1 of 1').waitFor();
    await variableRow(page, /^target\s*=\s*float32\[9,1\]/).waitFor();
    // The debug toolbar offers Save Trained Weights in a training session.
    await page.locator('.debug-toolbar .action-label[aria-label^="Save Trained Weights"]').first().waitFor();
    await screenshot(page, 'train-entry');

    // A breakpoint on the layer's first line (the one a breakpoint inside it moves to): Continue stops in its
    // forward frame, then in its backward frame.
    await clickGutter(page, lineOf('"name": "line"') - 1);
    await runCommand(page, 'Debug: Continue');
    await topFrame(page, 'line (dense)').waitFor();
    await variableRow(page, /^x\s*=\s*float32\[9,1\]/).waitFor();
    await screenshot(page, 'forward-line');

    await runCommand(page, 'Debug: Continue');
    await topFrame(page, '∂line (dense)').waitFor();
    await callStackRows(page).filter({ hasText: '∂linear-regression (model)' }).first().waitFor();
    await callStackRows(page).filter({ hasText: 'step 1 (training step)' }).first().waitFor();
    await variableRow(page, /^∂loss\/∂y\s*=\s*float32\[9,1\]/).waitFor();
    await screenshot(page, 'backward-line');

    // Step Over: the backward layer returns ∂loss/∂ its weights; Step Out: the backward pass returns.
    await runCommand(page, 'Debug: Step Over');
    await topFrame(page, '∂line (dense) ↩ return').waitFor();
    await variableRow(page, /^∂loss\/∂line\.kernel\s*=\s*float32\[1,1\]/).waitFor();
    await runCommand(page, 'Debug: Step Out');
    await topFrame(page, '∂linear-regression (model) ↩ return').waitFor();
    await screenshot(page, 'backward-returned');

    // Continue: the update, and the end of the one step with its loss.
    await runCommand(page, 'Debug: Continue');
    const first = await finishedLoss(page, 1);
    if (!(first > 1)) throw new Error(`the untrained line's loss should be large, got ${first}`);
    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });

    // Train N Steps… from the palette, with the breakpoint disabled in BREAKPOINTS: the input box offers the file's hint (60).
    const checkbox = page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'untrained.json' }).first().locator('input[type="checkbox"]');
    await checkbox.uncheck();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await runCommand(page, 'Layerstep: Train N Steps…', { until: page.locator('.quick-input-widget', { hasText: 'How many training steps' }) });
    const offered = await input.inputValue();
    if (offered !== '60') throw new Error(`Train N Steps… should offer the file's training.steps (60), offered '${offered}'`);
    await input.fill('0');
    await page.locator('.quick-input-widget', { hasText: 'Train at least 1 step.' }).waitFor();
    await input.fill(String(STEPS));
    await input.press('Enter');
    const last = await finishedLoss(page, STEPS);
    if (!(last < first / 1000)) throw new Error(`${STEPS} steps should lower the loss a thousandfold: step 1 ${first}, step ${STEPS} ${last}`);

    // The Debug Console has a line per step; the panel's curve has every step.
    await runCommand(page, 'Debug Console: Focus on Debug Console View');
    await page.locator('.repl .monaco-list-row', { hasText: `step ${STEPS} loss ` }).first().waitFor();
    const curve = (await panelFrame(page)).locator(`svg.loss-curve[data-step="${STEPS}"]`);
    await curve.waitFor();
    const drawn = Number(await curve.getAttribute('data-last-loss'));
    if (Math.abs(drawn - last) > 1e-6 * Math.max(1, Math.abs(last)) + 1e-9) throw new Error(`the panel's curve ends at ${drawn}, CALL STACK says ${last}`);
    await screenshot(page, 'trained-30');

    // Save Trained Weights…: the save dialog (VS Code's simple one in a browser) takes a new file's path.
    const file = join(server.dir, `trained-${Date.now()}.safetensors`);
    await runCommand(page, 'Layerstep: Save Trained Weights…', { until: page.locator('.quick-input-widget', { hasText: 'training steps left them' }) });
    await answerSaveDialog(page, 'training steps left them', file, { defaultName: 'linear-regression-trained.safetensors' });
    await notification(page, 'wrote 2 weights, as 30 training steps left them').waitFor();
    const saved = readSafetensors(file);
    const kernel = saved.tensors['line.kernel']?.[0];
    const bias = saved.tensors['line.bias']?.[0];
    if (!(Math.abs(kernel - 2) < 0.05 && Math.abs(bias - 1) < 0.05)) throw new Error(`the trained line should be near y = 2x + 1, got kernel ${kernel}, bias ${bias}`);
    if (saved.metadata.steps !== String(STEPS) || saved.metadata.trainedFrom !== 'untrained.json') throw new Error(`metadata: ${JSON.stringify(saved.metadata)}`);
    await screenshot(page, 'saved');

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
