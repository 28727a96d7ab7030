import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { gemm, matmul, sgemm, sgemmEx } from '../../../src/engine/ops/matmul';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

/** Sizes that hit every path of sgemm: one row, a few rows (streamed), one column, packed with ragged edges. */
const SIZES: [number, number, number][] = [
  [1, 1, 1], [1, 10, 512], [1, 37, 30], [3, 9, 17], [7, 5, 3], [5, 1, 12], [8, 8, 8], [9, 13, 300], [37, 29, 53], [64, 70, 260],
];

describe('sgemm', () => {
  it('matches tf.matMul for every transpose combination and size class', () => {
    SIZES.forEach(([m, n, k], i) => {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randomTensor(transA ? [k, m] : [m, k], 100 + i);
          const b = randomTensor(transB ? [n, k] : [k, n], 200 + i);
          const want = tf.matMul(tfOf(a), tfOf(b), transA, transB);
          const c = new Float32Array(m * n);
          sgemmEx(m, n, k, 1, a.data, 0, transA, b.data, 0, transB, c, 0, false);
          expectClose(new Tensor('float32', [m, n], c), want.dataSync(), want.shape, { atol: 1e-5, rtol: 1e-5 });
        }
      }
    });
  });

  it('respects offsets, alpha and accumulation, and leaves the rest of C alone', () => {
    for (const [m, n, k] of [[2, 3, 4], [9, 6, 5], [1, 5, 3], [6, 1, 4]]) {
      const a = randomTensor([3 + m * k], m);
      const b = randomTensor([5 + k * n], n);
      const c0 = randomTensor([7 + m * n + 2], k);
      const c = Float32Array.from(c0.data);
      sgemmEx(m, n, k, 0.5, a.data, 3, false, b.data, 5, false, c, 7, true);
      const prod = tf.matMul(tf.tensor(a.data.subarray(3), [m, k]), tf.tensor(b.data.subarray(5), [k, n])).dataSync();
      for (let i = 0; i < c.length; i++) {
        const inside = i >= 7 && i < 7 + m * n;
        const want = inside ? c0.data[i] + 0.5 * prod[i - 7] : c0.data[i];
        expect(Math.abs(c[i] - want), `element ${i}`).toBeLessThan(1e-5);
      }
      sgemm(m, n, k, a.data, 3, b.data, 5, c, 7, false);
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[7 + i] - prod[i])).toBeLessThan(1e-5);
    }
  });

  it('gives zeros for k = 0 and does nothing for an empty output', () => {
    const c = new Float32Array([1, 2, 3, 4]);
    sgemm(2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 0, c, 0, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    sgemm(0, 2, 3, new Float32Array(0), 0, new Float32Array(6), 0, c, 0, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  it('propagates NaN and Inf from either operand', () => {
    for (const m of [1, 9]) {
      const a = randomTensor([m, 6], 1);
      const b = randomTensor([6, 5], 2);
      a.data[0] = NaN;
      b.data[6 * 5 - 1] = Infinity;
      const y = matmul(a, b);
      expect(y.data[0]).toBeNaN();
      expect(Number.isFinite(y.data[(m - 1) * 5 + 4])).toBe(false);
    }
  });
});

describe('matmul', () => {
  it('matches tf.matMul for 2-D operands, a dense layer shape included', () => {
    for (const [m, k, n] of [[1, 784, 512], [32, 64, 10], [5, 3, 1]]) {
      const a = randomTensor([m, k], m + k);
      const b = randomTensor([k, n], k + n);
      const want = tf.matMul(tfOf(a), tfOf(b));
      expectClose(defaultOps.run('matmul', [a, b])[0], want.dataSync(), want.shape, { atol: 1e-5, rtol: 1e-5 });
    }
  });

  it('matches onnxruntime MatMul for batched, broadcast and 1-D operands', async () => {
    const cases: [number[], number[]][] = [
      [[2, 3, 4, 5], [5, 6]],
      [[4, 5], [2, 3, 5, 6]],
      [[2, 1, 4, 5], [3, 5, 6]],
      [[3, 4, 5], [3, 5, 2]],
      [[5], [5, 6]],
      [[2, 4, 5], [5]],
      [[5], [5]],
      [[5], [3, 5, 2]],
    ];
    for (const [sa, sb] of cases) {
      const a = randomTensor(sa, sa.length * 10 + sa[0]);
      const b = randomTensor(sb, sb.length * 10 + sb[0] + 1);
      const want = (await runOrt({ opType: 'MatMul', inputs: [a, b] }))[0];
      expectClose(matmul(a, b), want.data, want.shape, { atol: 1e-5, rtol: 1e-5 });
    }
  });

  it('multiplies int32 matrices exactly, as onnxruntime does', async () => {
    const a = randomIntTensor([2, 3, 4], 1, -20, 20, 'int32');
    const b = randomIntTensor([4, 5], 2, -20, 20, 'int32');
    const want = (await runOrt({ opType: 'MatMul', inputs: [a, b] }))[0];
    const got = matmul(a, b);
    expect(got.dtype).toBe('int32');
    expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
  });

  it('names both operands when the inner dimensions differ or batch dims clash', () => {
    expect(() => defaultOps.run('matmul', [randomTensor([2, 3], 1), randomTensor([4, 5], 2)]))
      .toThrow("matmul: 'a' [2, 3] and 'b' [4, 5] do not align: 'a' has 3 columns but 'b' has 4 rows");
    expect(() => matmul(randomTensor([2, 3, 4], 1), randomTensor([5, 4, 2], 2))).toThrow(/matmul: cannot broadcast 'a' \[2\] with 'b' \[5\]/);
    expect(() => matmul(Tensor.scalar(1), randomTensor([2], 2))).toThrow("matmul: input 'a' must have rank ≥ 1");
  });
});

describe('gemm', () => {
  it('matches onnxruntime Gemm for transposes, alpha, beta and every shape of C', async () => {
    const [m, k, n] = [6, 5, 7];
    const cShapes: (number[] | undefined)[] = [undefined, [n], [1, n], [m, 1], [m, n], []];
    let seed = 1;
    for (const transA of [0, 1]) {
      for (const transB of [0, 1]) {
        for (const cShape of cShapes) {
          const a = randomTensor(transA ? [k, m] : [m, k], seed++);
          const b = randomTensor(transB ? [n, k] : [k, n], seed++);
          const c = cShape ? randomTensor(cShape, seed++) : undefined;
          const attributes = { alpha: { float: 0.75 }, beta: { float: 1.5 }, transA, transB };
          const want = (await runOrt({ opType: 'Gemm', inputs: c ? [a, b, c] : [a, b], attributes }))[0];
          const got = defaultOps.run('gemm', c ? [a, b, c] : [a, b], { alpha: 0.75, beta: 1.5, transA, transB })[0];
          expectClose(got, want.data, want.shape, { atol: 1e-5, rtol: 1e-5 });
        }
      }
    }
  });

  it('runs a batch-1 PyTorch Linear (transB) like tf.matMul plus bias', () => {
    const x = randomTensor([1, 784], 1);
    const w = randomTensor([512, 784], 2);
    const bias = randomTensor([512], 3);
    const want = tf.add(tf.matMul(tfOf(x), tfOf(w), false, true), tfOf(bias));
    expectClose(gemm(x, w, bias, { transB: true }), want.dataSync(), want.shape, { atol: 1e-5, rtol: 1e-5 });
  });

  it('names the argument that is unfit', () => {
    const a = randomTensor([2, 3], 1);
    expect(() => gemm(a, randomTensor([2, 3], 2))).toThrow("gemm: 'a' [2, 3] and 'b' [2, 3] do not align");
    expect(() => gemm(a, randomTensor([3, 4], 2), randomTensor([3, 4], 3))).toThrow("gemm: input 'c' [3, 4] does not broadcast to the result [2, 4]");
    expect(() => gemm(randomTensor([2, 3, 1], 1), a)).toThrow("gemm: input 'a' must be rank 2, got [2, 3, 1]");
    expect(() => gemm(a, Tensor.from([3, 1], [1, 2, 3], 'int32'))).toThrow("gemm: input 'b' must be float32, got int32");
  });
});
