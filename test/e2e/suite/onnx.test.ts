// ONNX and image inputs in the real extension host: the `.onnx` summary editor (a custom editor), a debug session
// on an .onnx file stopping at function breakpoints (by name, and by id from the sidebar), and a PNG input with
// preprocessing from the launch configuration.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { LayerstepApi } from '../../../src/extension';
import { encodePng, noise } from '../../unit/loaders/pngEncoder';
import { api, exampleUri, extensionRoot, launchConfig, SessionRecorder, waitFor } from './helpers';

const SUMMARY_VIEW_TYPE = 'layerstep.onnxSummary';

/** The custom editor of the active tab, if the active tab is one. */
function activeCustomEditor(): { viewType: string; uri: vscode.Uri } | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? { viewType: input.viewType, uri: input.uri } : undefined;
}

suite('ONNX models and image inputs', () => {
  const onnxModel = exampleUri('onnx-encoder/model.onnx');
  let ext: LayerstepApi;
  let recorder: SessionRecorder;
  let dir: string;

  suiteSetup(async () => {
    ext = await api();
    recorder = new SessionRecorder();
    dir = mkdtempSync(join(tmpdir(), 'layerstep-e2e-'));
  });

  teardown(async () => {
    await recorder.stopAll();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(() => {
    recorder?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an .onnx file opens in the summary editor, which loads the model for the sidebar', async () => {
    await vscode.commands.executeCommand('vscode.open', onnxModel);
    const editor = await waitFor('the summary editor to be the active tab', () => activeCustomEditor());
    assert.equal(editor.viewType, SUMMARY_VIEW_TYPE);
    assert.equal(editor.uri.fsPath, onnxModel.fsPath);
    // Once loaded, the active summary editor hands its model to the Layerstep sidebar.
    await waitFor('the sidebar to show the ONNX model', () => ext.modelTree.model?.uri.fsPath === onnxModel.fsPath);
    const outline = ext.modelTree.model!.outline;
    assert.equal(outline.format, 'onnx');
    assert.deepEqual(outline.metadata?.opsets, { '': 17 });
    assert.equal(outline.metadata?.producer, 'layerstep make-onnx-example 1');
    assert.ok(ext.modelTree.itemFor('encoder/layer.0/attn'), 'the tree has no item encoder/layer.0/attn');
  });

  test('an .onnx file that VS Code opened as text is reopened in the summary editor', async () => {
    // A copy, so no earlier test has had this file opened already.
    const copy = vscode.Uri.file(join(dir, 'as-text.onnx'));
    await vscode.workspace.fs.copy(onnxModel, copy, { overwrite: true });
    await vscode.window.showTextDocument(copy, { preview: false });
    await waitFor('the summary editor in place of the text editor', () => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
        (t.input instanceof vscode.TabInputText || t.input instanceof vscode.TabInputCustom) && t.input.uri.toString() === copy.toString());
      return tabs.length === 1 && tabs[0].input instanceof vscode.TabInputCustom && tabs[0].input.viewType === SUMMARY_VIEW_TYPE;
    });
  });

  test('Debug on the active summary editor stops at a function breakpoint, with frames nested by name scope', async () => {
    await vscode.commands.executeCommand('vscode.openWith', onnxModel, SUMMARY_VIEW_TYPE);
    await waitFor('the summary editor', () => activeCustomEditor()?.viewType === SUMMARY_VIEW_TYPE);
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('attn')]);
    // No argument: the command acts on the active summary editor's file.
    const run = await recorder.startWith('Debug onnx-encoder/model.onnx', () => vscode.commands.executeCommand('layerstep.debugModel'));
    const entry = await run.nextStop();
    assert.deepEqual([entry.reason, entry.stack[0].name], ['entry', 'onnx-encoder']);
    const stop = await run.step('continue');
    assert.equal(stop.reason, 'function breakpoint');
    assert.deepEqual(stop.stack.map((f) => f.itemId), ['encoder/layer.0/attn', 'encoder/layer.0', 'encoder', '']);
    const frames = await run.stackTrace();
    assert.deepEqual(frames.map((f) => f.name), ['attn (scope)', 'layer.0 (scope)', 'encoder (scope)', 'onnx-encoder (model)']);
    const scopes = await run.variables();
    assert.match(scopes.Inputs[0].value, /^float32\[1,6,16\] μ=/);
  });

  test('the sidebar toggle on an ONNX module adds a function breakpoint on its id, which stops the run there', async () => {
    await vscode.commands.executeCommand('vscode.openWith', onnxModel, SUMMARY_VIEW_TYPE);
    await waitFor('the sidebar to show the ONNX model', () => ext.modelTree.model?.uri.fsPath === onnxModel.fsPath);
    const mlp = ext.modelTree.itemFor('encoder/layer.1/mlp');
    assert.ok(mlp, 'the tree has no item encoder/layer.1/mlp');
    await vscode.commands.executeCommand('layerstep.toggleBreakpoint', mlp);
    const bps = vscode.debug.breakpoints.filter((b): b is vscode.FunctionBreakpoint => b instanceof vscode.FunctionBreakpoint);
    assert.deepEqual(bps.map((b) => b.functionName), ['encoder/layer.1/mlp']);
    const run = await recorder.start(launchConfig(onnxModel, 'e2e: onnx sidebar breakpoint', { stopOnEntry: false }));
    const stop = await run.nextStop();
    assert.deepEqual([stop.reason, stop.stack[0].itemId], ['function breakpoint', 'encoder/layer.1/mlp']);
    await vscode.commands.executeCommand('layerstep.toggleBreakpoint', mlp);
    assert.equal(vscode.debug.breakpoints.length, 0);
  });

  test('Debug on a TF.js model.json in the text editor stops at a function breakpoint, the frame at its layer in the file', async () => {
    const tfjs = vscode.Uri.file(join(extensionRoot(), 'test', 'fixtures', 'tfjs', 'mlp', 'model.json'));
    await vscode.window.showTextDocument(tfjs);
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('probs')]);
    const run = await recorder.startWith('Debug mlp/model.json', () => vscode.commands.executeCommand('layerstep.debugModel'));
    await run.nextStop();
    const stop = await run.step('continue');
    assert.deepEqual([stop.reason, stop.stack[0].name], ['function breakpoint', 'probs']);
    const [top] = await run.stackTrace();
    assert.ok(top.source?.path?.endsWith(tfjs.path), `the frame's source is ${top.source?.path}`);
    // The fixture is written on one line, as the TF.js converter writes it; the layer starts further along it.
    assert.equal(top.line, 1);
    assert.ok((top as { column?: number }).column! > 1, 'the frame starts at its layer, not at the start of the file');
  });

  test('a PNG input is resized and normalised as the launch configuration says', async () => {
    const png = join(dir, 'digit.png');
    writeFileSync(png, encodePng({ width: 56, height: 40, colorType: 2, samples: noise(56 * 40 * 3, 5) }));
    const cnn = exampleUri('small-cnn/model.json');
    const run = await recorder.start(launchConfig(cnn, 'e2e: png input', {
      input: png, preprocess: { size: [28, 28], channels: 1, scale: '1/255', mean: 0.5, std: 0.5 },
    }));
    await run.nextStop();
    const scopes = await run.variables();
    const x = scopes.Inputs[0].value;
    assert.match(x, /^float32\[1,1,28,28\] μ=\S+ σ=\S+ \[(\S+), (\S+)\]/);
    const [, lo, hi] = /\[(\S+), (\S+)\]/.exec(x)!;
    assert.ok(Number(lo) >= -1 && Number(hi) <= 1, `(x/255 - 0.5) / 0.5 lies in [-1, 1], got [${lo}, ${hi}]`);
  });

  test('a bad preprocess attribute fails the launch with a sentence naming the field', async () => {
    const png = join(dir, 'digit.png');
    writeFileSync(png, encodePng({ width: 28, height: 28, colorType: 0, samples: new Uint8Array(28 * 28) }));
    // VS Code shows a failed launch's message in a modal dialog; under test it refuses dialogs and
    // startDebugging rejects with the dialog's text instead, which is what the user would read.
    const name = 'e2e: bad preprocess';
    const errors: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('layerstep', {
      createDebugAdapterTracker: (session) => (session.name !== name ? undefined : {
        onDidSendMessage: (m: { type: string; success?: boolean; command?: string; message?: string }) => {
          if (m.type === 'response' && m.success === false) errors.push(`${m.command}: ${m.message}`);
        },
      }),
    });
    try {
      const config = launchConfig(exampleUri('small-cnn/model.json'), name, { input: png, preprocess: { channels: 2 } });
      await vscode.debug.startDebugging(undefined, config).then(() => undefined, () => undefined);
      const launchError = await waitFor('the launch error', () => errors.find((e) => e.startsWith('launch:')));
      assert.equal(launchError, 'launch: preprocess.channels must be 1 (grayscale) or 3 (RGB), got 2.');
      await waitFor('no active debug session', () => vscode.debug.activeDebugSession === undefined);
    } finally {
      tracker.dispose();
    }
  });
});
