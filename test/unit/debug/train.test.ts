import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { DapDriver, REPO } from './dapDriver';
import type { StopInfo } from '../../../src/protocol/engine';

/** Two dense layers (tanh, sigmoid), bce and adam in its hints; the `hidden` layer starts on line 9. */
const XOR = 'examples/xor/untrained.json';
const HIDDEN_LINE = 10;
/** One dense unit fitted to y = 2x + 1 with mse and sgd. */
const LINEAR = 'examples/linear-regression/untrained.json';
type Stopped = DebugProtocol.StoppedEvent['body'];
type Loss = { step: number; steps: number; loss: number };

const names = async (d: DapDriver): Promise<string[]> => (await d.stackTrace()).map((f) => f.name);
const threadName = async (d: DapDriver): Promise<string> => (await d.request<DebugProtocol.ThreadsResponse>('threads')).body.threads[0].name;

describe('a training launch', () => {
  it('stops at entry on the first step, saying so in the stop, the thread and the step frame', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: XOR, train: true, steps: 3, stopOnEntry: true });
    expect(c.launch.success).toBe(true);
    const stop = (await d.nextStop()).body as Stopped;
    expect(stop).toMatchObject({ reason: 'entry', description: 'Paused on entry · step 1 of 3' });
    expect(await threadName(d)).toBe('training xor: step 1 of 3');
    const frames = await d.stackTrace();
    expect(frames.map((f) => f.name)).toEqual(['step 1 (training step)']);
    const inputs = await d.scope(frames[0].id, 'Inputs');
    expect(inputs.map((v) => v.name)).toEqual(['x', 'target']);
    const attrs = Object.fromEntries((await d.scope(frames[0].id, 'Attributes')).map((v) => [v.name, v.value]));
    expect(attrs).toMatchObject({ loss: 'bce', optimizer: 'adam', learningRate: '0.1', step: '1' });
    const position = await d.engine<StopInfo>('position', {});
    expect(position.body.training).toMatchObject({ step: 1, steps: 3, losses: [], loss: 'bce', optimizer: 'adam', rows: 4 });
  });

  it('takes the launch attributes over the model file\'s hints', async () => {
    const d = new DapDriver();
    await d.launch({ model: XOR, train: true, steps: 2, loss: 'mse', optimizer: 'momentum', learningRate: 0.5, batch: 2, stopOnEntry: true });
    await d.nextStop();
    const position = await d.engine<StopInfo>('position', {});
    expect(position.body.training).toMatchObject({ steps: 2, loss: 'mse', optimizer: 'momentum', learningRate: 0.5, batch: 2 });
  });

  it('reads a data file resolved like the input', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: LINEAR, train: true, data: 'test/fixtures/none/no-such-data.json', stopOnEntry: true });
    expect(c.launch.success).toBe(false);
    expect(c.launch.message).toContain('no-such-data.json');
  });
});

