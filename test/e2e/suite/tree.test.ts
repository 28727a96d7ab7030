// The Layerstep sidebar's Model view (`layerstep.model`), read through the provider VS Code itself calls.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { LayerstepApi } from '../../../src/extension';
import type { ModelItem } from '../../../src/host/modelTree';
import { api, exampleUri, fixtureUri, launchConfig, lineOf, SessionRecorder, waitFor } from './helpers';

const label = (t: vscode.TreeItem) => (typeof t.label === 'string' ? t.label : t.label?.label ?? '');

suite('model tree', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  let ext: LayerstepApi;
  let recorder: SessionRecorder;

  const rows = async (item?: ModelItem) => {
    const children = await ext.modelTree.getChildren(item);
    return (children ?? []).map((c) => ({ item: c, tree: ext.modelTree.getTreeItem(c) as vscode.TreeItem }));
  };
  const child = async (item: ModelItem | undefined, name: string) => {
    const found = (await rows(item)).find((r) => label(r.tree) === name);
    assert.ok(found, `no row '${name}' under ${item ? 'the item' : 'the root'}`);
    return found;
  };

  /** Opens a model in an editor and waits until the view shows it (or its error). */
  const open = async (uri: vscode.Uri) => {
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('layerstep.refreshModel');
  };

  suiteSetup(async () => {
    ext = await api();
    recorder = new SessionRecorder();
  });

  teardown(async () => {
    await recorder.stopAll();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(() => recorder?.dispose());

  test('lists the modules, ops and weights of the model in the active editor', async () => {
    await open(mnist);
    assert.equal(ext.modelTree.model?.uri.fsPath, mnist.fsPath);
    const [root] = await rows();
    assert.equal(label(root.tree), 'mnist-mlp');
    assert.equal(root.tree.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.deepEqual((await rows(root.item)).map((r) => label(r.tree)), ['hidden1', 'hidden2', 'out']);

    const hidden1 = await child(root.item, 'hidden1');
    assert.equal(hidden1.tree.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(String(hidden1.tree.description), /^dense · 100K params → \[1×128\]$/);
    const inside = await rows(hidden1.item);
    assert.deepEqual(inside.map((r) => label(r.tree)), ['kernel', 'bias', 'matmul', 'add', 'relu']);
    const kernel = inside[0].tree;
    assert.equal(kernel.contextValue, 'weight');
    assert.match(String(kernel.description), /^float32\[784×128\]\s+100K$/);
    assert.deepEqual(kernel.command?.command, 'layerstep.showWeight');
    assert.deepEqual(kernel.command?.arguments, ['hidden1.kernel', 'kernel']);

    // A layer row opens its line in model.json.
    const hidden2 = await child(root.item, 'hidden2');
    const line = (hidden2.tree.command?.arguments?.[1] as { selection: vscode.Range }).selection.start.line + 1;
    const nameLine = lineOf(readFileSync(mnist.fsPath, 'utf8'), '"name": "hidden2"');
    assert.ok(line === nameLine || line === nameLine - 1, `hidden2's row opens line ${line}, its name is on ${nameLine}`);
  });

  test('the inline breakpoint action on a layer toggles a breakpoint on its line', async () => {
    await open(mnist);
    const [root] = await rows();
    const hidden2 = await child(root.item, 'hidden2');
    await vscode.commands.executeCommand('layerstep.toggleBreakpoint', hidden2.item);
    const bps = vscode.debug.breakpoints.filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint);
    assert.equal(bps.length, 1);
    assert.equal(bps[0].location.uri.fsPath, mnist.fsPath);
    const run = await recorder.start(launchConfig(mnist, 'e2e: tree breakpoint', { stopOnEntry: false }));
    const stop = await run.nextStop();
    assert.deepEqual([stop.reason, stop.stack[0].name], ['breakpoint', 'hidden2']);
    await vscode.commands.executeCommand('layerstep.toggleBreakpoint', hidden2.item);
    assert.equal(vscode.debug.breakpoints.length, 0);
  });

  test('a model that does not load leaves the view empty with its error as the message', async () => {
    await open(fixtureUri('broken-shape.json'));
    await waitFor('the view message', () => ext.modelView.message);
    assert.match(ext.modelView.message ?? '', /proj/);
    assert.deepEqual(await rows(), []);
    // Back to a good model: the message goes, the rows come back.
    await open(mnist);
    assert.equal(ext.modelView.message, undefined);
    assert.equal((await rows()).length, 1);
  });

  test('follows a debug session: the model of the session and the item of its top frame', async () => {
    const run = await recorder.start(launchConfig(exampleUri('xor/model.json'), 'e2e: tree follows'));
    await run.nextStop();
    const stop = await run.step('stepIn');
    await waitFor('the tree to show xor', () => ext.modelTree.model?.outline.name === 'xor');
    const item = ext.modelTree.itemFor(stop.stack[0].itemId);
    assert.ok(item, `no tree item for ${stop.stack[0].itemId}`);
    assert.equal(label(ext.modelTree.getTreeItem(item) as vscode.TreeItem), 'hidden');
  });
});
