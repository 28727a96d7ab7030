import { ModelError } from './errors';
import { weightNames } from './lazyWeights';
import type { Item, Model } from './ir';

/**
 * Structural checks every loaded model must pass, whatever its format: ids unique across modules and nodes,
 * every value defined once, every node input defined before it is read (a model input, a weight, or an
 * earlier output), every module output produced inside it, and the model outputs produced. Loaders call it
 * last; a failure is a loader bug or a broken graph, reported against the node.
 */
export function validateModel(model: Model): void {
  const ids = new Set<string>();
  const defined = new Set<string>([...model.inputs.map((v) => v.name), ...weightNames(model)]);
  const fail = (item: Item | undefined, message: string): never => {
    const where = item ? ` ${item.kind} '${item.id}'` : '';
    throw new ModelError(`${model.file}:${where} ${message}`, model.file, item?.source);
  };

  const visit = (item: Item): void => {
    if (ids.has(item.id)) fail(item, `reuses the id '${item.id}'.`);
    ids.add(item.id);
    if (item.kind === 'node') {
      for (const name of item.inputs) if (name !== '' && !defined.has(name)) fail(item, `reads '${name}' before anything defines it.`);
      for (const name of item.outputs) {
        if (defined.has(name)) fail(item, `defines '${name}', which is already defined.`);
        defined.add(name);
      }
      return;
    }
    for (const name of item.inputs) if (!defined.has(name)) fail(item, `takes input '${name}' before anything defines it.`);
    if (item.control) {
      // Its body is made when the run reaches it (src/runner/control.ts); what it returns is defined from then on.
      for (const name of item.outputs) {
        if (defined.has(name)) fail(item, `defines '${name}', which is already defined.`);
        defined.add(name);
      }
      return;
    }
    for (const child of item.body) visit(child);
    for (const name of item.outputs) {
      if (!defined.has(name)) fail(item, `returns '${name}', which nothing in it defines.`);
    }
  };

  visit(model.root);
  for (const out of model.outputs) if (!defined.has(out.name)) fail(undefined, `the output '${out.name}' is never produced.`);
}