describe('a breakpoint on a layer in a training run', () => {
  it('stops in its forward frame, then in its backward frame with the gradients, where grad reads the arriving one', async () => {
    const d = new DapDriver();
    await d.launch({ model: XOR, train: true, steps: 2 }, { breakpoints: { [join(REPO, XOR)]: [{ line: HIDDEN_LINE }] } });
    const forward = (await d.nextStop()).body as Stopped;
    expect(forward).toMatchObject({ reason: 'breakpoint', description: 'Paused on breakpoint at line 9 (hidden) · step 1 of 2' });
    expect(await names(d)).toEqual(['hidden (dense)', 'xor (model)', 'step 1 (training step)']);

    const backward = (await d.move('continue')).event.body as Stopped;
    expect(backward.reason).toBe('breakpoint');
    const frames = await d.stackTrace();
    expect(frames.map((f) => f.name)).toEqual(['∂hidden (dense)', '∂xor (model)', 'step 1 (training step)']);
    // The backward frame sits on the layer's line, and its weights are the layer's.
    expect(frames[0].line).toBe(9);
    const inputs = await d.scope(frames[0].id, 'Inputs');
    expect(inputs.map((v) => v.name)).toEqual(['∂loss/∂hidden/tanh:0']);
    expect(inputs[0].value).toMatch(/^float32\[4,4\]/);
    expect((await d.scope(frames[0].id, 'Weights')).map((v) => v.name)).toEqual(['kernel', 'bias']);
    for (const context of ['hover', 'watch', 'repl'] as const) {
      const grad = await d.evaluate('grad', context, frames[0].id);
      expect(grad.success).toBe(true);
      expect(grad.body.result).toBe(inputs[0].value);
    }
    expect((await d.evaluate('grad.norm() > 0', 'watch', frames[0].id)).body.result).toBe('true');

    // Step in: the activation's gradient first; step out: the layer returns ∂loss/∂ its weights.
    await d.move('stepIn');
    expect((await names(d))[0]).toBe('∂tanh');
    await d.move('next');
    await d.move('stepOut');
    const back = await d.stackTrace();
    expect(back[0].name).toBe('∂hidden (dense) ↩ return');
    const outputs = await d.scope(back[0].id, 'Outputs');
    expect(outputs.map((v) => v.name).sort()).toEqual(['∂loss/∂hidden.bias', '∂loss/∂hidden.kernel']);
  });

  it('stops at the update frame, which shows each weight before, after and the change', async () => {
    const d = new DapDriver();
    await d.launch({ model: LINEAR, train: true }, { functionBreakpoints: [{ name: 'update' }] });
    expect(((await d.nextStop()).body as Stopped).reason).toBe('function breakpoint');
    expect(await names(d)).toEqual(['update (sgd)', 'step 1 (training step)']);
    await d.move('stepIn');
    expect(await names(d)).toEqual(['update line.kernel [update]', 'update (sgd)', 'step 1 (training step)']);
    await d.move('stepIn');
    const top = (await d.stackTrace())[0];
    expect(top.name).toBe('update line.kernel [update] ↩ return');
    const inputs = (await d.scope(top.id, 'Inputs')).map((v) => v.name);
    expect(inputs).toEqual(['∂loss/∂line.kernel']);
    // The weight before the update shows under Weights.
    expect((await d.scope(top.id, 'Weights')).map((v) => v.name)).toEqual(['line.kernel']);
    const outputs = (await d.scope(top.id, 'Outputs')).map((v) => v.name);
    expect(outputs).toEqual(['new line.kernel', 'Δline.kernel']);
    await d.move('stepOut');
    expect((await d.stackTrace())[0].name).toBe('update (sgd) ↩ return');
  });
});

describe('Continue in a training run', () => {
  it('goes on through the steps, stopping at the breakpoint in each one with the weights the last step made', async () => {
    const d = new DapDriver();
    await d.launch({ model: LINEAR, train: true, steps: 3 }, { functionBreakpoints: [{ name: 'line' }] });
    const kernels: string[] = [];
    const seen: string[] = [];
    let stop = (await d.nextStop()).body as Stopped;
    for (let i = 0; i < 6; i++) {
      const frames = await d.stackTrace();
      seen.push(`${frames[0].name} · ${stop.description}`);
      if (!frames[0].name.startsWith('∂')) kernels.push((await d.scope(frames[0].id, 'Weights'))[0].value);
      stop = (await d.move('continue')).event.body as Stopped;
    }
    expect(seen).toEqual([
      "line (dense) · Paused on function breakpoint 'line' · step 1 of 3",
      "∂line (dense) · Paused on function breakpoint 'line' · step 1 of 3",
      "line (dense) · Paused on function breakpoint 'line' · step 2 of 3",
      "∂line (dense) · Paused on function breakpoint 'line' · step 2 of 3",
      "line (dense) · Paused on function breakpoint 'line' · step 3 of 3",
      "∂line (dense) · Paused on function breakpoint 'line' · step 3 of 3",
    ]);
    expect(new Set(kernels).size).toBe(3);
    expect(stop.description).toMatch(/^Training finished: 3 steps · loss \d/);
    expect(await threadName(d)).toBe('training linear-regression: step 3 of 3');
    // At the end, Continue stays where it is.
    expect(((await d.move('continue')).event.body as Stopped).description).toBe(stop.description);
  });

  it('stops at the next step\'s entry when a step move leaves a step\'s end', async () => {
    const d = new DapDriver();
    await d.launch({ model: LINEAR, train: true, steps: 2, stopOnEntry: true });
    await d.nextStop();
    await d.move('stepOut');
    expect(await names(d)).toEqual(['step 1 (training step) ↩ return']);
    const next = (await d.move('next')).event.body as Stopped;
    expect(next.description).toBe('Paused at call of step 2 · step 2 of 2');
    expect(await names(d)).toEqual(['step 2 (training step)']);
  });
});

