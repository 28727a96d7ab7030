import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { baseName, RunnerError } from './errors';

/**
 * Checks the tensors given to a run against the model's declared inputs: every input present, no
 * unknown names, dtypes equal, and shapes equal where the model fixes a dimension (named or null
 * dimensions such as a batch size take any size).
 */
export function checkInputs(model: Model, inputs: Readonly<Record<string, Tensor>>): void {
  const file = baseName(model.file);
  const declared = model.inputs.map((v) => v.name);
  for (const name of Object.keys(inputs)) {
    if (!declared.includes(name)) {
      throw new RunnerError(`${file}: the model has no input '${name}'; its inputs are ${declared.map((n) => `'${n}'`).join(', ') || 'none'}`, { file: model.file });
    }
  }
  for (const info of model.inputs) {
    const t = Object.hasOwn(inputs, info.name) ? inputs[info.name] : undefined;
    if (!t) throw new RunnerError(`${file}: input '${info.name}' is missing`, { file: model.file });
    const want = `${info.dtype}[${info.shape.map((d) => d ?? '?').join(',')}]`;
    const fits = t.dtype === info.dtype && t.rank === info.shape.length
      && info.shape.every((d, i) => typeof d !== 'number' || d < 0 || d === t.shape[i]);
    if (!fits) throw new RunnerError(`${file}: input '${info.name}' must be ${want}, got ${t.dtype}[${t.shape.join(',')}]`, { file: model.file });
  }
}

/**
 * Inputs keyed as TensorFlow names a graph's tensors (`input_1:0`) taken for the model's input of that node
 * (`input_1`), when no input has the exact name: the names a TF.js graph model's signature uses.
 */
export function aliasInputs<T>(model: Pick<Model, 'inputs'>, inputs: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  const names = new Set(model.inputs.map((v) => v.name));
  let out: Record<string, T> | undefined;
  for (const key of Object.keys(inputs)) {
    const m = /^(.*):0$/s.exec(key);
    if (names.has(key) || !m || !names.has(m[1]) || Object.hasOwn(inputs, m[1])) continue;
    out ??= { ...inputs };
    out[m[1]] = out[key];
    delete out[key];
  }
  return out ?? inputs;
}
