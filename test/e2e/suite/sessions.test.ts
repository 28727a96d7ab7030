// Sessions behave like VS Code's own: starting a model again replaces its finished session, the session that
// stops is the one CALL STACK focuses (so the toolbar's Step Into acts on it), each session says whether it is
// paused or finished, and the toolbar's Restart runs the same input again in the same session.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { DebugRun } from './helpers';
import { api, exampleUri, launchConfig, SessionRecorder, waitFor } from './helpers';

suite('sessions', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  let recorder: SessionRecorder;

  suiteSetup(async () => {
    await api();
    recorder = new SessionRecorder();
  });

  teardown(() => recorder.stopAll());
  suiteTeardown(() => recorder?.dispose());

  /** Presses a button of the debug toolbar (it acts on the focused session) and waits for `run` to stop. */
  async function press(run: DebugRun, command: string) {
    await vscode.commands.executeCommand(command);
    return run.nextStop();
  }

  test('Run, then Debug, then Step Into twice: the first layer, in the focused session', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(mnist);
    const run = await recorder.startWith('Run mnist-mlp/model.json', () => vscode.commands.executeCommand('layerstep.runModel', mnist));
    const end = await run.nextStop();
    assert.equal(end.reason, 'end');
    assert.equal((await run.lastDapStop()).description, 'Forward pass finished');
    // The finished Run stays open for browsing until the model is started again.
    assert.equal(run.terminated, false);

    const debug = await recorder.startWith('Debug mnist-mlp/model.json', () => vscode.commands.executeCommand('layerstep.debugModel', mnist));
    await waitFor('the finished Run to be replaced', () => run.terminated);
    assert.equal((await debug.nextStop()).reason, 'entry');
    assert.equal((await debug.lastDapStop()).description, 'Paused on entry');
    await waitFor('the Debug session to be focused', () => vscode.debug.activeDebugSession?.id === debug.session.id);

    await press(debug, 'workbench.action.debug.stepInto');
    const second = await press(debug, 'workbench.action.debug.stepInto');
    assert.deepEqual(second.stack.map((f) => f.name), ['matmul', 'hidden1', 'mnist-mlp']);
    assert.equal((await debug.lastDapStop()).description, 'Paused at call of matmul');
    const frames = await debug.stackTrace();
    assert.deepEqual(frames.map((f) => f.name), ['matmul', 'hidden1 (dense)', 'mnist-mlp (model)']);
    await waitFor('CALL STACK to focus the top frame of the Debug session', () => {
      const item = vscode.debug.activeStackItem;
      return item instanceof vscode.DebugStackFrame && item.session.id === debug.session.id && item.frameId === frames[0].id;
    });
    assert.equal(vscode.debug.activeDebugSession?.id, debug.session.id);
  });

  test('a paused session is not replaced: a second Debug runs beside it and is focused when it stops', async () => {
    const first = await recorder.start(launchConfig(mnist, 'e2e: first'));
    assert.equal((await first.nextStop()).reason, 'entry');
    const second = await recorder.start(launchConfig(mnist, 'e2e: second'));
    assert.equal((await second.nextStop()).reason, 'entry');
    assert.equal(first.terminated, false);
    await waitFor('the second session to be focused', () => vscode.debug.activeDebugSession?.id === second.session.id);
    const stop = await press(second, 'workbench.action.debug.stepInto');
    assert.deepEqual(stop.stack.map((f) => f.name), ['hidden1', 'mnist-mlp']);
    assert.equal(first.stops.length, 1, 'the first session did not move');
    // The first session let go of the focus without moving: it is still paused on entry.
    assert.deepEqual((await first.stackTrace()).map((f) => f.name), ['mnist-mlp (model)']);
    assert.equal(first.terminated, false);
  });

  test('Restart runs the same input again from the start, in the same session, with its breakpoints', async () => {
    const run = await recorder.start(launchConfig(mnist, 'e2e: restart', { input: 'random', seed: 7 }));
    assert.equal((await run.nextStop()).reason, 'entry');
    const before = (await run.evaluate('x')).result;
    await run.step('stepIn');
    await run.step('stepIn');
    const restarted = await press(run, 'workbench.action.debug.restart');
    assert.equal(restarted.reason, 'entry');
    assert.equal(restarted.index, 0);
    assert.equal(run.terminated, false);
    assert.equal(vscode.debug.activeDebugSession?.id, run.session.id);
    assert.equal((await run.evaluate('x')).result, before);
    assert.match(before, /^float32\[1,784\]/);
  });
});
