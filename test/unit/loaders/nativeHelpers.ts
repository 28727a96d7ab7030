import type { Item, Model } from '../../../src/model/ir';
import { openModel } from '../../../src/loaders/registry';
import type { LoadOptions } from '../../../src/loaders/types';
import { MemorySource } from './memorySource';

/** Loads a model given as an object through the format registry. */
export function load(model: unknown, siblings: Record<string, Uint8Array | string> = {}, options: Partial<LoadOptions> = {}): Promise<Model> {
  return openModel(MemorySource.of(model, siblings), options);
}

/** The error message a load fails with ('' if it loads). */
export async function loadError(model: unknown, siblings: Record<string, Uint8Array | string> = {}, options: Partial<LoadOptions> = {}): Promise<string> {
  try {
    await load(model, siblings, options);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The module tree as indented text: modules as `id (type)`, nodes as `id = op(inputs) -> outputs`.
 * Golden-style assertions read better than nested object matchers.
 */
export function tree(model: Model, withValues = false): string {
  const lines: string[] = [];
  const walk = (item: Item, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (item.kind === 'module') {
      lines.push(`${pad}${item.id || '<model>'} (${item.type})`);
      item.body.forEach((c) => walk(c, depth + 1));
    } else {
      lines.push(withValues ? `${pad}${item.id} = ${item.op}(${item.inputs.join(', ')}) -> ${item.outputs.join(', ')}` : `${pad}${item.id} = ${item.op}`);
    }
  };
  walk(model.root, 0);
  return lines.join('\n');
}

/** A small model skeleton around some layers. */
export function modelOf(layers: unknown[], input: { name?: string; shape: number[]; dtype?: string } = { name: 'x', shape: [1, 4] }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: 'layerstep/1', name: 'test', inputs: [input], layers, ...extra };
}

/** The 1-based line of the first line of `JSON.stringify(model, null, 2)` (as {@link load} writes it) holding `needle`, from `after`. */
export function lineOf(model: unknown, needle: string, after = 0): number {
  const lines = JSON.stringify(model, null, 2).split('\n');
  const i = lines.findIndex((l, k) => k >= after && l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' is not in the model text`);
  return i + 1;
}
