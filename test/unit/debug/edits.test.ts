import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNpy } from '../../../src/loaders/tensors/npy';
import { Tensor } from '../../../src/engine/tensor';
import { dumpFileName } from '../../../src/runner/divergence';
import type { EditInfo } from '../../../src/protocol/engine';
import { createRunner, openModelFile } from '../../../src/node/localModel';
import { DapDriver, REPO } from './dapDriver';
import { expectGolden, renderStop } from './render';

/**
 * What-if edits and compared runs through the debug adapter, as VS Code drives them: Set Value in VARIABLES, an
 * assignment in WATCH (setExpression) and in the Debug Console, Revert, the second thread, the Divergence scope and
 * the Diverged exception filter. Outputs are checked against TensorFlow.js computing the model edited by hand.
 */

const MLP = 'test/fixtures/dap/mlp.json';
type Event = DebugProtocol.Event;

interface Mlp {
  K1: number[][];
  b1: number[];
  K2: number[][];
  b2: number[];
  x: number[];
}

function mlpWeights(file = MLP): Mlp {
  const m = JSON.parse(readFileSync(join(REPO, file), 'utf8'));
  const [h, o] = m.layers;
  return { K1: h.weights.kernel, b1: h.weights.bias, K2: o.weights.kernel, b2: o.weights.bias, x: m.examples[0].inputs.x.data };
}

/** softmax(relu(x·K1 + b1)·K2 + b2), with `hidden` changed by hand between the layers. */
function oracle(w: Mlp, hidden: (h: number[]) => void = () => {}): number[] {
  const h = Array.from(tf.relu(tf.add(tf.matMul(tf.tensor2d([w.x]), tf.tensor2d(w.K1)), tf.tensor1d(w.b1))).dataSync());
  hidden(h);
  return Array.from(tf.softmax(tf.add(tf.matMul(tf.tensor2d([h]), tf.tensor2d(w.K2)), tf.tensor1d(w.b2))).dataSync());
}

/** One element of a value, exactly, as the panel reads it. */
async function element(d: DapDriver, name: string, index: number): Promise<number> {
  const r = await d.engine<{ value: number }>('element', { name, index });
  expect(r.success, r.message).toBe(true);
  return r.body.value;
}

/** A session on the MLP stopped at the return of its `hidden` layer, and that frame's id. */
async function atReturnOfHidden(): Promise<{ d: DapDriver; frame: number }> {
  const d = new DapDriver();
  await d.launch({ model: MLP, stopOnEntry: true });
  await d.nextStop();
  await d.move('stepIn');
  await d.move('next');
  return { d, frame: (await d.stackTrace())[0].id };
}

/** The variable of a scope by name, expanded along `path` (`[0]`, `[1]`…). */
async function variable(d: DapDriver, frameId: number, scope: string, name: string, ...path: string[]): Promise<{ parent: number; v: DebugProtocol.Variable }> {
  let parent = (await d.scopes(frameId)).find((s) => s.name === scope)!.variablesReference;
  let v = (await d.variables(parent)).find((x) => x.name === name)!;
  expect(v, `${scope} has ${name}`).toBeDefined();
  for (const p of path) {
    parent = v.variablesReference;
    v = (await d.variables(parent)).find((x) => x.name === p)!;
  }
  return { parent, v };
}

