import { describe, expect, it } from 'vitest';
import { formatInspect } from '../../../src/cli/inspect';
import { Tensor } from '../../../src/engine/tensor';
import type { Model } from '../../../src/model/ir';

/** A model with a dense layer inside a block, and an ONNX-style constant read directly by a node. */
function model(): Model {
  const weights = new Map<string, Tensor>([
    ['k', Tensor.from([2, 3], [1, 2, 3, 4, 5, 6])],
    ['b', Tensor.from([3], [0, 0, 1])],
    ['shape', Tensor.from([1], [-1], 'int64')],
    ['scale', Tensor.from([3], [2, 2, 2])],
  ]);
  return {
    format: 'test', name: 'tiny', file: '/some/where/tiny.json',
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null] }],
    weights,
    labels: ['a', 'b', 'c'],
    examples: [{ name: 'ones', inputs: { x: Tensor.from([1, 2], [1, 1]) } }],
    root: {
      kind: 'module', id: 'tiny', name: 'tiny', type: 'model', inputs: ['x'], outputs: ['y'], weights: {}, attrs: {},
      body: [
        {
          kind: 'module', id: 'block', name: 'block', type: 'sequential', inputs: ['x'], outputs: ['h2'], weights: {}, attrs: {},
          body: [{
            kind: 'module', id: 'block/dense', name: 'dense', type: 'dense', inputs: ['x'], outputs: ['h2'], weights: { kernel: 'k', bias: 'b' }, attrs: {},
            body: [
              { kind: 'node', id: 'block/dense/matmul', name: 'matmul', op: 'matmul', inputs: ['x', 'k'], outputs: ['h1'], attrs: {} },
              { kind: 'node', id: 'block/dense/add', name: 'add', op: 'add', inputs: ['h1', 'b'], outputs: ['h2'], attrs: {} },
            ],
          }],
        },
        { kind: 'node', id: 'mul', name: 'mul', op: 'mul', inputs: ['h2', 'scale'], outputs: ['h3'], attrs: {} },
        { kind: 'node', id: 'reshape', name: 'reshape', op: 'reshape', inputs: ['h3', 'shape'], outputs: ['y'], attrs: {} },
      ],
    },
  };
}

describe('inspect', () => {
  it('shows inputs, outputs, the module tree with parameter counts and weight summaries, and op counts, then every weight by name', () => {
    const text = formatInspect(model());
    expect(text).toBe([
      '/some/where/tiny.json: tiny (test)',
      'inputs:  x float32[batch, 2]',
      'outputs: y float32[?]',
      'parameters: 12 (48 B as float32)',
      'labels: 3 (a, b, c)',
      'examples: ones',
      '',
      'modules:',
      '  tiny [model]  12 params',
      '    block [sequential]  9 params',
      '      dense [dense]  9 params',
      '        kernel = float32[2,3] μ=3.5 σ=1.708 [1, 6]',
      '        bias = float32[3] [0, 0, 1]',
      '        matmul: matmul',
      '        add: add',
      '    mul: mul',
      '      scale = float32[3] [2, 2, 2]',
      '    reshape: reshape',
      '      shape = int64[1] [-1]',
      '',
      'ops:',
      '  add      ×1',
      '  matmul   ×1',
      '  mul      ×1',
      '  reshape  ×1',
      '',
      'weights:',
      '  k  float32[2,3]',
      '  b  float32[3]',
      '  shape  int64[1]',
      '  scale  float32[3]',
      '',
    ].join('\n'));
  });
});