describe('the losses of a training run', () => {
  it('come as a layerstep/loss event and a Debug Console line per finished step, and fall', async () => {
    const d = new DapDriver();
    await d.launch({ model: LINEAR, train: true, steps: 20 });
    const end = (await d.nextStop()).body as Stopped;
    const losses = d.events<DebugProtocol.Event & { body: Loss }>('layerstep/loss').map((e) => e.body);
    expect(losses.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(losses.every((l) => l.steps === 20)).toBe(true);
    expect(losses[19].loss).toBeLessThan(losses[0].loss / 10);
    const lines = d.events<DebugProtocol.OutputEvent>('output').map((e) => e.body.output).filter((t) => t.startsWith('step '));
    expect(lines).toHaveLength(20);
    expect(lines[0]).toMatch(/^step 1 loss \d+(\.\d+)?(e-?\d+)?\n$/);
    expect(Number(lines[19].split(' ')[3])).toBeCloseTo(losses[19].loss, 5);
    expect(end.description).toBe(`Training finished: 20 steps · loss ${lines[19].split(' ')[3].trim()}`);
    // The weights request answers with the trained weights.
    const weights = await d.engine<{ name: string; values: unknown }[]>('weights', {});
    expect(weights.success).toBe(true);
    expect(weights.body.map((w) => w.name).sort()).toEqual(['line.bias', 'line.kernel']);
  });

  it('can be paused between steps, and continued from there', async () => {
    const d = new DapDriver();
    await d.launch({ model: XOR, train: true, steps: 5000 });
    await d.waitForEvent('layerstep/loss');
    expect((await d.request('pause', { threadId: 1 })).success).toBe(true);
    const paused = (await d.nextStop()).body as Stopped;
    expect(paused.reason).toBe('pause');
    const position = await d.engine<StopInfo>('position', {});
    const step = position.body.training?.step ?? 0;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(5000);
    expect(paused.description).toMatch(/step \d+ of 5000/);
    await d.disconnect();
  });
});

describe('bad training attributes', () => {
  const failure = async (args: Record<string, unknown>): Promise<string> => {
    const d = new DapDriver();
    const c = await d.launch({ model: LINEAR, ...args });
    expect(c.launch.success).toBe(false);
    expect(d.events('terminated')).toHaveLength(1);
    return c.launch.message ?? '';
  };

  it('fail the launch with one sentence naming the attribute', async () => {
    expect(await failure({ train: true, loss: 'hinge' })).toBe('The launch attribute "loss" must be one of mse, bce, cce, bce-logits, cce-logits, not "hinge".');
    expect(await failure({ train: true, optimizer: 'rmsprop' })).toBe('The launch attribute "optimizer" must be one of sgd, momentum, adam, not "rmsprop".');
    expect(await failure({ train: true, steps: 0 })).toBe('The launch attribute "steps" must be a whole number of 1 or more, not 0.');
    expect(await failure({ train: true, steps: 2.5 })).toBe('The launch attribute "steps" must be a whole number of 1 or more, not 2.5.');
    expect(await failure({ train: true, batch: -1 })).toBe('The launch attribute "batch" must be a whole number of 1 or more, not -1.');
    expect(await failure({ train: true, learningRate: '0.1' })).toBe('The launch attribute "learningRate" must be a number above 0, not "0.1".');
    expect(await failure({ train: 'yes' })).toBe('The launch attribute "train" must be true or false, not "yes".');
  });

  it('refuse training attributes without train, and a compared training run', async () => {
    expect(await failure({ steps: 30, learningRate: 0.1 })).toBe('The launch sets "steps", "learningRate" but not "train": add "train": true to train the model.');
    expect(await failure({ train: true, compareInput: 'random' })).toBe('A training run cannot be compared: remove "compareInput" or "train".');
  });
});
