import { Tensor } from '../../../engine/tensor';
import type { Value } from '../../native/builder';
import type { KerasLayer, LayerCall } from './types';

/** Merge layers: two or more inputs, combined elementwise (NumPy broadcasting) or concatenated. */

function chain(className: string, op: string, doc: string): KerasLayer {
  return {
    className, doc, inputs: 'many',
    build: ({ m }, inputs) => inputs.slice(1).reduce<Value>((acc, v) => m.op(op, [acc, v]), inputs[0]),
  };
}

function exactly(call: LayerCall, inputs: readonly Value[], n: number): void {
  if (inputs.length !== n) throw call.fail(`takes exactly ${n} inputs but is called with ${inputs.length}.`);
}

export const mergeLayers: readonly KerasLayer[] = [
  chain('Add', 'add', 'Sum of its inputs.'),
  chain('Multiply', 'mul', 'Product of its inputs.'),
  chain('Maximum', 'max', 'Elementwise maximum of its inputs.'),
  chain('Minimum', 'min', 'Elementwise minimum of its inputs.'),
  {
    className: 'Subtract',
    doc: 'First input minus the second.',
    inputs: 'many',
    build(call, inputs) {
      exactly(call, inputs, 2);
      return call.m.op('sub', [inputs[0], inputs[1]]);
    },
  },
  {
    className: 'Average',
    doc: 'Mean of its inputs.',
    inputs: 'many',
    build({ m }, inputs) {
      const sum = inputs.slice(1).reduce<Value>((acc, v) => m.op('add', [acc, v]), inputs[0]);
      return m.op('div', [sum, m.constant('count', Tensor.scalar(inputs.length))]);
    },
  },
  {
    className: 'Concatenate',
    doc: 'Joins its inputs along `axis` (default -1).',
    inputs: 'many',
    build: ({ m, cfg }, inputs) => m.op('concat', [...inputs], { axis: cfg.integer('axis', -1) }),
  },
];
