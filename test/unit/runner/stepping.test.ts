import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { RunnerError } from '../../../src/runner/errors';
import { Runner } from '../../../src/runner/runner';
import { countingOps } from '../../fixtures/runner/ops';
import { chain, mlp, nested } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';

function start(f: Fixture, options: ConstructorParameters<typeof Runner>[2] = {}) {
  const counting = countingOps();
  const runner = new Runner(f.model, f.inputs, { ops: counting.ops, ...options });
  return { runner, ops: counting };
}

/** `call hidden` / `return hidden/relu`: the event at the runner's position. */
const at = (r: Runner): string => `${r.position.point} ${r.position.frame.item.id}`;

describe('Runner: the timeline', () => {
  it('starts at the call of the root, frame 1, with nothing computed', () => {
    const { runner, ops } = start(mlp());
    expect(runner.position.index).toBe(0);
    expect(at(runner)).toBe('call mlp');
    expect(runner.position.frame.id).toBe(1);
    expect(runner.stack().map((f) => f.id)).toEqual([1]);
    expect(runner.finished).toBe(false);
    expect(ops.total()).toBe(0);
  });

  it('steps in through every call and return in execution order, numbering frames in call order', async () => {
    const { runner } = start(mlp());
    const seen = [at(runner)];
    while (!runner.finished || runner.position.index < runner.timeline().length - 1) {
      const stop = await runner.stepIn();
      seen.push(at(runner));
      if (stop.reason === 'end') break;
    }
    expect(seen).toEqual([
      'call mlp', 'call hidden', 'call hidden/matmul', 'return hidden/matmul', 'call hidden/add', 'return hidden/add',
      'call hidden/relu', 'return hidden/relu', 'return hidden', 'call out', 'call out/matmul', 'return out/matmul',
      'call out/add', 'return out/add', 'return out', 'return mlp',
    ]);
    expect(runner.timeline().filter((e) => e.point === 'call').map((e) => e.frameId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(runner.frame(5)?.item.id).toBe('hidden/relu');
    expect(runner.frame(5)?.parentId).toBe(2);
    expect(runner.frame(5)?.depth).toBe(2);
  });

  it('runs an op only when its return event is first needed', async () => {
    const { runner, ops } = start(mlp());
    await runner.stepIn();
    await runner.stepIn();
    expect(at(runner)).toBe('call hidden/matmul');
    expect(ops.total()).toBe(0);
    await runner.stepIn();
    expect(at(runner)).toBe('return hidden/matmul');
    expect(ops.calls.get('matmul')).toBe(1);
  });

  it('gives the stack outermost first, the return event keeping its frame on top', async () => {
    const { runner } = start(nested());
    await runner.runTo('block/lin/matmul');
    expect(runner.stack().map((f) => f.item.id)).toEqual(['nested', 'block', 'block/lin', 'block/lin/matmul']);
    await runner.stepIn();
    expect(runner.position.point).toBe('return');
    expect(runner.stack().map((f) => f.item.id)).toEqual(['nested', 'block', 'block/lin', 'block/lin/matmul']);
  });
});

describe('Runner: stepping', () => {
  it('steps over a call to its return, and over a return to the next event', async () => {
    const { runner, ops } = start(mlp());
    await runner.stepIn();
    expect(at(runner)).toBe('call hidden');
    expect((await runner.stepOver()).reason).toBe('step');
    expect(at(runner)).toBe('return hidden');
    expect(ops.total()).toBe(3);
    await runner.stepOver();
    expect(at(runner)).toBe('call out');
  });

  it('steps out to the return of the parent, and at the root to the end', async () => {
    const { runner } = start(nested());
    await runner.runTo('block/lin/add');
    await runner.stepOut();
    expect(at(runner)).toBe('return block/lin');
    await runner.stepOut();
    expect(at(runner)).toBe('return block');
    await runner.stepOut();
    expect(at(runner)).toBe('return nested');
    expect(runner.finished).toBe(true);
    const { runner: r2 } = start(nested());
    const stop = await r2.stepOut();
    expect(stop.reason).toBe('end');
    expect(at(r2)).toBe('return nested');
  });

  it('steps out of a module from its call, as a debugger steps out of a function from its first line', async () => {
    const { runner } = start(nested());
    await runner.runTo('block/lin');
    expect(at(runner)).toBe('call block/lin');
    await runner.stepOut();
    expect(at(runner)).toBe('return block/lin');
    await runner.stepOut();
    expect(at(runner)).toBe('return block');
  });

  it('continues to the end and stays there, with the outputs of the model', async () => {
    await tf.setBackend('cpu');
    const f = mlp();
    const { runner } = start(f);
    const stop = await runner.continue();
    expect(stop.reason).toBe('end');
    expect(stop.position.index).toBe(15);
    expect(runner.finished).toBe(true);
    expect((await runner.continue()).reason).toBe('end');
    expect((await runner.stepIn()).reason).toBe('end');
    expect(runner.position.index).toBe(15);

    const w = (n: string) => f.model.weights.get(n) as Tensor;
    const t = (x: Tensor) => tf.tensor(x.toArray(), [...x.shape]);
    const h = tf.relu(tf.add(tf.matMul(t(f.inputs.x), t(w('hidden.kernel'))), t(w('hidden.bias'))));
    const want = tf.add(tf.matMul(h, t(w('out.kernel'))), t(w('out.bias'))).dataSync();
    const got = runner.outputs().get('out/add:0') as Tensor;
    expect(got.shape).toEqual([1, 2]);
    got.toArray().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  it('runs to the next call of a name or glob', async () => {
    const { runner } = start(mlp());
    const stop = await runner.runTo('*/add');
    expect(stop.reason).toBe('goto');
    expect(at(runner)).toBe('call hidden/add');
    await runner.runTo('*/add');
    expect(at(runner)).toBe('call out/add');
    expect((await runner.runTo('nothing*')).reason).toBe('end');
  });

  it('moves backwards without recomputing, and replays forwards without recomputing', async () => {
    const { runner, ops } = start(mlp());
    await runner.continue();
    const done = ops.total();
    expect(done).toBe(5);
    expect((await runner.stepBack()).reason).toBe('step');
    expect(at(runner)).toBe('return out');
    expect((await runner.reverseContinue()).reason).toBe('entry');
    expect(runner.position.index).toBe(0);
    expect((await runner.stepBack()).reason).toBe('entry');
    await runner.stepIn();
    await runner.stepOver();
    expect(at(runner)).toBe('return hidden');
    await runner.continue();
    expect(runner.position.index).toBe(15);
    expect(ops.total()).toBe(done);
  });

  it('restarts a frame at its call event from the recording', async () => {
    const { runner, ops } = start(mlp());
    await runner.runTo('out/add');
    const stop = await runner.restartFrame(2);
    expect(stop.reason).toBe('goto');
    expect(at(runner)).toBe('call hidden');
    expect(ops.total()).toBe(4);
    await expect(runner.restartFrame(99)).rejects.toThrow(RunnerError);
    await runner.goto(12);
    expect(at(runner)).toBe('call out/add');
    await expect(runner.goto(40)).rejects.toThrow(/is not recorded/);
  });
});

describe('Runner: values and scopes', () => {
  it('shows a module frame by scope: inputs, outputs once returned, weights by role, attributes', async () => {
    const f = mlp();
    const { runner } = start(f);
    await runner.stepIn();
    const call = runner.scopes(2);
    expect([...call.inputs.keys()]).toEqual(['x']);
    expect(call.inputs.get('x')).toBe(f.inputs.x);
    expect(call.outputs.size).toBe(0);
    expect([...call.weights.keys()]).toEqual(['kernel', 'bias']);
    expect(call.weights.get('kernel')).toBe(f.model.weights.get('hidden.kernel'));
    expect(call.attrs).toEqual({ units: 3, activation: 'relu' });
    await runner.stepOver();
    expect([...runner.scopes(2).outputs.keys()]).toEqual(['hidden/relu:0']);
    // The root is active too, but has not returned.
    expect(runner.scopes(1).outputs.size).toBe(0);
  });

  it('shows a node frame with its weights by value name, apart from its inputs', async () => {
    const { runner } = start(mlp());
    await runner.runTo('hidden/matmul');
    const s = runner.scopes(runner.position.frame.id);
    expect([...s.inputs.keys()]).toEqual(['x']);
    expect([...s.weights.keys()]).toEqual(['hidden.kernel']);
    expect(() => runner.scopes(7)).toThrow(/has not been called/);
  });

  it('gives values only from the current position back', async () => {
    const { runner } = start(mlp());
    await runner.runTo('out');
    expect(runner.value('hidden/relu:0').shape).toEqual([1, 3]);
    expect(runner.value('hidden.kernel').shape).toEqual([4, 3]);
    await runner.restartFrame(2);
    expect(() => runner.value('hidden/relu:0')).toThrow(/produced later than the current position/);
    expect(() => runner.value('nope')).toThrow("there is no value named 'nope'");
  });

  it('evaluates expressions in the current frame or a given one', async () => {
    const { runner } = start(mlp());
    await runner.runTo('hidden/relu');
    expect(runner.evaluate('name')).toBe('relu');
    expect(runner.evaluate('type')).toBe('relu');
    expect(runner.evaluate('input.shape')).toEqual([1, 3]);
    expect(() => runner.evaluate('output')).toThrow(/'output' is not ready: relu has not returned yet/);
    await runner.stepIn();
    expect(runner.evaluate('output.min() >= 0')).toBe(true);
    expect(runner.evaluate('count(output < 0)')).toBe(0);
    expect(runner.evaluate('attrs.units', 2)).toBe(3);
    expect(runner.evaluate('weights.kernel.shape', 2)).toEqual([4, 3]);
    expect(runner.evaluate('x.shape')).toEqual([1, 4]);
    expect(runner.evaluate("value('hidden/add:0').size")).toBe(3);
    expect(() => runner.evaluate('inputs')).toThrow(/'inputs' is a collection \(hidden\/add:0\)/);
    const t = runner.evaluate('output * 2') as Tensor;
    const name = runner.keepResult(t);
    expect(runner.value(name)).toBe(t);
    expect(runner.evaluate(`${name}.size`)).toBe(3);
  });

  it('formats values for people', () => {
    const { runner } = start(mlp());
    expect(runner.formatValue(123456)).toBe('123456');
    expect(runner.formatValue(0.123456)).toBe('0.1235');
    expect(runner.formatValue([1, 784])).toBe('[1, 784]');
    expect(runner.formatValue(true)).toBe('true');
    expect(runner.formatValue(Tensor.from([2], [1, 2]))).toBe('float32[2] [1, 2]');
  });

  it('checks the inputs it is given against the model', () => {
    const f = mlp();
    expect(() => new Runner(f.model, {})).toThrow("model.json: input 'x' is missing");
    expect(() => new Runner(f.model, { x: Tensor.zeros([1, 5]) })).toThrow("model.json: input 'x' must be float32[?,4], got float32[1,5]");
    expect(() => new Runner(f.model, { x: Tensor.zeros([3, 4]), y: Tensor.zeros([1]) })).toThrow("the model has no input 'y'");
    expect(() => new Runner(f.model, { x: Tensor.zeros([3, 4]) })).not.toThrow();
  });
});

describe('Runner: long runs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reports progress and stops a running continue on pause()', async () => {
    const progress: [number, number][] = [];
    const { runner } = start(chain(2000, 1000), { onProgress: (d, t) => progress.push([d, t]) });
    const running = runner.continue();
    runner.pause();
    await expect(runner.stepIn()).rejects.toThrow(/still running a step/);
    const stop = await running;
    expect(stop.reason).toBe('pause');
    expect(runner.finished).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every(([, total]) => total === 4000)).toBe(true);
    const end = await runner.continue();
    expect(end.reason).toBe('end');
    expect(progress[progress.length - 1]).toEqual([4000, 4000]);
  });
});

describe('Runner: the host\'s yield', () => {
  it('yields through yieldToHost, so a pause sent from another task of the event loop gets in', async () => {
    let yields = 0;
    const yieldToHost = (): Promise<void> => new Promise<void>((resolve) => setImmediate(() => { yields++; resolve(); }));
    const { runner } = start(chain(2000, 1000), { yieldToHost });
    const running = runner.continue();
    // A task of its own, as a pause request arriving from the debug adapter is: it runs only if the runner yields.
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        if (yields < 2 && !runner.finished) return void setImmediate(tick);
        runner.pause();
        resolve();
      };
      setImmediate(tick);
    });
    const stop = await running;
    expect(stop.reason).toBe('pause');
    expect(runner.finished).toBe(false);
    expect(yields).toBeGreaterThanOrEqual(2);
    expect((await runner.continue()).reason).toBe('end');
  });
});

describe('Runner: cancellation', () => {
  it('stops a running continue on dispose() and refuses later moves', async () => {
    const { runner } = start(chain(2000, 1000));
    const running = runner.continue();
    runner.dispose();
    expect((await running).reason).toBe('pause');
    await expect(runner.stepIn()).rejects.toThrow('the debug session has ended');
    await expect(runner.stepBack()).rejects.toThrow('the debug session has ended');
  });
});
