import { describe, expect, it } from 'vitest';
import { BenchMismatchError, runBench } from '../../../src/bench/bench';
import type { BenchResult } from '../../../src/bench/bench';
import { compareOutputs, measure } from '../../../src/bench/measure';
import type { MeasureOptions } from '../../../src/bench/measure';
import { loadOrtPeer } from '../../../src/bench/ortPeer';
import type { Peer } from '../../../src/bench/peer';
import { runPlain } from '../../../src/bench/plain';
import { formatBenchTable } from '../../../src/bench/report';
import { loadTfjsPeer } from '../../../src/bench/tfjsPeer';
import { benchWorkloads, engineModel, outputShape } from '../../../src/bench/workloads';
import type { Workload } from '../../../src/bench/workloads';
import { OpRegistry } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';

const ONCE: MeasureOptions = { warmup: 0, minReps: 1, maxReps: 1, minMillis: 0 };
const small = (): Workload[] => benchWorkloads().filter((w) => w.name === 'mlp b1' || w.name === 'cnn b1');

/** A registry with a naive 2-D matmul only: enough to drive the bench without the engine's kernels. */
function naiveOps(): OpRegistry {
  const reg = new OpRegistry();
  reg.register({
    name: 'matmul', doc: 'test matmul', minInputs: 2, maxInputs: 2,
    run: ([a, b]) => {
      const [m, k] = a!.shape;
      const n = b!.shape[1];
      const out = Tensor.zeros([m, n]);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a!.data[i * k + p] * b!.data[p * n + j];
        out.data[i * n + j] = s;
      }
      return [out];
    },
  });
  return reg;
}

/** A one-layer workload: x[4,8] · b[8,3]. */
function tinyMatmul(): Workload {
  const x = Tensor.from([4, 8], Array.from({ length: 32 }, (_, i) => Math.sin(i)));
  const b = Tensor.from([8, 3], Array.from({ length: 24 }, (_, i) => Math.cos(i)));
  return { name: 'tiny', description: 'x·b', inputShape: [4, 8], input: x, layers: [{ kind: 'matmul', name: 'mm', b }] };
}

describe('bench workloads and peers', () => {
  it('builds engine models whose declared output shapes follow the layers', () => {
    const shapes = Object.fromEntries(benchWorkloads().map((w) => [w.name, outputShape(w)]));
    expect(shapes).toEqual({
      'mlp b1': [1, 10], 'mlp b32': [32, 10], 'cnn b1': [1, 10], 'cnn b32': [32, 10],
      'conv 64→64 56²': [1, 64, 56, 56], 'matmul 512²': [512, 512],
    });
    const cnn = engineModel(benchWorkloads()[2]);
    expect(cnn.root.body.map((m) => `${m.name}:${m.kind === 'module' ? m.body.map((n) => n.name).join('+') : ''}`))
      .toEqual(['conv1:conv+relu', 'pool1:maxPool', 'conv2:conv+relu', 'pool2:maxPool', 'flatten:flatten', 'dense:matmul+add']);
  });

  it('has TensorFlow.js (NHWC, fused) and ONNX Runtime agree on the same weights', async () => {
    const tfjs = await loadTfjsPeer();
    const ort = await loadOrtPeer();
    expect('reason' in tfjs || 'reason' in ort).toBe(false);
    for (const w of small()) {
      const a = await (tfjs as Peer).prepare(w);
      const b = await (ort as Peer).prepare(w);
      const c = compareOutputs(await a.result(), await b.result(), 1e-5, 1e-4);
      expect(c.ok, `${w.name}: ${c.detail}`).toBe(true);
      a.dispose();
      b.dispose();
    }
  });
});

describe('bench harness', () => {
  it('takes the median of the timed runs after warm-up', async () => {
    let calls = 0;
    const t = await measure(() => { calls++; }, { warmup: 2, minReps: 5, maxReps: 5, minMillis: 0 });
    expect(calls).toBe(7);
    expect(t.reps).toBe(5);
    expect(t.medianMs).toBeGreaterThanOrEqual(t.minMs);
  });

  it('times the engine plain and recorded and each peer, after checking they agree', async () => {
    const ops = naiveOps();
    const w = tinyMatmul();
    const ort = await loadOrtPeer();
    const result = await runBench({
      measure: ONCE, ops, workloads: [w],
      recorded: async (model, inputs) => runPlain(model, inputs, ops),
      peers: [ort, { name: 'absent', reason: 'not installed' }],
    });
    expect(result.peers).toEqual(['ort']);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0].maxAbsDiff.ort).toBeLessThan(1e-5);
    const table = formatBenchTable(result);
    expect(table).toMatch(/^workload +engine +engine\+rec +rec\. overhead +ort +ort\/engine\n/);
    expect(table).toMatch(/\ntiny +[\d.]+ ms +[\d.]+ ms +[+-][\d.]+% +[\d.]+ ms +[\d.]+×\n/);
    expect(table).toMatch(/\nabsent: skipped, not installed\.\n$/);
  });

  it('fails loudly when a peer disagrees with the engine', async () => {
    const ops = naiveOps();
    const liar: Peer = {
      name: 'liar',
      prepare: async () => ({ run: () => undefined, result: async () => new Float32Array(12).fill(1), dispose: () => undefined }),
    };
    await expect(runBench({
      measure: ONCE, ops, workloads: [tinyMatmul()], recorded: async (m, i) => runPlain(m, i, ops), peers: [liar],
    })).rejects.toThrow(BenchMismatchError);
    await expect(runBench({
      measure: ONCE, ops, workloads: [tinyMatmul()], recorded: async (m, i) => runPlain(m, i, ops), peers: [liar],
    })).rejects.toThrow(/^bench: liar and the engine disagree on 'tiny' \(element 0 is 1, expected /);
  });

  it('reports the recorded run disagreeing with the plain one', async () => {
    const ops = naiveOps();
    const result: Promise<BenchResult> = runBench({
      measure: ONCE, ops, workloads: [tinyMatmul()], peers: [],
      recorded: async (model) => new Map([[model.outputs[0].name, Tensor.zeros([4, 3])]]),
    });
    await expect(result).rejects.toThrow(/bench: runner and the engine disagree on 'tiny'/);
  });
});
