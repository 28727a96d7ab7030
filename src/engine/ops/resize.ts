import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { COORDINATE_MODES, NEAREST_MODES, RESIZE_MODES, resize } from '../kernels/resize';
import { enumAttr, floatAttr, fmtShape, intAttr, intList, normalizeAxes, numberList, required } from '../kernels/opArgs';
import { needShape } from '../shapeRules';

export { resize, sourceCoordinate } from '../kernels/resize';
export type { CoordinateTransformationMode, NearestMode, ResizeMode, ResizeOptions } from '../kernels/resize';

const OP = 'resize';

/**
 * Output shape and per-axis scales of ONNX Resize-19. `scales` give floor(in · scale) elements; `sizes` give
 * the count directly and scale = out / in, except that keepAspectRatioPolicy `not_larger` / `not_smaller`
 * use one scale (the smallest / largest) for every listed axis. Scales are float32 in ONNX, and so here.
 */
export function resizeTarget(
  inShape: readonly number[], scalesIn: readonly number[] | undefined, sizesIn: readonly number[] | undefined, attrs: Attrs,
): { outShape: number[]; scales: number[] } {
  const r = inShape.length;
  const axesAttr = intList(OP, 'axes', undefined, attrs.axes);
  const axes = axesAttr ? normalizeAxes(OP, axesAttr, r) : inShape.map((_, i) => i);
  const outShape = [...inShape];
  const scales = new Array<number>(r).fill(1);
  if ((scalesIn === undefined) === (sizesIn === undefined)) {
    throw new EngineError(`needs exactly one of 'scales' (input 2) and 'sizes' (input 3)`, OP);
  }
  const given = (scalesIn ?? sizesIn) as readonly number[];
  if (given.length !== axes.length) {
    const what = scalesIn ? 'scales' : 'sizes';
    throw new EngineError(`'${what}' has ${given.length} values but the input ${fmtShape(inShape)} needs ${axes.length}`, OP);
  }
  if (scalesIn) {
    axes.forEach((a, i) => {
      const s = Math.fround(scalesIn[i]);
      if (!(s > 0)) throw new EngineError(`'scales' must be positive, got ${scalesIn[i]} for axis ${a}`, OP);
      scales[a] = s;
      outShape[a] = Math.floor(Math.fround(inShape[a] * s));
    });
    return { outShape, scales };
  }
  const sizes = sizesIn as readonly number[];
  const policy = enumAttr(OP, attrs, 'keepAspectRatioPolicy', ['stretch', 'not_larger', 'not_smaller'], 'stretch');
  if (policy === 'stretch') {
    axes.forEach((a, i) => {
      outShape[a] = sizes[i];
      scales[a] = Math.fround(sizes[i] / inShape[a]);
    });
  } else {
    const ratios = axes.map((a, i) => sizes[i] / inShape[a]);
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a) => {
      outShape[a] = Math.round(s * inShape[a]);
      scales[a] = Math.fround(s);
    });
  }
  return { outShape, scales };
}

/** A constant input that may be present but empty (ONNX passes an empty `scales` when `sizes` is used). */
function nonEmpty(t: Tensor | undefined): Tensor | undefined {
  return t !== undefined && t.size > 0 ? t : undefined;
}

export const resizeOps: readonly OpDef[] = [
  {
    name: 'resize',
    doc: 'Resamples by scales or to sizes: nearest, linear (bilinear for NCHW) or cubic.',
    minInputs: 1,
    maxInputs: 4,
    run: (inputs, attrs) => {
      const x = required(OP, inputs, 0, 'X');
      // Resize-10 has inputs (X, scales); from opset 11 they are (X, roi, scales, sizes), and roi alone is never valid.
      const scalesInput = inputs.length === 2 ? inputs[1] : inputs[2];
      const scales = numberList(OP, 'scales', nonEmpty(scalesInput), attrs.scales);
      const sizes = intList(OP, 'sizes', nonEmpty(inputs[3]), attrs.sizes);
      if (intAttr(OP, attrs, 'antialias', 0) !== 0) throw new EngineError(`antialias is not supported`, OP);
      const target = resizeTarget(x.shape, scales?.length ? scales : undefined, sizes?.length ? sizes : undefined, attrs);
      if (attrs.coordinateTransformationMode === 'tf_crop_and_resize') {
        throw new EngineError(`coordinateTransformationMode 'tf_crop_and_resize' is not supported`, OP);
      }
      return [resize(x, target.outShape, target.scales, {
        mode: enumAttr(OP, attrs, 'mode', RESIZE_MODES, 'nearest'),
        coordinateTransformationMode: enumAttr(OP, attrs, 'coordinateTransformationMode', COORDINATE_MODES, 'half_pixel'),
        nearestMode: enumAttr(OP, attrs, 'nearestMode', NEAREST_MODES, 'round_prefer_floor'),
        cubicCoeffA: floatAttr(OP, attrs, 'cubicCoeffA', -0.75),
        excludeOutside: intAttr(OP, attrs, 'excludeOutside', 0) !== 0,
      })];
    },
    // The scales or sizes come as attributes here (a loader folds constant inputs into them).
    shape: (inputs, attrs) => {
      const scales = numberList(OP, 'scales', undefined, attrs.scales);
      const sizes = intList(OP, 'sizes', undefined, attrs.sizes);
      return [resizeTarget(needShape(OP, inputs, 0), scales?.length ? scales : undefined, sizes?.length ? sizes : undefined, attrs).outShape];
    },
  },
];