/** The view after an edit: VS Code refetches CALL STACK and VARIABLES on `invalidated`. */
async function renderAfterEdit(d: DapDriver, what: string, response: DebugProtocol.Response): Promise<string> {
  const head = response.success ? `== ${what} → ${JSON.stringify(response.body)}` : `== ${what} → error: ${response.message}`;
  const invalidated = d.drain('invalidated').map((e) => `invalidated ${JSON.stringify((e.body as DebugProtocol.InvalidatedEvent['body']).areas)}`);
  const fake = { type: 'event', event: 'stopped', seq: 0, body: { reason: 'edited', description: 'no move' } } as unknown as Event;
  return [head, ...invalidated, await renderStop(d, fake)].join('\n');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('what-if edits through the debug adapter', () => {
  it('Set Value on an output element, then continue: the outputs change as the oracle says; Revert restores them', async () => {
    const d = new DapDriver();
    const init = await d.initialize();
    expect(init.body?.supportsSetVariable).toBe(true);
    expect(init.body?.supportsSetExpression).toBe(true);
    await d.launch({ model: MLP, stopOnEntry: true });
    const blocks = [`== start\n${await renderStop(d, await d.nextStop())}`];
    await d.move('stepIn');
    const { event } = await d.move('next'); // return of hidden
    blocks.push(`== stepIn, next\n${await renderStop(d, event)}`);
    const top = (await d.stackTrace())[0];
    const hiddenOut = (await d.scope(top.id, 'Outputs'))[0];
    const row = (await variable(d, top.id, 'Outputs', hiddenOut.name, '[0]')).v;
    const set = await d.request<DebugProtocol.SetVariableResponse>('setVariable', { variablesReference: row.variablesReference, name: '[1]', value: '2' });
    expect(set.success, set.message).toBe(true);
    blocks.push(await renderAfterEdit(d, 'setVariable [0][1] = 2', set));
    const { event: end } = await d.move('continue');
    blocks.push(`== continue\n${await renderStop(d, end)}`);
    const edits = await d.engine<EditInfo[]>('edits', {});
    blocks.push(`edits: ${JSON.stringify(edits.body)}`);
    const outName = (await d.scope((await d.stackTrace())[0].id, 'Outputs'))[0];
    expect(outName).toBeDefined();

    const w = mlpWeights();
    const stack = await d.stackTrace();
    const probs = await d.scope(stack[0].id, 'Outputs');
    const edited = await element(d, probs[0].name, 0);
    expect(edited).toBeCloseTo(oracle(w, (h) => { h[1] = 2; })[0], 5);
    expect(edited).not.toBeCloseTo(oracle(w)[0], 3);

    const revert = await d.engine('revertEdits', {});
    expect(revert.success).toBe(true);
    const reverted = await d.nextStop();
    blocks.push(`== revertEdits\n${await renderStop(d, reverted)}`);
    expect(await element(d, probs[0].name, 0)).toBeCloseTo(oracle(w)[0], 5);
    expectGolden('edit-continue-revert', blocks.join('\n\n') + '\n');
    await d.disconnect();
  });

  it('assigns by editing a watch (setExpression) and in the Debug Console, never from a hover or a watch expression', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    await d.move('stepIn'); // call of hidden
    const frame = (await d.stackTrace())[0].id;
    const hover = await d.evaluate('weights.kernel = 0', 'hover', frame);
    expect(hover.success).toBe(false);
    // A watch expression is evaluated at every stop: it never assigns.
    const watched = await d.evaluate('weights.kernel *= 2', 'watch', frame);
    expect(watched.success).toBe(false);
    expect(watched.message).toMatch(/cannot assign/);
    expect((await d.engine<EditInfo[]>('edits', {})).body).toEqual([]);

    const watch = await d.request<DebugProtocol.SetExpressionResponse>('setExpression', { expression: 'weights.kernel', value: 'weights.kernel * 0.5', frameId: frame });
    expect(watch.success, watch.message).toBe(true);
    const repl = await d.evaluate('weights.bias[1] += 1', 'repl', frame);
    expect(repl.success, repl.message).toBe(true);
    expect((await d.engine<EditInfo[]>('edits', {})).body.map((e) => e.text)).toEqual(['weights.kernel = weights.kernel * 0.5', 'weights.bias[1] += 1']);
    expect((await d.stackTrace())[0].name).toMatch(/✎ edited/);
    const weights = await d.scope(frame, 'Weights');
    expect(weights.map((v) => v.value.startsWith('✎ edited'))).toEqual([true, true]);

    const { event } = await d.move('continue');
    expect(event.event).toBe('stopped');
    const w = mlpWeights();
    w.K1 = w.K1.map((row) => row.map((v) => v * 0.5));
    w.b1[1] += 1;
    const probs = (await d.scope((await d.stackTrace())[0].id, 'Outputs'))[0];
    expect(await element(d, probs.name, 1)).toBeCloseTo(oracle(w)[1], 5);
    await d.disconnect();
  });

  it('Set Value on a whole tensor answers with the value as VARIABLES shows it after the refresh, marked', async () => {
    const { d, frame } = await atReturnOfHidden();
    const scope = (await d.scopes(frame)).find((x) => x.name === 'Outputs')!;
    const [v] = await d.variables(scope.variablesReference);
    const set = await d.request<DebugProtocol.SetVariableResponse>('setVariable', { variablesReference: scope.variablesReference, name: v.name, value: '0' });
    expect(set.success, set.message).toBe(true);
    const after = (await d.variables((await d.scopes(frame)).find((x) => x.name === 'Outputs')!.variablesReference))[0];
    expect(set.body.value).toBe(after.value);
    expect(after.value).toBe('✎ edited · float32[1,3] [0, 0, 0]');
    await d.disconnect();
  });

  it.each([
    ['output[0, 9] = 0', /index 9 is out of range for axis 1 of size 3/],
    ['output = [1, 2]', /right side '\[1, 2\]': unexpected '\['/],
    ["value('nothing') = 0", /no value named 'nothing'/],
    ['weights.bias = output[0, :2]', /shape \[2\] does not broadcast to the \[3\] elements/],
  ])('%s cannot apply: the Debug Console shows one sentence and nothing changes', async (text, message) => {
    const { d, frame } = await atReturnOfHidden();
    const before = (await d.scope(frame, 'Outputs')).map((v) => v.value);
    const r = await d.evaluate(text, 'repl', frame);
    expect(r.success).toBe(false);
    expect(r.message).toMatch(message);
    expect(r.message!.split('\n')).toHaveLength(1);
    expect(d.drain('invalidated')).toEqual([]);
    expect((await d.engine<EditInfo[]>('edits', {})).body).toEqual([]);
    expect((await d.scope(frame, 'Outputs')).map((v) => v.value)).toEqual(before);
    await d.disconnect();
  });

  it('Restart Frame after an edit upstream runs the frame again', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP });
    await d.nextStop(); // the end
    const model = (await d.stackTrace())[0].id;
    const edit = await d.evaluate("weight('out.kernel') *= -1", 'repl', model);
    expect(edit.success, edit.message).toBe(true);
    await d.move('stepBack');
    const out = (await d.stackTrace()).find((f) => f.name.startsWith('out'))!;
    const { event } = await d.move('restartFrame', { frameId: out.id });
    expect(event.event).toBe('stopped');
    const timeline = await d.engine<{ events: unknown[] }>('timeline', { from: 0 });
    const { event: end } = await d.move('continue');
    expect(end.event).toBe('stopped');
    const after = await d.engine<{ events: unknown[] }>('timeline', { from: 0 });
    expect(after.body.events.length).toBeGreaterThan(timeline.body.events.length);
    const w = mlpWeights();
    w.K2 = w.K2.map((row) => row.map((v) => -v));
    const probs = (await d.scope((await d.stackTrace())[0].id, 'Outputs'))[0];
    expect(await element(d, probs.name, 0)).toBeCloseTo(oracle(w)[0], 5);
    await d.disconnect();
  });
});

