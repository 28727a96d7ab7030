import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import type { Model } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { randomTensor } from '../engine/helpers';
import { MemorySource } from './memorySource';
import { expectLikeTfjsGraph } from './tfjsGraphBuilder';
import type { GraphBuilder } from './tfjsGraphBuilder';
import { statelessIf, statelessWhile, tf1While } from './tfjsGraphLoops';
import { diskSource, tfjsGraphModel, tfOf } from './tfjsGraphHelpers';

/**
 * Control flow in TF.js graph models: TF1 loop frames (Enter, Merge, Switch, LoopCond, NextIteration, Exit) and
 * function-based While / If run as `while` and `if` modules, each iteration a frame, tensor lists as one tensor;
 * compared with TF.js's own graph executor (cpu backend) on the same files.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Every module frame the run called, as `depth name (type)`, in order. */
function moduleCalls(runner: Runner): string[] {
  return runner.timeline().flatMap((e) => {
    if (e.point !== 'call') return [];
    const f = runner.frame(e.frameId)!;
    return f.item.kind === 'module' ? [`${f.depth} ${f.item.name} (${f.item.type})`] : [];
  });
}

/** Largest |ours − tfjs| − rtol·|tfjs| over an output, and where. */
function excess(have: Tensor, want: ArrayLike<number>, rtol: number): { worst: number; at: number } {
  let worst = 0;
  let at = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(Number(have.data[i]) - want[i]) - rtol * Math.abs(want[i]);
    if (!(e <= worst)) [worst, at] = [e, i];
  }
  return { worst, at };
}

describe('handtrack (@vladmandic/human): a TF1 map_fn loop with tensor lists', () => {
  const path = 'node_modules/@vladmandic/human/models/handtrack.json';
  let model: Model;
  const image = (h: number, w: number, seed: number): Tensor => {
    const t = randomTensor([1, h, w, 3], seed, 0, 1);
    return Tensor.from([1, h, w, 3], Array.from(t.data, (v) => Math.floor(v * 256)), 'int32');
  };

  beforeAll(async () => {
    model = await openModel(diskSource(path));
  });

  it('opens its loop as one while module with its condition and body', () => {
    const loop = model.root.body.flatMap(function find(i): Model['root'][] {
      return i.kind === 'module' ? (i.control ? [i] : i.body.flatMap(find)) : [];
    });
    expect(loop.map((m) => [m.id, m.type, m.control?.kind])).toEqual([['StatefulPartitionedCall/map/while', 'While', 'while']]);
    const c = loop[0].control!;
    if (c.kind !== 'while') throw new Error('not a while');
    expect(c.initial).toHaveLength(6);
    expect(c.cond.params).toHaveLength(6);
    expect(c.body.module.outputs).toHaveLength(6);
  });

  for (const [h, w, seed] of [[48, 64, 3], [96, 80, 11]] as const) {
    it(`runs to the end like TensorFlow.js on a ${h}×${w} image, its iteration a frame`, async () => {
      const input = image(h, w, seed);
      const runner = new Runner(model, { input_tensor: input });
      const stop = await runner.continue();
      expect(stop.reason, runner.error?.message).toBe('end');
      const calls = moduleCalls(runner).filter((c) => /\((While|WhileIteration|cond|body)\)$/.test(c));
      // map_fn over a batch of one image: iteration 0 reads and resizes it, iteration 1's condition ends the loop.
      expect(calls).toEqual(['3 while (While)', '4 iter 0 (WhileIteration)', '5 cond (cond)', '5 body (body)', '4 iter 1 (WhileIteration)', '5 cond (cond)']);

      const oracle = await tfjsGraphModel(path);
      const names = model.outputs.map((o) => o.name);
      const feed = { input_tensor: tfOf(input) };
      const res = await oracle.executeAsync(feed, names);
      const want = Array.isArray(res) ? res : [res];
      const got = runner.outputs();
      const tol: Record<string, { atol: number; rtol: number }> = {
        Identity_6: { atol: 2e-4, rtol: 1e-4 }, Identity_7: { atol: 2e-4, rtol: 1e-4 }, // raw boxes and keypoints
        Identity_4: { atol: 1e-5, rtol: 1e-4 }, Identity_1: { atol: 2e-4, rtol: 1e-4 }, Identity_3: { atol: 2e-4, rtol: 1e-4 }, // scores, boxes
        Identity_2: { atol: 0, rtol: 0 }, Identity_5: { atol: 0, rtol: 0 }, Identity: { atol: 0, rtol: 0 }, // classes, count, indices
      };
      // Detections whose scores tie (within 1e-6) may come in either order: their per-detection rows are compared as the same set.
      const scores = await want[names.indexOf('Identity_4')].data();
      const tied = (d: number): boolean => [d - 1, d + 1].some((e) => e >= 0 && e < scores.length && Math.abs(scores[e] - scores[d]) <= 1e-6);
      let ties = 0;
      for (const [k, name] of names.entries()) {
        const have = got.get(name)!;
        expect([...have.shape], name).toEqual(want[k].shape);
        const w = await want[k].data();
        const perDetection = want[k].shape[1] === 100 && ['Identity_1', 'Identity_3', 'Identity', 'Identity_2'].includes(name);
        if (!perDetection) {
          const { worst, at: i } = excess(have, w, tol[name].rtol);
          expect(worst, `'${name}' differs most at ${i}: ${have.data[i]}`).toBeLessThanOrEqual(tol[name].atol);
          continue;
        }
        const width = w.length / 100;
        const row = (data: ArrayLike<number>, d: number): number[] => Array.from({ length: width }, (_, j) => Number(data[d * width + j]));
        const close = (a: number[], b: number[]): boolean => a.every((v, j) => Math.abs(v - b[j]) <= tol[name].atol + tol[name].rtol * Math.abs(b[j]));
        for (let d = 0; d < 100; d++) {
          const mine = row(have.data, d);
          if (!tied(d)) {
            expect(close(mine, row(w, d)), `'${name}' detection ${d}: [${mine.join(', ')}] vs [${row(w, d).join(', ')}]`).toBe(true);
            continue;
          }
          ties++;
          const group = Array.from({ length: 100 }, (_, e) => e).filter((e) => Math.abs(scores[e] - scores[d]) <= 1e-6);
          expect(group.some((e) => close(mine, row(w, e))), `'${name}' detection ${d} matches no detection of equal score`).toBe(true);
        }
      }
      expect(ties / 4).toBeLessThanOrEqual(20);
      tf.dispose([...want, feed.input_tensor]);
      oracle.dispose();
    }, 120_000);
  }
});

