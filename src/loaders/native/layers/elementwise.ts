import { Tensor } from '../../../engine/tensor';
import type { Value } from '../builder';
import type { JsonNode } from '../json';
import { prop } from '../json';
import type { LayerContext, LayerType } from './types';

/** The constant operand of an elementwise layer: `value` (a number) or `weights.value` (a tensor that broadcasts). */
function operand({ p, m, fail }: LayerContext): Value {
  const hasNumber = p.has('value');
  // weights.value may also come from the model's weightsFile under '<id>.value'.
  const hasWeight = hasWeightSpec(m.node) || m.declaredShape('value') !== undefined;
  if (hasNumber && hasWeight) throw fail('sets both "value" and weights.value; give one.');
  if (hasNumber) return m.constant('value', Tensor.scalar(p.number('value')));
  if (!hasWeight) throw fail('needs "value" (a number) or weights.value (a tensor that broadcasts against the input).');
  return m.weight('value', undefined);
}

/** Whether the layer's `weights` lists `value`. */
function hasWeightSpec(node: JsonNode): boolean {
  const weights = prop(node, 'weights');
  return !!weights && prop(weights, 'value') !== undefined;
}

const value = { kind: 'number', doc: 'The constant operand (or give weights.value).' } as const;

function binary(type: string, doc: string): LayerType {
  return {
    type, doc, params: { value }, weights: { value: 'any shape that broadcasts against the input' },
    build: (ctx, x) => ctx.m.op(type, [x, operand(ctx)]),
  };
}

function unary(type: string, doc: string): LayerType {
  return { type, doc, params: {}, build: ({ m }, x) => m.op(type, [x]) };
}

export const elementwiseLayers: readonly LayerType[] = [
  binary('add', 'x + value (broadcast).'),
  binary('sub', 'x - value (broadcast).'),
  binary('mul', 'x · value (broadcast).'),
  binary('div', 'x / value (broadcast).'),
  binary('pow', 'x ^ value (broadcast).'),
  unary('sqrt', 'Square root.'),
  unary('exp', 'Exponential.'),
  unary('log', 'Natural logarithm.'),
  unary('neg', '-x.'),
  unary('abs', '|x|.'),
  unary('reciprocal', '1 / x.'),
  {
    type: 'matmul',
    doc: 'x · weights.value (NumPy matmul).',
    params: {},
    weights: { value: 'the right operand, e.g. [in, out]' },
    build: ({ m }, x) => m.op('matmul', [x, m.weight('value', undefined)]),
  },
];
