import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { createRunner, openModelFile } from '../../../src/node/localModel';
import { accumulatingLoop } from '../loaders/onnxHelpers';

/**
 * An edit upstream of control flow decided at run time: the pass made again after the edit decides the loop
 * anew, stops where the new pass parts from the old one, and the next forward move runs the other road.
 */

/** x: [3]; a Loop runs ceil(|sum(x)|) times: s = s * 1.5 + x from s0. */
async function loopModel() {
  const bytes = accumulatingLoop();
  const file = join(mkdtempSync(join(tmpdir(), 'layerstep-edit-loop-')), 'loop.onnx');
  writeFileSync(file, bytes);
  return openModelFile(file);
}

/** The loop by hand, in float32 steps. */
function oracle(x: number[], n: number): number[] {
  let s = Float32Array.from([0.5, 0.25, 0.125]);
  for (let k = 0; k < n; k++) s = Float32Array.from(s, (v, i) => Math.fround(Math.fround(v * 1.5) + Math.fround(x[i])));
  return Array.from(s);
}

const X = [0.5, 0.8, 1.1]; // sums to 2.4: three iterations

describe('edits upstream of control flow', () => {
  it('an edit that changes a trip count already used makes the loop run its new count', async () => {
    const model = await loopModel();
    const r = createRunner(model, new Map([['x', Tensor.from([3], X)]]));
    await r.continue();
    expect(Array.from(r.outputs().get('final')!.data)).toEqual(oracle(X, 3));
    const iterations = (): number => new Set(r.timeline().map((e) => r.frame(e.frameId)!.item.name).filter((n) => n.startsWith('iter '))).size;
    expect(iterations()).toBe(3);

    r.assign("value('t') = 4.5");
    // The pass made again decides the loop anew and stops where it parts from the old one: not at the end.
    expect(r.finished).toBe(false);
    await r.continue();
    expect(r.finished).toBe(true);
    expect(iterations()).toBe(5);
    expect(Array.from(r.outputs().get('final')!.data)).toEqual(oracle(X, 5));

    // And back: Revert decides it again as loaded.
    r.revertEdits();
    await r.continue();
    expect(iterations()).toBe(3);
    expect(Array.from(r.outputs().get('final')!.data)).toEqual(oracle(X, 3));
  });

  it('an edit inside an iteration changes what follows it, the later iterations included', async () => {
    const model = await loopModel();
    const r = createRunner(model, new Map([['x', Tensor.from([3], X)]]));
    await r.continue();
    r.assign("value('acc/Loop/iter 1/s_out')[0] = 10");
    await r.continue();
    // By hand: iteration 1's result has element 0 set to 10, then iteration 2 runs on it.
    let s = Float32Array.from(oracle(X, 2));
    s[0] = 10;
    s = Float32Array.from(s, (v, i) => Math.fround(Math.fround(v * 1.5) + Math.fround(X[i])));
    expect(Array.from(r.outputs().get('final')!.data)).toEqual(Array.from(s));
  });
});
