import { describe, expect, it } from 'vitest';
import { BenchMismatchError, runBench } from '../../../src/bench/bench';
import type { BenchResult } from '../../../src/bench/bench';
import { compareOutputs, measure, repsFor } from '../../../src/bench/measure';
import type { MeasureOptions } from '../../../src/bench/measure';
import { loadOrtPeer, loadOrtWebPeer } from '../../../src/bench/ortPeer';
import type { Peer, SkippedPeer } from '../../../src/bench/peer';
import { runPlain } from '../../../src/bench/plain';
import { formatBenchTable } from '../../../src/bench/report';
import { loadTfjsPeer } from '../../../src/bench/tfjsPeer';
import { WORKLOAD_IDS, benchWorkloads, buildWorkloads, engineModel, matmulWorkload, mobilenet, outputShape, transformer } from '../../../src/bench/workloads';
import type { Workload } from '../../../src/bench/workloads';
import { defaultOps } from '../../../src/engine/ops';
import { OpRegistry } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';

const ONCE: MeasureOptions = { warmup: 0, minReps: 1, maxReps: 1, minMillis: 0, maxMillis: 0 };
const small = (): Workload[] => [...buildWorkloads(['mlp-b1', 'cnn-b1'])];

/** The new workloads at reduced sizes: every layer kind (strided and depthwise convs, attention, residuals...). */
const reduced = (): Workload[] => [
  mobilenet(32, 0.25, 10),
  matmulWorkload(64),
  transformer({ d: 64, heads: 4, seq: 16, blocks: 1 }),
  transformer({ d: 64, heads: 4, seq: 16, blocks: 2 }),
];

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
  return { id: 'tiny', name: 'tiny', description: 'x·b', inputShape: [4, 8], input: x, layers: [{ kind: 'matmul', name: 'mm', b }] };
}

describe('bench workloads and peers', () => {
  it('builds engine models whose declared output shapes follow the layers', () => {
    const all = benchWorkloads();
    const shapes = Object.fromEntries(all.map((w) => [w.name, outputShape(w)]));
    expect(shapes).toEqual({
      'mlp b1': [1, 10], 'mlp b32': [32, 10], 'cnn b1': [1, 10], 'cnn b32': [32, 10], 'mobilenet 224²': [1, 1000],
      'conv 64→64 56²': [1, 64, 56, 56], 'matmul 512²': [512, 512], 'matmul 1024²': [1024, 1024],
      'transformer s128': [1, 128, 768], 'gpt2 12×768 s128': [1, 128, 768],
    });
    expect(all.map((w) => w.id)).toEqual(WORKLOAD_IDS);
    expect([...buildWorkloads(['matmul512', 'mlp-b1'])].map((w) => w.id)).toEqual(['mlp-b1', 'matmul512']);
    const cnn = engineModel([...buildWorkloads(['cnn-b1'])][0]);
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

describe('the larger workloads at reduced sizes', () => {
  // Tolerances: float32 with different summation orders; the two-block stack passes values through four
  // residual branches and three layer norms, measured below 2e-5 (see the test's messages on failure).
  const ATOL = 1e-4;
  const RTOL = 1e-3;

  it('has declared output shapes matching what the engine computes', () => {
    for (const w of reduced()) {
      const model = engineModel(w);
      const out = runPlain(model, new Map([['x', w.input]]), defaultOps).get(model.outputs[0].name)!;
      expect(out.shape, w.id).toEqual(outputShape(w));
    }
    expect(outputShape(mobilenet(32, 0.25, 10))).toEqual([1, 10]);
    expect(outputShape(transformer({ d: 64, heads: 4, seq: 16, blocks: 2 }))).toEqual([1, 16, 64]);
  });

  const peers: [string, () => Promise<Peer | SkippedPeer>][] = [
    ['tfjs-cpu', () => loadTfjsPeer('cpu')], ['onnxruntime-node', loadOrtPeer], ['onnxruntime-web', loadOrtWebPeer], ['tfjs-wasm', () => loadTfjsPeer('wasm')],
  ];
  for (const [label, load] of peers) {
    it(`agrees with the engine: ${label}`, async () => {
      const peer = await load();
      expect('reason' in peer ? peer.reason : '').toBe('');
      for (const w of reduced()) {
        const model = engineModel(w);
        const expected = runPlain(model, new Map([['x', w.input]]), defaultOps).get(model.outputs[0].name)!.data;
        const run = await (peer as Peer).prepare(w);
        try {
          const c = compareOutputs(await run.result(), expected, ATOL, RTOL);
          expect(c.ok, `${(peer as Peer).name} on ${w.id}: ${c.detail}, largest difference ${c.maxAbsDiff}`).toBe(true);
          // A test that could pass on all-zero outputs would prove nothing.
          expect(Math.max(...Array.from(expected, Math.abs)), w.id).toBeGreaterThan(0.1);
        } finally {
          run.dispose();
        }
      }
    });
  }
});

describe('bench harness', () => {
  it('takes the median of the timed runs after warm-up', async () => {
    let calls = 0;
    const t = await measure(() => { calls++; }, { warmup: 2, minReps: 5, maxReps: 5, minMillis: 1000, maxMillis: 1000 });
    expect(calls).toBe(7);
    expect(t.reps).toBe(5);
    expect(t.medianMs).toBeGreaterThanOrEqual(t.minMs);
  });

  it('gives slow runs fewer repetitions, by time budget', () => {
    const o: MeasureOptions = { warmup: 3, minReps: 7, maxReps: 200, minMillis: 1000, maxMillis: 4000 };
    expect(repsFor(0.01, o)).toBe(200);
    expect(repsFor(10, o)).toBe(100);
    expect(repsFor(300, o)).toBe(7);
    expect(repsFor(1000, o)).toBe(4);
    expect(repsFor(9000, o)).toBe(1);
  });

  it('times the engine plain and recorded and each peer, after checking they agree', async () => {
    const ops = naiveOps();
    const w = tinyMatmul();
    const ort = await loadOrtPeer();
    const asked: number[] = [];
    const result = await runBench({
      measure: ONCE, ops, workloads: [w],
      recorded: async (model, inputs) => runPlain(model, inputs, ops),
      peers: [ort, { name: 'absent', reason: 'not installed' }],
      threads: { configure: (threads) => { asked.push(threads); return { threads, simd: false, relaxedSimd: false }; }, all: 3 },
    });
    expect(asked).toEqual([1, 3, 1, 3]);
    expect(result.peers).toEqual(['ort']);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0].maxAbsDiff.ort).toBeLessThan(1e-5);
    expect(result.rows[0].engineAll?.reps).toBe(1);
    expect(result.engine?.all.threads).toBe(3);
    const table = formatBenchTable(result);
    expect(table).toMatch(/^Median times\n\nworkload +ort +layerstep 1T +rec 1T +layerstep 3T +rec 3T +rec\. overhead\n/);
    expect(table).toMatch(/\ntiny +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[+-][\d.]+%\n/);
    expect(table).toMatch(/\nworkload +layerstep 1T +rec 1T +layerstep 3T +rec 3T\n/);
    expect(table).toMatch(/\ntiny +[\d.]+× +[\d.]+× +[\d.]+× +[\d.]+×\n/);
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
