// What-if edits and compared runs through the extension's commands, in a real session: the sidebar's weight
// edits, Revert Edits, Save Edited Weights… (the file read back with the project's safetensors reader and checked
// against the model's own weights file with the edit made by hand), and Compare With… with the tolerance setting.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { LayerstepApi } from '../../../src/extension';
import type { ModelItem } from '../../../src/host/modelTree';
import { decodeSafetensors } from '../../../src/loaders/safetensors';
import type { DebugRun } from './helpers';
import { api, exampleUri, launchConfig, SessionRecorder, waitFor } from './helpers';

const label = (t: vscode.TreeItem) => (typeof t.label === 'string' ? t.label : t.label?.label ?? '');

suite('what-if edits and compared runs', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  const weightsFile = path.join(path.dirname(mnist.fsPath), 'weights.safetensors');
  let ext: LayerstepApi;
  let recorder: SessionRecorder;
  let scratch: string;
  /** The model's weights as shipped, read with the safetensors reader: the oracle the edits are made on by hand. */
  let shipped: Map<string, Float32Array>;

  suiteSetup(async () => {
    ext = await api();
    recorder = new SessionRecorder();
    scratch = mkdtempSync(path.join(tmpdir(), 'layerstep-whatif-'));
    const { tensors } = decodeSafetensors(readFileSync(weightsFile), { file: 'weights.safetensors', maxBytes: 1 << 26 });
    shipped = new Map([...tensors].map(([k, t]) => [k, t.data as Float32Array]));
  });

  teardown(async () => {
    await recorder.stopAll();
    await vscode.workspace.getConfiguration('layerstep').update('divergenceTolerance', undefined, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(() => {
    recorder?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The sidebar's row of a layer's weight, once the sidebar shows mnist-mlp (it follows the session's model). */
  async function weightRow(layer: string, role: string): Promise<{ item: ModelItem; tree: () => vscode.TreeItem }> {
    await waitFor('the sidebar to show mnist-mlp', () => ext.modelTree.model?.uri.fsPath === mnist.fsPath);
    const [root] = await ext.modelTree.getChildren();
    const layerItem = (await ext.modelTree.getChildren(root)).find((i) => label(ext.modelTree.getTreeItem(i)) === layer);
    assert.ok(layerItem, `no layer ${layer} in the sidebar`);
    const item = (await ext.modelTree.getChildren(layerItem)).find((i) => i.kind === 'weight' && i.weight.role === role);
    assert.ok(item, `no weight ${role} under ${layer}`);
    return { item, tree: () => ext.modelTree.getTreeItem(item) as vscode.TreeItem };
  }

  /** A finished run of mnist-mlp on its first example, `a seven`. */
  async function finishedRun(name: string): Promise<DebugRun> {
    const run = await recorder.start(launchConfig(mnist, name, { stopOnEntry: false }));
    assert.equal((await run.nextStop()).reason, 'end');
    return run;
  }

  test('Edit Weight Element… from the sidebar changes the run, marks the weight, saves as a file, and Revert Edits undoes it', async () => {
    const run = await finishedRun('e2e: edit a bias');
    assert.equal((await run.evaluate('argmax(output)')).result, '7');
    const bias = await weightRow('out', 'bias');
    assert.doesNotMatch(String(bias.tree().description), /edited/);

    // A bias of 100 on class 3 outweighs every other logit (they stay within tens): the run now reads a 3.
    assert.equal(await vscode.commands.executeCommand('layerstep.editWeightElement', bias.item, '3 = 100'), true);
    const edited = await run.nextStop();
    assert.equal(edited.edits, 1);
    assert.equal((await run.evaluate('argmax(output)')).result, '3');
    await waitFor('the sidebar to mark out.bias edited', () => /^✎ edited · float32\[10\]/.test(String(bias.tree().description)));
    assert.doesNotMatch(String((await weightRow('out', 'kernel')).tree().description), /edited/);

    // Save Edited Weights…: every weight as shipped except the one element.
    const target = vscode.Uri.file(path.join(scratch, 'mnist-edited.safetensors'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('layerstep.saveEditedWeights', target);
    assert.equal(written?.fsPath, target.fsPath);
    const saved = decodeSafetensors(readFileSync(target.fsPath), { file: 'mnist-edited.safetensors', maxBytes: 1 << 26 });
    assert.deepEqual([...saved.tensors.keys()].sort(), [...shipped.keys()].sort());
    for (const [name, values] of shipped) {
      const expected = Float32Array.from(values);
      if (name === 'out.bias') expected[3] = 100;
      assert.deepEqual(saved.tensors.get(name)?.data, expected, name);
    }
    assert.deepEqual(JSON.parse(saved.metadata['layerstep.edits']), ["weight('out.bias')[3] = 100"]);

    // Revert Edits: the run reads a 7 again, and the mark goes.
    assert.equal(await vscode.commands.executeCommand('layerstep.revertEdits'), true);
    const reverted = await run.nextStop();
    assert.ok(!reverted.edits, `edits after Revert: ${reverted.edits}`);
    assert.equal((await run.evaluate('argmax(output)')).result, '7');
    await waitFor('the sidebar to drop the mark', () => !/edited/.test(String(bias.tree().description)));

    // With nothing edited there is nothing to save, and nothing to revert.
    const again = vscode.Uri.file(path.join(scratch, 'nothing.safetensors'));
    assert.equal(await vscode.commands.executeCommand('layerstep.saveEditedWeights', again), undefined);
    assert.equal(existsSync(again.fsPath), false);
    assert.equal(await vscode.commands.executeCommand('layerstep.revertEdits'), false);
  });

  test('the saved file serves as a model\'s weights: Compare With… that model stops where the edit first shows', async () => {
    const run = await finishedRun('e2e: save for a copy');
    await run.session.customRequest('layerstep', { method: 'assign', params: { expression: "weight('hidden2.bias')[5] += 3" } });
    assert.equal((await run.nextStop()).edits, 1);
    const saved = await vscode.commands.executeCommand<vscode.Uri>('layerstep.saveEditedWeights', vscode.Uri.file(path.join(scratch, 'copy-weights.safetensors')));
    assert.ok(saved);
    await recorder.stopAll();
    // A copy of model.json that reads the saved file.
    const copy = path.join(scratch, 'model.json');
    const text = readFileSync(mnist.fsPath, 'utf8');
    assert.ok(text.includes('"weightsFile": "weights.safetensors"'));
    writeFileSync(copy, text.replace('"weightsFile": "weights.safetensors"', '"weightsFile": "copy-weights.safetensors"'));

    const compared = await recorder.startWith('Compare mnist-mlp/model.json with model.json',
      () => vscode.commands.executeCommand('layerstep.compareWith', mnist, { model: copy }));
    const stop = await compared.nextStop();
    // Everything up to hidden2's bias agrees; its add is where the copy's edited bias first shows.
    assert.equal(stop.exception?.filter, 'diverged', `stopped for ${stop.reason}: ${stop.description}`);
    assert.deepEqual(stop.stack.map((f) => f.name), ['add', 'hidden2', 'mnist-mlp']);
    assert.match(stop.exception?.message ?? '', /'hidden2\/add:0'.*max abs 3\b/);
  });

  test('Scale Weight… by 0 leaves the softmax of the bias, as computed by hand', async () => {
    const run = await finishedRun('e2e: scale a kernel');
    const kernel = await weightRow('out', 'kernel');
    assert.equal(await vscode.commands.executeCommand('layerstep.scaleWeight', kernel.item, '0'), true);
    assert.equal((await run.nextStop()).edits, 1);
    const b = Array.from(shipped.get('out.bias') as Float32Array);
    const exp = b.map((v) => Math.exp(v - Math.max(...b)));
    const softmax = exp.map((v) => v / exp.reduce((s, x) => s + x, 0));
    assert.equal((await run.evaluate('argmax(output)')).result, String(softmax.indexOf(Math.max(...softmax))));
    // The Debug Console shows 4 significant digits.
    for (const [i, p] of softmax.entries()) {
      const shown = Number((await run.evaluate(`output[0, ${i}]`)).result);
      assert.ok(Math.abs(shown - p) <= 5e-4 * p, `output[0, ${i}] = ${shown}, by hand ${p}`);
    }
    await waitFor('the sidebar to mark out.kernel edited', () => /^✎ edited · float32\[64×10\]/.test(String(kernel.tree().description)));
  });

  test('the sidebar edit commands refuse bad text, and a model without a session', async () => {
    const run = await finishedRun('e2e: refusals');
    const bias = await weightRow('out', 'bias');
    assert.equal(await vscode.commands.executeCommand('layerstep.editWeightElement', bias.item, '10 = 1'), false);
    assert.equal(await vscode.commands.executeCommand('layerstep.scaleWeight', bias.item, 'twice'), false);
    await recorder.stopAll();
    assert.ok(run.terminated);
    assert.equal(await vscode.commands.executeCommand('layerstep.scaleWeight', bias.item, '2'), false);
    assert.equal(await vscode.commands.executeCommand('layerstep.saveEditedWeights', vscode.Uri.file(path.join(scratch, 'x.safetensors'))), undefined);
  });

  test('Compare With… another input: a second thread, the setting\'s tolerance, and the Diverged stop at the first op', async () => {
    const run = await recorder.startWith('Compare mnist-mlp/model.json with a three',
      () => vscode.commands.executeCommand('layerstep.compareWith', mnist, { input: 'a three' }));
    assert.equal(run.session.configuration.compareInput, 'a three');
    assert.equal(run.session.configuration.tolerance, '1e-4,1e-3');
    const stop = await run.nextStop();
    // The model inputs differ by design; the first op that reads them is where the runs part.
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.exception?.filter, 'diverged');
    assert.deepEqual([stop.point, stop.stack.map((f) => f.name)], ['return', ['matmul', 'hidden1', 'mnist-mlp']]);
    assert.equal(stop.stack[0].divergence?.diverged, true);
    const { threads } = await run.session.customRequest('threads') as { threads: { id: number; name: string }[] };
    assert.equal(threads.length, 2);
    assert.match(threads[1].name, /^compared with .*a three/);
    const scopes = await run.variables();
    assert.match(scopes.Divergence[0].value, /diverged$/);
  });

  test('Compare With… takes its tolerance from layerstep.divergenceTolerance: with a huge one nothing diverges', async () => {
    await vscode.workspace.getConfiguration('layerstep').update('divergenceTolerance', '1e9,0', vscode.ConfigurationTarget.Global);
    const run = await recorder.startWith('Compare mnist-mlp/model.json with random',
      () => vscode.commands.executeCommand('layerstep.compareWith', mnist, { input: 'random' }));
    assert.equal(run.session.configuration.tolerance, '1e9,0');
    assert.equal((await run.nextStop()).reason, 'end');
  });
});