/** Runs a built graph and lists its module frames. */
async function builtFrames(g: GraphBuilder, inputs: Record<string, Tensor>, outputs: string[]): Promise<string[]> {
  const { json, files } = g.files(outputs);
  const runner = new Runner(await openModel(MemorySource.of(json, files)), inputs);
  const stop = await runner.continue();
  expect(stop.reason, runner.error?.message).toBe('end');
  return moduleCalls(runner);
}

describe('hand-built control flow matches TF.js', () => {
  const x = randomTensor([2, 3], 5);
  const n = (k: number): Tensor => Tensor.scalar(k, 'int32');

  for (const k of [0, 1, 4]) {
    it(`StatelessWhile over library functions, ${k} iterations`, async () => {
      await expectLikeTfjsGraph(statelessWhile(), { x, n: n(k) }, ['y', 'count'], { atol: 1e-6, rtol: 1e-6 });
    });
    it(`a TF1 while frame, ${k} iterations`, async () => {
      await expectLikeTfjsGraph(tf1While(), { x, n: n(k) }, ['y', 'count'], { atol: 1e-6, rtol: 1e-6 });
    });
  }

  it('StatelessWhile and TF1 loops step as iteration frames', async () => {
    const loop = ['2 iter 0 (WhileIteration)', '3 cond (cond)', '3 body (body)', '2 iter 1 (WhileIteration)', '3 cond (cond)', '3 body (body)', '2 iter 2 (WhileIteration)', '3 cond (cond)'];
    expect(await builtFrames(statelessWhile(), { x, n: n(2) }, ['y', 'count'])).toEqual(['0 model (model)', '1 loop (StatelessWhile)', ...loop]);
    const tf1 = await builtFrames(tf1While(), { x, n: n(2) }, ['y', 'count']);
    expect(tf1).toEqual(['0 model (model)', '1 loop (scope)', '2 while (While)', ...loop.map((c) => `${Number(c[0]) + 1}${c.slice(1)}`)]);
  });

  for (const sign of [1, -1]) {
    it(`StatelessIf over library functions takes the ${sign > 0 ? 'then' : 'else'} branch like TF.js`, async () => {
      const input = Tensor.from([2, 3], Array.from(x.data, (v) => Math.abs(v) * sign), 'float32');
      await expectLikeTfjsGraph(statelessIf(), { x: input }, ['z'], { atol: 1e-6, rtol: 1e-6 });
      const calls = (await builtFrames(statelessIf(), { x: input }, ['z'])).filter((c) => /\((StatelessIf|branch)\)$/.test(c));
      expect(calls.map((c) => c.replace(/^\d+ /, ''))).toEqual(['choose (StatelessIf)', `${sign > 0 ? 'then' : 'else'} (branch)`]);
      expect(Number(calls[1][0])).toBe(Number(calls[0][0]) + 1);
    });
  }
});
