import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { randomInputs } from '../../../src/loaders/tensors/random';
import { suggestShapes } from '../../../src/model/specialize';
import { randomShapes } from '../../../src/service/inputs';
import { REPO } from '../debug/dapDriver';
import { encodeModel, load, runLayerstep, runOrt } from './onnxHelpers';
import type { ModelSpec } from './onnxHelpers';

/**
 * An ONNX model whose input is [batch, 3, height, width]: it runs at any size its convolutions and pool accept,
 * like onnxruntime, and the sizes offered before a run are the smallest it accepts. The model is also the
 * end-to-end tests' fixture (test/fixtures/e2e/open-sizes/model.onnx; UPDATE_FIXTURES=1 writes it).
 */

const FIXTURE = join(REPO, 'test/fixtures/e2e/open-sizes/model.onnx');

const weights = (shape: number[], seed: number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(shape, Array.from({ length: n }, (_, i) => Math.sin(seed * 3.7 + i * 0.61) * 0.4), 'float32');
};

function fcn(): ModelSpec {
  return {
    name: 'open-sizes', producer: 'layerstep tests',
    inputs: [{ name: 'image', dtype: 'float32', shape: ['batch', 3, 'height', 'width'] }],
    outputs: [{ name: 'probs', dtype: 'float32', shape: ['batch', 4] }],
    initializers: {
      'stem.weight': weights([8, 3, 3, 3], 1), 'stem.bias': weights([8], 2),
      'mix.weight': weights([6, 8, 3, 3], 3), 'mix.bias': weights([6], 4),
      'head.weight': weights([4, 6], 5), 'head.bias': weights([4], 6),
    },
    nodes: [
      { op: 'Conv', name: '/stem/Conv', inputs: ['image', 'stem.weight', 'stem.bias'], outputs: ['s'], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: '/stem/Relu', inputs: ['s'], outputs: ['r'] },
      { op: 'MaxPool', name: '/pool/MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', name: '/mix/Conv', inputs: ['p', 'mix.weight', 'mix.bias'], outputs: ['m'] },
      { op: 'GlobalAveragePool', name: '/head/GlobalAveragePool', inputs: ['m'], outputs: ['g'] },
      { op: 'Flatten', name: '/head/Flatten', inputs: ['g'], outputs: ['f'] },
      { op: 'Gemm', name: '/head/Gemm', inputs: ['f', 'head.weight', 'head.bias'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'Softmax', name: '/head/Softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: 1 } },
    ],
  };
}

describe('an ONNX model with open sizes', () => {
  it('is the end-to-end fixture', () => {
    const bytes = encodeModel(fcn());
    if (process.env.UPDATE_FIXTURES || !existsSync(FIXTURE)) writeFileSync(FIXTURE, bytes);
    expect(Buffer.from(readFileSync(FIXTURE)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('runs at several sizes like onnxruntime', async () => {
    const bytes = encodeModel(fcn());
    const model = await load(bytes);
    for (const shape of [[1, 3, 32, 32], [2, 3, 48, 40], [1, 3, 12, 17]]) {
      const inputs = Object.fromEntries(randomInputs(model.inputs, 5, new Map([['image', shape]])));
      const want = (await runOrt(bytes, inputs)).get('probs')!;
      const got = (await runLayerstep(model, inputs)).get('probs')!;
      expect([...got.shape]).toEqual([...want.shape]);
      for (let i = 0; i < want.size; i++) expect(Math.abs(got.data[i] - want.data[i])).toBeLessThanOrEqual(1e-5);
    }
  });

  it('offers the smallest image size its convolutions and pool accept, and asks instead of guessing', async () => {
    const model = await load(encodeModel(fcn()));
    // 32 is the smallest size offered for an image; 12 would be the smallest this model takes.
    expect(suggestShapes(model).get('image')).toEqual([1, 3, 32, 32]);
    expect(() => model.checkShapes?.(new Map([['image', [1, 3, 8, 8]]]))).toThrow();
    expect(() => randomShapes(model, undefined)).toThrow("model.onnx: input 'image' has open sizes [batch, 3, height, width]; give it a shape (such as --shape image=1,3,32,32) or an input file.");
  });
});
