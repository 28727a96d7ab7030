import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Shape, Tensor } from '../tensor';
import { conv } from '../kernels/conv';
import { explicitPads, perAxis, readWindowOptions, slidingWindow, transposeWindow } from '../kernels/convGeometry';
import type { WindowOptions } from '../kernels/convGeometry';
import { convTranspose } from '../kernels/convTranspose';
import { intAttr, intList } from '../kernels/opArgs';
import { ShapeError, fmt, needShape, windowCount } from '../shapeRules';

/** A required input, or an error naming it. */
function need(op: string, name: string, t: Tensor | undefined): Tensor {
  if (!t) throw new EngineError(`input '${name}' is required`, op);
  return t;
}

/** An image-like input: [N, C, ...spatial] with 1 to 3 spatial axes. */
export function imageShape(op: string, inputs: readonly (Shape | undefined)[]): Shape {
  const x = needShape(op, inputs, 0);
  if (x.length < 3 || x.length > 5) throw new ShapeError(`input ${fmt(x)} must be [N, C, ...spatial] with 1 to 3 spatial axes`);
  return x;
}

/**
 * The spatial output of a forward window (conv, the pools) by the kernels' own geometry, after a check that
 * words a window too large for its padded axis in terms of that axis.
 */
export function windowOutput(op: string, spatial: Shape, kernel: readonly number[], opts: WindowOptions, ceil = false): number[] {
  if (opts.autoPad !== 'SAME_UPPER' && opts.autoPad !== 'SAME_LOWER' && spatial.length === kernel.length) {
    const rank = spatial.length;
    const strides = perAxis(op, 'strides', opts.strides, rank, 1, 1);
    const dilations = perAxis(op, 'dilations', opts.dilations, rank, 1, 1);
    const pads = opts.autoPad === 'VALID' ? new Array<number>(2 * rank).fill(0) : explicitPads(op, opts.pads, rank);
    spatial.forEach((size, i) => {
      const extent = (kernel[i] - 1) * dilations[i] + 1;
      if (windowCount(size, extent, strides[i], pads[i], pads[rank + i], ceil) < 1) {
        throw new ShapeError(`a window of ${extent} does not fit an axis of ${size} padded by ${pads[i] + pads[rank + i]}`);
      }
    });
  }
  const win = slidingWindow(op, spatial, kernel, opts, ceil);
  return win.outSize.slice(3 - win.rank);
}

/** Output shape of conv and convTranspose through the same window geometry their kernels use. */
function convShape(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs, transpose: boolean): Shape[] {
  const x = imageShape(op, inputs);
  const w = needShape(op, inputs, 1);
  if (w.length !== x.length) throw new ShapeError(`kernel ${fmt(w)} must have the input's rank ${x.length}`);
  const group = intAttr(op, attrs, 'group', 1);
  const channels = transpose ? w[1] * group : w[0];
  if (group < 1 || x[1] % group !== 0 || channels % group !== 0) {
    throw new ShapeError(`group ${group} must divide the input channels (${x[1]}) and the output channels (${channels})`);
  }
  if (transpose ? x[1] !== w[0] : x[1] !== w[1] * group) {
    throw new ShapeError(transpose
      ? `input ${fmt(x)} has ${x[1]} channels but transposed kernel ${fmt(w)} takes ${w[0]}`
      : `input ${fmt(x)} has ${x[1]} channels but kernel ${fmt(w)} with group ${group} takes ${w[1] * group}`);
  }
  const b = inputs[2];
  if (b && (b.length !== 1 || b[0] !== channels)) throw new ShapeError(`bias ${fmt(b)} must be [${channels}]`);
  const opts = readWindowOptions(op, attrs);
  const spatial = transpose
    ? transposeWindow(op, x.slice(2), w.slice(2), {
      ...opts,
      outputPadding: intList(op, 'outputPadding', undefined, attrs.outputPadding),
      outputShape: intList(op, 'outputShape', undefined, attrs.outputShape),
    }).inSize
      .slice(5 - x.length)
    : windowOutput(op, x.slice(2), w.slice(2), opts);
  return [[x[0], channels, ...spatial]];
}

export const convOps: readonly OpDef[] = [
  {
    name: 'conv',
    doc: 'Convolution over 1 to 3 spatial axes (NCHW), with strides, dilations, padding and groups (ONNX Conv).',
    minInputs: 2,
    maxInputs: 3,
    run: ([x, w, b], attrs) => [conv(need('conv', 'x', x), need('conv', 'w', w), b, {
      ...readWindowOptions('conv', attrs),
      kernelShape: intList('conv', 'kernelShape', undefined, attrs.kernelShape),
      group: intAttr('conv', attrs, 'group', 1),
    })],
    shape: (inputs, attrs) => convShape('conv', inputs, attrs, false),
  },
  {
    name: 'convTranspose',
    doc: 'Transposed convolution (the gradient of conv with respect to its input), 1 to 3 spatial axes (ONNX ConvTranspose).',
    minInputs: 2,
    maxInputs: 3,
    run: ([x, w, b], attrs) => [convTranspose(need('convTranspose', 'x', x), need('convTranspose', 'w', w), b, {
      ...readWindowOptions('convTranspose', attrs),
      kernelShape: intList('convTranspose', 'kernelShape', undefined, attrs.kernelShape),
      outputPadding: intList('convTranspose', 'outputPadding', undefined, attrs.outputPadding),
      outputShape: intList('convTranspose', 'outputShape', undefined, attrs.outputShape),
      group: intAttr('convTranspose', attrs, 'group', 1),
    })],
    shape: (inputs, attrs) => convShape('convTranspose', inputs, attrs, true),
  },
];
