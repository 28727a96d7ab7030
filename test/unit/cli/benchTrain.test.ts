import { describe, expect, it } from 'vitest';
import { BenchMismatchError } from '../../../src/bench/bench';
import type { BenchResult } from '../../../src/bench/bench';
import type { MeasureOptions } from '../../../src/bench/measure';
import { formatBenchJson, formatBenchTable } from '../../../src/bench/report';
import { TRAIN_WORKLOAD_IDS, buildTrainWorkloads, runTrainBench, trainWorkload } from '../../../src/bench/train';
import type { TrainPeer } from '../../../src/bench/train';
import { loadTfjsTrainPeer } from '../../../src/bench/trainTfjs';
import { WORKLOAD_IDS } from '../../../src/bench/workloads';
import { benchCommand } from '../../../src/cli/bench';
import type { Workload } from '../../../src/bench/workloads';
import { mulberry32 } from '../../../src/engine/random';
import { Tensor } from '../../../src/engine/tensor';

const ONCE: MeasureOptions = { warmup: 0, minReps: 1, maxReps: 1, minMillis: 0, maxMillis: 0 };

/** cnn-b32's layers at batch 4 on 1×8×8: conv 1→4, pool, conv 4→6, pool, flatten, dense 24→10. */
function smallCnn(): Workload {
  const rand = mulberry32(11);
  const uniform = (shape: number[], limit: number): Tensor<'float32'> => Tensor.from(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, () => (2 * rand() - 1) * limit));
  const conv = (name: string, cin: number, cout: number) => ({
    kind: 'conv' as const, name, kernel: uniform([cout, cin, 3, 3], 0.5), bias: uniform([cout], 0.1), pad: 1, stride: 1, group: 1, activation: 'relu' as const,
  });
  return {
    id: 'small-cnn', name: 'small cnn', description: 'a small CNN', inputShape: [4, 1, 8, 8], input: uniform([4, 1, 8, 8], 1),
    layers: [
      conv('conv1', 1, 4), { kind: 'maxPool', name: 'pool1', size: 2 }, conv('conv2', 4, 6), { kind: 'maxPool', name: 'pool2', size: 2 },
      { kind: 'flatten', name: 'flatten' }, { kind: 'dense', name: 'dense', kernel: uniform([24, 10], 0.4), bias: uniform([10], 0.1), activation: 'linear' },
    ],
  };
}

