import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../src/loaders/registry';
import type { Model } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { diskSource, graphInputs, tfjsGraphModel, tfOf } from './tfjsGraphHelpers';

/**
 * Real graph models from npm packages (test/fixtures/tfjs-graph/manifest.json): each opens with the names and
 * shapes TensorFlow.js gives it, steps through the runner to the end, and matches TensorFlow.js's
 * `GraphModel.executeAsync` on the same random input within the manifest's tolerances.
 */

interface Entry {
  path: string;
  package: string;
  inputs: { name: string; dtype: string; shape: (number | null)[] }[];
  outputs?: { name: string; shape: number[] }[];
  atol?: number;
  rtol?: number;
  runError?: string;
}

const manifest = JSON.parse(readFileSync('test/fixtures/tfjs-graph/manifest.json', 'utf8')) as { models: Entry[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const moduleCount = (m: Model): number => {
  let n = 0;
  const walk = (items: Model['root']['body']): void => items.forEach((i) => {
    if (i.kind === 'module') {
      n++;
      walk(i.body);
    }
  });
  walk(m.root.body);
  return n;
};

describe('tfjs graph loader: real models match TensorFlow.js', () => {
  it('the manifest lists at least three runnable models from npm packages', () => {
    expect(manifest.models.filter((m) => m.outputs).length).toBeGreaterThanOrEqual(3);
  });

  for (const entry of manifest.models) {
    const name = entry.path.split('/').pop()!;
    it(`${name} (${entry.package}) ${entry.runError ? 'opens and fails at its first control-flow node' : 'runs like TensorFlow.js'}`, async () => {
      const ours = await openModel(diskSource(entry.path));
      expect(ours.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...i.shape] }))).toEqual(entry.inputs.map(({ name: n, dtype, shape }) => ({ name: n, dtype, shape })));
      expect(moduleCount(ours)).toBeGreaterThan(1);
      const inputs = graphInputs(ours, 7);
      const runner = new Runner(ours, inputs);
      if (entry.runError) {
        await expect(runner.continue()).rejects.toThrow(`${name} line `);
        await expect(new Runner(ours, inputs).continue()).rejects.toThrow(entry.runError);
        return;
      }
      const stop = await runner.continue();
      expect(stop.reason, runner.error?.message).toBe('end');
      const got = runner.outputs();
      expect(ours.outputs.map((o) => o.name)).toEqual(entry.outputs!.map((o) => o.name));
      const oracle = await tfjsGraphModel(entry.path);
      expect(oracle.inputs.map((i) => i.name)).toEqual(ours.inputs.map((i) => i.name));
      expect(oracle.outputs.map((o) => o.name)).toEqual(ours.outputs.map((o) => o.name));
      const feed: Record<string, tf.Tensor> = {};
      for (const i of ours.inputs) feed[i.name] = tfOf(inputs[i.name]);
      const res = await oracle.executeAsync(feed, ours.outputs.map((o) => o.name));
      const want = Array.isArray(res) ? res : [res];
      const atol = entry.atol ?? 1e-5;
      const rtol = entry.rtol ?? 1e-4;
      for (const [k, o] of entry.outputs!.entries()) {
        const have = got.get(o.name)!;
        expect([...have.shape], `output '${o.name}' shape`).toEqual(o.shape);
        expect(want[k].shape).toEqual(o.shape);
        const w = await want[k].data();
        let worst = 0;
        let at = 0;
        for (let i = 0; i < w.length; i++) {
          const excess = Math.abs(Number(have.data[i]) - w[i]) - rtol * Math.abs(w[i]);
          if (!(excess <= worst)) [worst, at] = [excess, i];
        }
        expect(worst, `'${o.name}' differs most at ${at}: ${have.data[at]} vs ${w[at]}`).toBeLessThanOrEqual(atol);
      }
      tf.dispose(want);
      tf.dispose(Object.values(feed));
      oracle.dispose();
    }, 120_000);
  }
});
