import type { LayerType } from './types';

const keepDims = { kind: 'boolean', doc: 'Keep reduced axes as size 1.', default: false } as const;

function reduce(type: 'reduceMean' | 'reduceSum' | 'reduceMax' | 'reduceMin', what: string): LayerType {
  return {
    type,
    doc: `${what} over \`axes\`.`,
    params: {
      axes: { kind: 'integers', doc: 'Axes to reduce; negative counts from the end.', default: [-1], minItems: 1 },
      keepDims,
    },
    build: ({ p, m }, x) => m.op(type, [x], { axes: p.integers('axes'), keepdims: p.boolean('keepDims') ? 1 : 0 }),
  };
}

/** Layers that move values around without arithmetic. They accept integer inputs too. */
export const shapeLayers: readonly LayerType[] = [
  {
    type: 'flatten',
    doc: 'Flattens to 2-D: axes before `axis` into the first, the rest into the second.',
    params: { axis: { kind: 'integer', doc: 'First axis of the second dimension.', default: 1 } },
    acceptsIntegers: true,
    build: ({ p, m }, x) => m.op('flatten', [x], { axis: p.integer('axis') }),
  },
  {
    type: 'reshape',
    doc: 'Reshapes to `shape` (batch axis included): 0 copies the input dimension, -1 is inferred.',
    params: { shape: { kind: 'integers', doc: 'The target shape, batch axis included, e.g. [0, 16, 7, 7]; 0 copies, -1 infers.', min: -1, required: true } },
    acceptsIntegers: true,
    build: ({ p, m }, x) => m.op('reshape', [x], { shape: p.integers('shape') }),
  },
  {
    type: 'transpose',
    doc: 'Permutes the axes (batch axis included).',
    params: { perm: { kind: 'integers', doc: 'The new order of the axes, e.g. [0, 2, 1].', min: 0, required: true } },
    acceptsIntegers: true,
    build: ({ p, m }, x) => m.op('transpose', [x], { perm: p.integers('perm') }),
  },
  {
    type: 'slice',
    doc: 'Takes x[starts:ends:steps] along `axes` (NumPy rules: negative indices count from the end, out-of-range bounds clamp).',
    params: {
      starts: { kind: 'integers', doc: 'First index along each axis.', required: true },
      ends: { kind: 'integers', doc: 'End index (exclusive) along each axis.', required: true },
      axes: { kind: 'integers', doc: 'The sliced axes (default: 0, 1, ...).' },
      steps: { kind: 'integers', doc: 'Step along each axis (default 1).' },
    },
    acceptsIntegers: true,
    build({ p, m }, x) {
      const starts = p.integers('starts');
      const ends = p.integers('ends');
      const attrs: Record<string, readonly number[]> = { starts, ends };
      attrs.axes = p.has('axes') ? p.integers('axes') : starts.map((_, i) => i);
      attrs.steps = p.has('steps') ? p.integers('steps') : starts.map(() => 1);
      return m.op('slice', [x], attrs);
    },
  },
  {
    type: 'pad',
    doc: 'Pads every axis: `pads` = [begin..., end...] over all axes (batch included).',
    params: {
      pads: { kind: 'integers', doc: 'Amounts [begin of each axis..., end of each axis...].', min: 0, required: true },
      mode: { kind: 'enum', doc: 'How new values are made.', values: ['constant', 'reflect', 'edge'], default: 'constant' },
      value: { kind: 'number', doc: "The fill value in 'constant' mode.", default: 0 },
    },
    build: ({ p, m }, x) => m.op('pad', [x], { pads: p.integers('pads'), mode: p.enum('mode'), value: p.number('value') }),
  },
  {
    type: 'upsample',
    doc: 'Scales the spatial axes of [N, C, ...] by `scale` (nearest repeats values; bilinear interpolates with half-pixel centres).',
    params: {
      scale: { kind: 'numberOrNumbers', doc: 'Factor for every spatial axis, or one per axis.', default: 2 },
      mode: { kind: 'enum', doc: 'Interpolation.', values: ['nearest', 'bilinear'], default: 'nearest' },
    },
    build({ p, m, fail }, x) {
      if (x.shape.length < 3) throw fail(`expects an input [N, C, ...spatial] but ${x.from} gives [${x.shape.join(', ')}].`);
      const scale = p.numberOrNumbers('scale', x.shape.length - 2);
      const mode = p.enum('mode') === 'bilinear' ? 'linear' : 'nearest';
      return m.op('resize', [x], { scales: [1, 1, ...scale], mode });
    },
  },
  {
    type: 'dropout',
    doc: 'Does nothing at inference (kept so that trained models keep their layer list).',
    params: { rate: { kind: 'number', doc: 'Training-time drop rate (ignored).', min: 0, default: 0 } },
    acceptsIntegers: true,
    build: ({ p, m }, x) => (p.number('rate'), m.op('identity', [x])),
  },
  {
    type: 'identity',
    doc: 'Returns its input.',
    params: {},
    acceptsIntegers: true,
    build: ({ m }, x) => m.op('identity', [x]),
  },
  reduce('reduceMean', 'Mean'),
  reduce('reduceSum', 'Sum'),
  reduce('reduceMax', 'Maximum'),
  reduce('reduceMin', 'Minimum'),
  {
    type: 'argmax',
    doc: 'Index of the largest value along `axis` (int64).',
    params: { axis: { kind: 'integer', doc: 'The axis; negative counts from the end.', default: -1 }, keepDims },
    build: ({ p, m }, x) => m.op('argMax', [x], { axis: p.integer('axis'), keepdims: p.boolean('keepDims') ? 1 : 0 }),
  },
];