describe('compared runs through the debug adapter', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'layerstep-compare-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('shows the counterpart as a second thread and each frame its divergence; Diverged stops where a changed weight is read', async () => {
    const m = JSON.parse(readFileSync(join(REPO, MLP), 'utf8'));
    m.layers[1].weights.kernel[2][1] += 0.5;
    const other = join(tmp, 'tuned.json');
    writeFileSync(other, JSON.stringify(m));
    const d = new DapDriver();
    await d.launch({ model: MLP, compareModel: other }, { exceptionFilters: ['nanOrInf', 'engineError', 'diverged'] });
    const stop = await d.nextStop();
    const body = stop.body as DebugProtocol.StoppedEvent['body'];
    expect(body.reason).toBe('exception');
    const threads = await d.request<DebugProtocol.ThreadsResponse>('threads');
    expect(threads.body.threads.map((t) => t.name)).toEqual(['forward pass: mlp', 'compared with model tuned.json']);
    const frames = await d.stackTrace();
    const info = await d.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
    const second = await d.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 2 });
    const lines = [
      `stopped: ${body.reason} (${body.description})`,
      `exceptionInfo: ${info.body.exceptionId}: ${info.body.description}`,
      ...frames.map((f) => `  #${f.id} ${f.name}`),
      'thread 2:',
      ...second.body.stackFrames.map((f) => `  #${f.id} ${f.name}`),
      'Divergence:',
      ...(await d.scope(frames[0].id, 'Divergence')).map((v) => `  ${v.name} = ${v.value}`),
      'thread 2 Outputs:',
      ...(await d.scope(second.body.stackFrames[0].id, 'Outputs')).map((v) => `  ${v.name} = ${v.value}`),
    ];
    expect(frames[0].name).toMatch(/^out\/matmul|matmul/);
    expect(frames[1].name).toMatch(/^out /);
    // Everything before agreed: the hidden layer's frame shows no divergence.
    const earlier = await d.engine<{ frames: { name: string; divergence?: { diverged: boolean } }[] }>('timeline', { from: 0 });
    const hidden = earlier.body.frames.find((f) => f.name === 'hidden')!;
    expect(hidden.divergence?.diverged).toBe(false);
    expectGolden('compare-model-diverged', lines.join('\n') + '\n');
    // The second thread is read-only.
    const ref = (await d.scopes(second.body.stackFrames[0].id)).find((s) => s.name === 'Outputs')!.variablesReference;
    const v = (await d.variables(ref))[0];
    const refused = await d.request('setVariable', { variablesReference: ref, name: v.name, value: '0' });
    expect(refused.success).toBe(false);
    await d.disconnect();
  });

  it('with another input, Diverged stops at the first op reading the input; the tolerance is the filter condition', async () => {
    const d = new DapDriver();
    await d.initialize();
    const launched = d.request('launch', { model: MLP, compareInput: 'second' });
    await d.waitForEvent('initialized');
    await d.request('setExceptionBreakpoints', { filters: ['engineError'], filterOptions: [{ filterId: 'diverged', condition: '1e-4,1e-3' }] });
    await d.request('configurationDone');
    await launched;
    const stop = await d.nextStop();
    expect((stop.body as DebugProtocol.StoppedEvent['body']).reason).toBe('exception');
    const frames = await d.stackTrace();
    expect(frames.map((f) => f.name).slice(0, 2)).toEqual([expect.stringMatching(/matmul/), expect.stringMatching(/^hidden/)]);
    // A tolerance wide enough to take every difference: no stop until the end.
    await d.request('setExceptionBreakpoints', { filters: ['engineError'], filterOptions: [{ filterId: 'diverged', condition: '100,100' }] });
    const { event } = await d.move('continue');
    expect((event.body as DebugProtocol.StoppedEvent['body']).reason).toBe('step');
    expect((await d.stackTrace())[0].name).toMatch(/\(model\)/);
    await d.disconnect();
  });

  it('against a reference folder with one value perturbed, Diverged stops at that value', async () => {
    // The reference: this run's own values, written as `trace --dump` names them, with one perturbed.
    const model = await openModelFile(join(REPO, MLP));
    const runner = createRunner(model, new Map(Object.entries(model.examples[0].inputs)));
    await runner.continue();
    const names = runner.recorded().map((v) => v.name);
    expect(names.length).toBeGreaterThan(3);
    const dir = join(tmp, 'ref');
    mkdirSync(dir, { recursive: true });
    for (const name of names) {
      const t = runner.value(name);
      const data = Float32Array.from(t.data as Float32Array);
      if (name === names[2]) data[0] += 0.25;
      writeFileSync(join(dir, dumpFileName(name)), formatNpy(new Tensor('float32', t.shape, data)));
    }

    const d = new DapDriver();
    await d.launch({ model: MLP, compareReference: dir }, { exceptionFilters: ['diverged'] });
    const stop = await d.nextStop();
    expect((stop.body as DebugProtocol.StoppedEvent['body']).reason).toBe('exception');
    const info = await d.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
    expect(info.body.description).toContain(`'${names[2]}'`);
    await d.disconnect();
  });
});
