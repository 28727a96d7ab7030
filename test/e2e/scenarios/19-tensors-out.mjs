// Tensors out of a mnist-mlp session: Save Tensor As… in VARIABLES' context menu writes the input x as .npy and
// hidden1's kernel as a .png picture; Copy Value puts the values themselves on the clipboard (not the summary);
// the panel's Save… on hidden1's output writes tensor JSON. Every file is read back and checked against the
// clipboard's values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import {
  activeEditorLines, answerSaveDialog, chooseFromContextMenu, examplesDir, notification, openFromExplorer, openWorkbench, runCommand, screenshot,
} from '../lib/index.mjs';
import { callStackTop, clickGutter, editorTitleButton, panel, variableRow } from '../lib/layerstep.mjs';

const model = 'mnist-mlp/model.json';

/** 1-based line of the first line of the model file containing `needle`. */
function lineOf(needle) {
  const i = readFileSync(join(examplesDir, model), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${model} has no line with ${needle}`);
  return i + 1;
}

/** Shape and float32 values of a version 1 `.npy` file. */
function readNpy(file) {
  const b = readFileSync(file);
  if (b.subarray(1, 6).toString('latin1') !== 'NUMPY') throw new Error(`${file} is not a .npy file`);
  const len = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + len).toString('latin1');
  if (!header.includes("'descr': '<f4'")) throw new Error(`${file}: header ${header}`);
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const data = b.subarray(10 + len);
  return { shape, values: Array.from(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))) };
}

/** Width, height, colour type and the 8-bit samples of a non-interlaced PNG written with filter type 0. */
function readPng(file) {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file} is not a PNG`);
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const colorType = b[25];
  const idat = [];
  for (let at = 8; at < b.length;) {
    const n = b.readUInt32BE(at);
    if (b.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + n));
    at += 12 + n;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
  const samples = [];
  for (let y = 0; y < height; y++) {
    const row = y * (width * channels + 1);
    if (raw[row] !== 0) throw new Error(`${file}: row ${y} has filter ${raw[row]}`);
    samples.push(...raw.subarray(row + 1, row + 1 + width * channels));
  }
  return { width, height, colorType, samples };
}

/** Expands a scope of VARIABLES (`Inputs`, `Weights`) when it is folded. */
async function expandScope(page, name) {
  const row = page.locator('.debug-variables .monaco-list-row', { has: page.locator('.scope', { hasText: name }) }).first();
  await row.waitFor();
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
}

/** What Copy Value put on the clipboard, once it is not `before`. */
async function clipboardAfter(page, before) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await page.evaluate(() => navigator.clipboard.readText());
    if (text !== before) return text;
    if (Date.now() > deadline) throw new Error(`the clipboard still reads '${before.slice(0, 60)}'`);
    await page.waitForTimeout(100);
  }
}

/** Every value of `copied` equals the float32 in `values`. */
function sameValues(copied, values, what) {
  if (copied.length !== values.length) throw new Error(`${what}: ${copied.length} values copied, ${values.length} saved`);
  const i = copied.findIndex((v, k) => Math.fround(v) !== values[k]);
  if (i >= 0) throw new Error(`${what}: value ${i} is ${copied[i]} on the clipboard but ${values[i]} in the file`);
}

