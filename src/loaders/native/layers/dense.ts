import { fmt } from '../../../model/shapes';
import type { ParamTable } from '../params';
import { activate } from './activation';
import type { LayerType } from './types';

const activation = { kind: 'activation', doc: 'Activation applied to the output.', default: 'linear' } as const;
const useBias = { kind: 'boolean', doc: 'Whether the layer adds a bias.', default: true } as const;

const denseParams: ParamTable = {
  units: { kind: 'integer', doc: 'Size of the output\'s last axis.', min: 1, required: true },
  activation,
  useBias,
};

/** `dense`: y = activation(x · kernel + bias) on the last axis; calls matmul, add and the activation's op. */
export const dense: LayerType = {
  type: 'dense',
  doc: 'Fully connected layer on the last axis: activation(x · kernel + bias).',
  params: denseParams,
  weights: { kernel: '[in, units]', bias: '[units]' },
  build({ p, m, fail }, x) {
    const units = p.integer('units');
    const act = p.activation();
    const bias = p.boolean('useBias');
    if (x.shape.length < 1) throw fail(`needs an input of rank 1 or more but ${x.from} gives a scalar.`);
    const inDim = x.shape[x.shape.length - 1];
    const declared = m.declaredShape('kernel');
    if (declared?.length === 2 && declared[0] !== inDim) {
      throw fail(`expects an input whose last dimension is ${declared[0]} (its kernel is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    if (declared?.length === 2 && declared[1] !== units) {
      throw fail(`has units ${units} but its kernel is ${fmt(declared)}; a dense kernel is [in, units].`);
    }
    let y = m.op('matmul', [x, m.weight('kernel', [inDim, units])]);
    if (bias) y = m.op('add', [y, m.weight('bias', [units])]);
    return activate(m, y, act);
  },
};

/** `embedding`: looks integer ids up in a table; calls gather on axis 0. */
export const embedding: LayerType = {
  type: 'embedding',
  doc: 'Looks integer ids up in a table of vectors: output shape is the input shape + [outputDim].',
  params: {
    inputDim: { kind: 'integer', doc: 'Number of rows of the table (the vocabulary size).', min: 1, required: true },
    outputDim: { kind: 'integer', doc: 'Length of each vector.', min: 1, required: true },
  },
  weights: { embeddings: '[inputDim, outputDim]' },
  acceptsIntegers: true,
  build({ p, m, fail }, x) {
    const inputDim = p.integer('inputDim');
    const outputDim = p.integer('outputDim');
    if (x.dtype !== 'int32' && x.dtype !== 'int64') {
      throw fail(`expects integer ids (int32 or int64) but ${x.from} gives ${x.dtype} ${fmt(x.shape)}; declare the input with "dtype": "int32".`);
    }
    const table = m.weight('embeddings', [inputDim, outputDim]);
    return m.op('gather', [table, x], { axis: 0 });
  },
};