describe('the training bench', () => {
  it('has its own workload ids, one per trained forward workload', () => {
    expect(TRAIN_WORKLOAD_IDS).toEqual(['train-mlp-b32', 'train-cnn-b32']);
    expect(TRAIN_WORKLOAD_IDS.some((id) => WORKLOAD_IDS.includes(id))).toBe(false);
    const [mlp] = buildTrainWorkloads(['train-mlp-b32']);
    expect(mlp.workload.id).toBe('mlp-b32');
    expect(mlp.target.shape).toEqual([32, 10]);
    // One-hot: each row sums to 1.
    for (let r = 0; r < 32; r++) expect(mlp.target.data.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b)).toBe(1);
  });

  it('has the Trainer and TensorFlow.js (wasm and cpu) agree on the first two steps, then times them', async () => {
    const peers = [await loadTfjsTrainPeer('wasm'), await loadTfjsTrainPeer('cpu')];
    expect(peers.map((p) => ('reason' in p ? p.reason : p.name))).toEqual(['tfjs-wasm', 'tfjs']);
    const asked: number[] = [];
    const rows = await runTrainBench({
      measure: ONCE, peers, workloads: buildTrainWorkloads(['train-mlp-b32']),
      threads: { configure: (n) => asked.push(n), all: 2 },
    });
    expect(asked).toEqual([1, 2]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ id: 'train-mlp-b32', workload: 'mlp b32', loss: 'cce-logits', optimizer: 'adam', batch: 32 });
    expect(Object.keys(row.peers)).toEqual(['tfjs-wasm', 'tfjs']);
    expect(row.leftOut).toBeUndefined();
    for (const who of ['tfjs-wasm', 'tfjs', 'threads']) expect(row.maxAbsDiff[who], who).toBeLessThan(1e-4);
    // A first loss near ln 10 (ten classes, small logits), and Adam's first update lowering it.
    expect(row.losses[0]).toBeGreaterThan(1);
    expect(row.losses[1]).toBeLessThan(row.losses[0]);
    expect(row.engine.reps).toBe(1);
    expect(row.engineAll?.reps).toBe(1);

    const result: BenchResult = { rows: [], peers: [], skipped: [], measure: ONCE, engine: { one: { threads: 1, simd: true, relaxedSimd: false }, all: { threads: 2, simd: true, relaxedSimd: false } }, training: rows };
    const table = formatBenchTable(result);
    expect(table).toMatch(/^Training step: median times\n\nworkload +tfjs-wasm +tfjs +layerstep 1T +layerstep 2T +loss\n/);
    expect(table).toMatch(/\nmlp b32 +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +cce-logits, adam\n/);
    expect(table).toMatch(/\nworkload +tfjs +layerstep 1T +layerstep 2T\n[- ]+\nmlp b32 +[\d.]+× +[\d.]+× +[\d.]+×\n/);
    expect(table).not.toMatch(/Median times\n/);
    expect(JSON.parse(formatBenchJson(result, {})).training[0].peers['tfjs-wasm'].reps).toBe(1);
  });

  it('trains a small CNN alike (NHWC convs, max pools, a flatten before a dense layer), or says why a backend cannot', async () => {
    const peers = [await loadTfjsTrainPeer('wasm'), await loadTfjsTrainPeer('cpu')];
    // The bench's CNN at a size TensorFlow.js's cpu backend trains quickly (its conv gradients take seconds at batch 32).
    const [row] = await runTrainBench({ measure: ONCE, peers, workloads: [trainWorkload(smallCnn(), 'train-small-cnn')] });
    expect(row.maxAbsDiff.tfjs).toBeLessThan(1e-4);
    expect(row.losses[1]).toBeLessThan(row.losses[0]);
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel; a later one may.
    if (row.leftOut?.['tfjs-wasm']) {
      expect(row.leftOut['tfjs-wasm']).toBe('the wasm backend has no Conv2DBackpropFilter kernel');
      expect(formatBenchTable({ rows: [], peers: [], skipped: [], measure: ONCE, training: [row] }))
        .toMatch(/\nsmall cnn training: tfjs-wasm not run \(the wasm backend has no Conv2DBackpropFilter kernel\)\.\n/);
    } else {
      expect(row.maxAbsDiff['tfjs-wasm']).toBeLessThan(1e-4);
    }
  });

  it('fails loudly when a peer trains to other losses', async () => {
    const liar: TrainPeer = { name: 'liar', prepare: async () => ({ step: async () => 1, dispose: () => undefined }) };
    const run = runTrainBench({ measure: ONCE, peers: [liar], workloads: buildTrainWorkloads(['train-mlp-b32']) });
    await expect(run).rejects.toThrow(BenchMismatchError);
  });

  it('runs from `bench --quick --workload train-mlp-b32`, the training table alone', async () => {
    let out = '';
    await benchCommand({ quick: true, workloads: ['train-mlp-b32'], threads: 2 }, { out: (t) => { out += t; }, err: () => undefined, stderrIsTTY: false });
    expect(out).toMatch(/^Training step: median times\n\nworkload +tfjs-wasm +tfjs +layerstep 1T +layerstep 2T +loss\n[- ]+\nmlp b32 +[\d.]+ ms/);
    await expect(benchCommand({ quick: true, workloads: ['train-nothing'] }, { out: () => undefined, err: () => undefined, stderrIsTTY: false }))
      .rejects.toThrow(/--workload 'train-nothing' is not a workload; choose from mlp-b1, .*, gpt2, train-mlp-b32, train-cnn-b32\./);
  });
});
