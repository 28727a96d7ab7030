// The contributed commands, run the way the editor title buttons and the palette run them.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import { api, exampleUri, extensionId, SessionRecorder, waitFor } from './helpers';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
  };
}

suite('commands', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  let recorder: SessionRecorder;

  suiteSetup(async () => {
    await api();
    recorder = new SessionRecorder();
  });

  teardown(async () => {
    await recorder.stopAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(() => recorder?.dispose());

  test('every contributed command is registered, and every menu names a contributed command', async () => {
    const manifest = vscode.extensions.getExtension(extensionId)?.packageJSON as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 7);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
    const inMenus = Object.values(manifest.contributes.menus).flat().map((m) => m.command);
    assert.deepEqual(inMenus.filter((c) => !contributed.includes(c)), [], 'in a menu but not contributed');
  });

  test('Run Model runs the forward pass to the end', async () => {
    const run = await recorder.startWith('Run mnist-mlp/model.json', () => vscode.commands.executeCommand('layerstep.runModel', mnist));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'end');
    assert.equal(stop.finished, true);
    const dap = await run.lastDapStop();
    assert.equal(dap.description, 'Forward pass finished');
    // Finished, the session stays to be read: the whole pass is recorded.
    assert.equal(stop.stack[0].name, 'mnist-mlp');
    assert.equal(stop.recorded, stop.index + 1);
  });

  test('Debug Model on the model in the active editor stops on entry', async () => {
    await vscode.window.showTextDocument(mnist);
    const run = await recorder.startWith('Debug mnist-mlp/model.json', () => vscode.commands.executeCommand('layerstep.debugModel'));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'entry');
  });

  test('Run Model with no model open says so and starts nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const started = await vscode.commands.executeCommand('layerstep.runModel');
    assert.equal(started, false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });

  test('Show Panel opens the Layerstep panel once', async () => {
    const panels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('layerstep.panel'));
    await vscode.commands.executeCommand('layerstep.showPanel');
    await waitFor('the panel tab', () => panels().length === 1);
    await vscode.commands.executeCommand('layerstep.showPanel');
    assert.equal(panels().length, 1);
    assert.equal(panels()[0].label, 'Layerstep');
  });

  test('the launch input attribute picks an example by name, or random values', async () => {
    const argmaxOf = async (input: string, name: string) => {
      const run = await recorder.start({ type: 'layerstep', request: 'launch', name, model: mnist.fsPath, input, stopOnEntry: false });
      assert.equal((await run.nextStop()).reason, 'end');
      const result = (await run.evaluate('argmax(output)')).result;
      await recorder.stopAll();
      return result;
    };
    // The examples are drawn digits the model was trained to read.
    assert.equal(await argmaxOf('a three', 'e2e: input a three'), '3');
    assert.equal(await argmaxOf('a zero', 'e2e: input a zero'), '0');
    assert.match(await argmaxOf('random', 'e2e: input random'), /^\d$/);
  });
});
