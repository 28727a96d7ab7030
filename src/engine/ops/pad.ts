import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import { ShapeError, fmt, fromAttr, needShape } from '../shapeRules';
import { PAD_MODES, pad } from '../kernels/pad';
import { enumAttr, normalizeAxes, intList, numberList, required } from '../kernels/opArgs';

export { pad, PAD_MODES } from '../kernels/pad';
export type { PadMode } from '../kernels/pad';

/**
 * ONNX Pad-21: inputs data, pads?, constant_value?, axes? (each also accepted as an attribute). With
 * `axes`, `pads` holds [begin…, end…] for those axes only.
 */
export const padOps: readonly OpDef[] = [
  {
    name: 'pad',
    doc: 'Pads (or, with negative pads, crops) each axis: constant, reflect, edge or wrap.',
    minInputs: 1,
    maxInputs: 4,
    run: (inputs, attrs) => {
      const x = required('pad', inputs, 0, 'data');
      const given = intList('pad', 'pads', inputs[1], attrs.pads);
      if (given === undefined) throw new EngineError(`needs 'pads' as input 1 or as an attribute`, 'pad');
      const axesList = intList('pad', 'axes', inputs[3], attrs.axes);
      let pads = given;
      if (axesList !== undefined) {
        const axes = normalizeAxes('pad', axesList, x.rank);
        if (given.length !== 2 * axes.length) {
          throw new EngineError(`'pads' has ${given.length} values but ${axes.length} axes need ${2 * axes.length}`, 'pad');
        }
        pads = new Array<number>(2 * x.rank).fill(0);
        axes.forEach((a, i) => {
          pads[a] = given[i];
          pads[a + x.rank] = given[i + axes.length];
        });
      }
      const values = numberList('pad', 'value', inputs[2], attrs.value);
      if (values !== undefined && values.length > 1) {
        throw new EngineError(`'value' must be one number, got ${values.length}`, 'pad');
      }
      return [pad(x, pads, enumAttr('pad', attrs, 'mode', PAD_MODES, 'constant'), values?.[0] ?? 0)];
    },
    shape: (inputs, attrs) => {
      const x = needShape('pad', inputs, 0);
      const given = fromAttr('pad', 'pads', intList('pad', 'pads', undefined, attrs.pads));
      const axesList = intList('pad', 'axes', undefined, attrs.axes);
      const axes = axesList === undefined ? x.map((_, i) => i) : normalizeAxes('pad', axesList, x.length);
      if (given.length !== 2 * axes.length) throw new ShapeError(`pads ${fmt(given)} must have ${2 * axes.length} entries for ${fmt(x)}`);
      const out = [...x];
      axes.forEach((a, i) => (out[a] += given[i] + given[i + axes.length]));
      if (out.some((d) => d < 0)) throw new ShapeError(`pads ${fmt(given)} remove more than ${fmt(x)} holds`);
      return [out];
    },
  },
];