export const scenario = {
  name: 'tensors out of mnist-mlp: Save Tensor As… (.npy, .png) from VARIABLES, Copy Value copies values, the panel\'s Save… (.json)',
  timeoutMs: 180_000,
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await openFromExplorer(page, model);
    await activeEditorLines(page).waitFor();
    // The gutter takes breakpoints once the extension knows the file is a model (its Run button shows then). On a
    // loaded machine VS Code may give up searching the workspace for models, which activates the extension:
    // opening the Layerstep sidebar activates it too.
    await page.locator('.activitybar [aria-label^="Layerstep"]').first().click();
    await editorTitleButton(page, 'Debug Model').waitFor({ timeout: 60_000 });
    await clickGutter(page, lineOf('"name": "hidden1"'));

    // Debug to hidden1, then into it and out again: stopped at its return, its output is there.
    await editorTitleButton(page, 'Debug Model').click();
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    await runCommand(page, 'Debug: Continue');
    await callStackTop(page, 'hidden1 (dense)').waitFor();
    await runCommand(page, 'Debug: Step Into');
    await callStackTop(page, 'matmul').waitFor();
    await runCommand(page, 'Debug: Step Out');
    await callStackTop(page, 'hidden1 (dense) ↩ return').waitFor();
    // VARIABLES opens Outputs at a return stop; the rows stay put once both scopes show (a right-click on a row
    // that moves opens the menu of another one).
    const out = variableRow(page, /^hidden1\/relu:0\s*=\s*float32\[1,128\]/);
    await out.waitFor();
    await expandScope(page, 'Inputs');
    const x = variableRow(page, /^x\s*=\s*float32\[1,784\]/);
    await x.waitFor();
    await out.waitFor();

    // Copy Value on x: the 784 values, not the summary.
    await page.evaluate(() => navigator.clipboard.writeText('-'));
    await chooseFromContextMenu(page, x, 'Copy Value', { opened: () => screenshot(page, 'tensors-out-copy-value-menu') });
    const xText = await clipboardAfter(page, '-');
    if (!xText.startsWith('[[')) throw new Error(`Copy Value copied '${xText.slice(0, 80)}'`);
    const xCopied = JSON.parse(xText);

    // Save Tensor As… on x, as .npy.
    const npy = join(server.dir, `x-${Date.now()}.npy`);
    await chooseFromContextMenu(page, x, 'Save Tensor As…', { opened: () => screenshot(page, 'tensors-out-context-menu') });
    // The dialog opens in the model's folder with the tensor's name.
    await answerSaveDialog(page, 'Save x (float32[1,784])', npy, { defaultName: 'mnist-mlp/x.npy' });
    await notification(page, 'saved x (float32[1,784])').waitFor();
    const saved = readNpy(npy);
    if (saved.shape.join(',') !== '1,784') throw new Error(`the .npy holds shape (${saved.shape})`);
    sameValues(xCopied[0], saved.values, 'x');
    await screenshot(page, 'tensors-out-saved-npy');

    // Save Tensor As… on hidden1's kernel, as a .png: a 128 × 784 grayscale heatmap from its min to its max.
    await expandScope(page, 'Weights');
    const kernel = variableRow(page, /^kernel\s*=\s*float32\[784,128\]/);
    const png = join(server.dir, `kernel-${Date.now()}.png`);
    await chooseFromContextMenu(page, kernel, 'Save Tensor As…');
    await answerSaveDialog(page, 'Save hidden1.kernel (float32[784,128])', png, { defaultName: 'mnist-mlp/hidden1.kernel.npy' });
    await notification(page, 'saved hidden1.kernel').waitFor();
    const picture = readPng(png);
    if (picture.width !== 128 || picture.height !== 784 || picture.colorType !== 0) {
      throw new Error(`the kernel's picture is ${picture.width}×${picture.height}, colour type ${picture.colorType}`);
    }
    if (Math.min(...picture.samples) !== 0 || Math.max(...picture.samples) !== 255) throw new Error('the kernel\'s picture is not stretched to 0..255');

    // The panel's Save… on hidden1's output, as tensor JSON; it holds what Copy Value copies.
    await page.evaluate(() => navigator.clipboard.writeText('-'));
    await chooseFromContextMenu(page, out, 'Copy Value');
    const outCopied = JSON.parse(await clipboardAfter(page, '-'));
    const ui = panel(page);
    const button = ui.locator('.tensor-view[data-tensor-name="hidden1/relu:0"] .tensor-save-button').first();
    await button.waitFor();
    await button.scrollIntoViewIfNeeded();
    await button.hover();
    await screenshot(page, 'tensors-out-panel-save-button');
    const json = join(server.dir, `relu-${Date.now()}.json`);
    await button.click();
    await answerSaveDialog(page, 'Save hidden1/relu:0 (float32[1,128])', json, { defaultName: 'mnist-mlp/hidden1_relu_0.npy' });
    await notification(page, 'saved hidden1/relu:0').waitFor();
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    if (doc.shape.join(',') !== '1,128' || doc.dtype !== 'float32') throw new Error(`the .json holds ${JSON.stringify({ shape: doc.shape, dtype: doc.dtype })}`);
    sameValues(outCopied[0], doc.data.map((v) => Math.fround(v)), 'hidden1/relu:0');
    await screenshot(page, 'tensors-out-saved-json');

    await runCommand(page, 'Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};
