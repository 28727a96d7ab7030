import type { OpRegistry } from '../engine/registry';
import type { Tensor } from '../engine/tensor';
import type { Item, Model } from '../model/ir';
import { markWeights } from '../model/constants';

/**
 * Runs a model's ops in call order straight through the op registry: no frames, no recording, no stop
 * checks. It is the baseline the bench compares the runner against, to measure what recording costs.
 * Values stay in one map for the run (the dataflow needs them); nothing is summarised or kept afterwards.
 */
export function runPlain(model: Model, inputs: ReadonlyMap<string, Tensor>, ops: OpRegistry): Map<string, Tensor> {
  const env = new Map<string, Tensor>(markWeights(model).weights);
  for (const [name, t] of inputs) env.set(name, t);
  const visit = (item: Item): void => {
    if (item.kind === 'module') {
      for (const child of item.body) visit(child);
      return;
    }
    const args = item.inputs.map((v) => (v === '' ? undefined : env.get(v)));
    const outs = ops.run(item.op, args, item.attrs);
    item.outputs.forEach((name, i) => env.set(name, outs[i]));
  };
  visit(model.root);
  return new Map(model.outputs.map((o) => [o.name, env.get(o.name) as Tensor]));
}
