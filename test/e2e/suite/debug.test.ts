// The debug adapter as VS Code drives it: a session started with vscode.debug.startDebugging, stepped and read
// with the same DAP requests the CALL STACK, VARIABLES and DEBUG CONSOLE views send.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { VariableBody } from './helpers';
import { api, exampleUri, fixtureUri, launchConfig, lineOf, SessionRecorder, waitFor } from './helpers';

const summary = (shape: string) => new RegExp(`^float32\\[${shape}\\] μ=\\S+ σ=\\S+ \\[\\S+, \\S+\\]`);
const names = (vars: readonly VariableBody[]) => vars.map((v) => v.name);

suite('debug session', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  let mnistText = '';
  let recorder: SessionRecorder;

  suiteSetup(async () => {
    await api();
    recorder = new SessionRecorder();
    mnistText = readFileSync(mnist.fsPath, 'utf8');
  });

  teardown(async () => {
    await recorder.stopAll();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  suiteTeardown(() => recorder?.dispose());

  test('stops on entry at the model call, with one thread and a frame in model.json', async () => {
    const run = await recorder.start(launchConfig(mnist, 'e2e: entry'));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'entry');
    assert.equal(stop.point, 'call');
    assert.deepEqual(stop.stack.map((f) => f.name), ['mnist-mlp']);
    const dap = await run.lastDapStop();
    assert.equal(dap.reason, 'entry');
    assert.equal(dap.description, 'Paused on entry');

    const { threads } = await run.session.customRequest('threads') as { threads: { id: number; name: string }[] };
    assert.deepEqual(threads.map((t) => t.name), ['forward pass: mnist-mlp']);
    const frames = await run.stackTrace();
    assert.deepEqual(frames.map((f) => f.name), ['mnist-mlp (model)']);
    // In code-server the extension host is remote, so VS Code hands paths back as vscode-remote URIs.
    assert.ok(frames[0].source?.path?.endsWith(mnist.path), `the frame's source is ${frames[0].source?.path}`);
  });

  test('steps in, over, out and back through layers and ops, with tensor summaries in the scopes', async () => {
    const run = await recorder.start(launchConfig(mnist, 'e2e: stepping'));
    await run.nextStop();

    // Step in: the first layer's call, its line in model.json, its input and weights summarised.
    let stop = await run.step('stepIn');
    assert.deepEqual([stop.point, stop.stack[0].name], ['call', 'hidden1']);
    let frames = await run.stackTrace();
    assert.deepEqual(frames.map((f) => f.name), ['hidden1 (dense)', 'mnist-mlp (model)']);
    const nameLine = lineOf(mnistText, '"name": "hidden1"');
    assert.ok(frames[0].line === nameLine || frames[0].line === nameLine - 1, `hidden1's frame is on line ${frames[0].line}, its name on ${nameLine}`);
    let scopes = await run.variables();
    assert.deepEqual(Object.keys(scopes), ['Inputs', 'Outputs', 'Weights', 'Attributes']);
    assert.deepEqual(names(scopes.Inputs), ['x']);
    assert.match(scopes.Inputs[0].value, summary('1,784'));
    assert.deepEqual(names(scopes.Outputs), ['(not yet)']);
    assert.deepEqual(names(scopes.Weights), ['kernel', 'bias']);
    assert.match(scopes.Weights[0].value, summary('784,128'));
    assert.match(scopes.Weights[1].value, summary('128'));

    // Step over: the same layer's return, its output summarised (relu: some zeros).
    stop = await run.step('next');
    assert.deepEqual([stop.point, stop.stack[0].name], ['return', 'hidden1']);
    frames = await run.stackTrace();
    assert.equal(frames[0].name, 'hidden1 (dense) ↩ return');
    scopes = await run.variables();
    assert.equal(scopes.Outputs.length, 1);
    assert.match(scopes.Outputs[0].value, summary('1,128'));
    assert.match(scopes.Outputs[0].value, /\d+% zeros$/);

    // The debug console's expressions agree with the summary.
    const max = Number(/\[\S+, (\S+)\]/.exec(scopes.Outputs[0].value)?.[1]);
    const evaluated = await run.evaluate('output.max()');
    assert.ok(Math.abs(Number(evaluated.result) - max) <= 1e-3 * Math.abs(max), `output.max() = ${evaluated.result}, summary max ${max}`);
    assert.equal((await run.evaluate('hasNaN(output)')).result, 'false');
    const whole = await run.evaluate('output');
    assert.match(whole.result, summary('1,128'));
    assert.ok(whole.variablesReference > 0, 'a tensor result can be expanded');
    await assert.rejects(run.evaluate('output.max('), /./, 'a malformed expression is an error');

    // Over the return: the next layer's call; in: its first op; out: that layer's return.
    stop = await run.step('next');
    assert.deepEqual([stop.point, stop.stack[0].name], ['call', 'hidden2']);
    stop = await run.step('stepIn');
    assert.deepEqual([stop.point, stop.stack.map((f) => f.name)], ['call', ['matmul', 'hidden2', 'mnist-mlp']]);
    assert.deepEqual((await run.stackTrace()).map((f) => f.name), ['matmul', 'hidden2 (dense)', 'mnist-mlp (model)']);
    stop = await run.step('stepOut');
    assert.deepEqual([stop.point, stop.stack[0].name], ['return', 'hidden2']);
    const outIndex = stop.index;

    // Back: the event before, the return of hidden2's activation, read from the recording.
    stop = await run.step('stepBack');
    assert.equal(stop.index, outIndex - 1);
    assert.deepEqual([stop.point, stop.stack[0].name], ['return', 'relu']);
    scopes = await run.variables();
    assert.match(scopes.Outputs[0].value, summary('1,64'));

    // Continue to the end, then reverse-continue to the start.
    stop = await run.step('continue');
    assert.equal(stop.reason, 'end');
    assert.equal((await run.lastDapStop()).description, 'Forward pass finished');
    stop = await run.step('reverseContinue');
    assert.equal(stop.index, 0);
  });

  test('a tensor in VARIABLES expands into slices and numbers', async () => {
    const run = await recorder.start(launchConfig(mnist, 'e2e: slices'));
    await run.nextStop();
    await run.step('stepIn');
    const x = (await run.variables()).Inputs[0];
    assert.equal(x.indexedVariables, 1);
    const request = async (ref: number, start?: number, count?: number) =>
      (await run.session.customRequest('variables', { variablesReference: ref, filter: 'indexed', start, count }) as { variables: VariableBody[] }).variables;
    const rows = await request(x.variablesReference);
    assert.deepEqual(names(rows), ['[0]']);
    assert.match(rows[0].value, summary('784'));
    const numbers = await request(rows[0].variablesReference, 200, 4);
    assert.deepEqual(names(numbers), ['[200]', '[201]', '[202]', '[203]']);
    for (const n of numbers) assert.ok(Number.isFinite(Number(n.value)), `${n.name} = ${n.value}`);
  });

  test('a breakpoint on a layer line of model.json stops a Run at that layer', async () => {
    const line = lineOf(mnistText, '"name": "hidden2"');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(mnist, new vscode.Position(line - 1, 0)))]);
    const run = await recorder.start(launchConfig(mnist, 'e2e: line breakpoint', { stopOnEntry: false }));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'breakpoint');
    assert.deepEqual([stop.point, stop.stack[0].name], ['call', 'hidden2']);
    const dap = await run.lastDapStop();
    assert.equal(dap.reason, 'breakpoint');
    assert.equal(dap.hitBreakpointIds?.length, 1);
    assert.match(dap.description ?? '', /hidden2/);
    assert.equal((await run.step('continue')).reason, 'end');
  });

  test('a function breakpoint on an op name stops a Run at that op', async () => {
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('out/softmax')]);
    const run = await recorder.start(launchConfig(mnist, 'e2e: function breakpoint', { stopOnEntry: false }));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'function breakpoint');
    assert.deepEqual(stop.stack.map((f) => f.name), ['softmax', 'out', 'mnist-mlp']);
  });

  test('a NaN stops the run as an exception at the op that produced it', async () => {
    const run = await recorder.start(launchConfig(fixtureUri('nan-log.json'), 'e2e: NaN', { stopOnEntry: false }));
    const stop = await run.nextStop();
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.exception?.filter, 'nanOrInf');
    assert.deepEqual([stop.point, stop.stack.map((f) => f.name)], ['return', ['log', 'logx', 'nan-log']]);
    assert.equal((await run.lastDapStop()).reason, 'exception');
    const info = await run.session.customRequest('exceptionInfo', { threadId: 1 }) as { exceptionId: string; description?: string };
    assert.equal(info.exceptionId, 'NaN or Inf');
    assert.match(info.description ?? '', /NaN/);
    assert.equal((await run.evaluate('hasNaN(output)')).result, 'true');
  });

  for (const [file, expected, line] of [['broken-shape.json', /proj/, 6], ['broken-syntax.json', /malformed|JSON/, 6]] as const) {
    test(`a model that does not load (${file}) says so on its line, starts no session and opens no dialog`, async () => {
      const name = `e2e: ${file}`;
      const uri = fixtureUri(file);
      const launched: string[] = [];
      const sub = vscode.debug.onDidStartDebugSession((s) => launched.push(s.name));
      try {
        // No launch happens, so there is no failed launch for VS Code to show in a modal dialog with
        // "Open launch.json": startDebugging resolves false, and the error is a diagnostic and a notification.
        const started = await vscode.debug.startDebugging(undefined, launchConfig(uri, name));
        assert.equal(started, false);
        const diagnostic = await waitFor('the load diagnostic', () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'Layerstep'));
        assert.match(diagnostic.message, expected);
        assert.match(diagnostic.message, new RegExp(file.replace('.', '\\.')));
        assert.equal(diagnostic.range.start.line, line);
        assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
        assert.deepEqual(launched.filter((n) => n === name), []);
        assert.equal(vscode.debug.activeDebugSession, undefined);
      } finally {
        sub.dispose();
      }
      // The window still works: a good model debugs at once.
      const run = await recorder.start(launchConfig(mnist, `${name} then mnist`));
      assert.equal((await run.nextStop()).reason, 'entry');
    });
  }
});
