import { convLayers } from './conv';
import { coreLayers } from './core';
import { mergeLayers } from './merge';
import { normLayers } from './norm';
import { poolLayers } from './pool';
import { recurrentLayers } from './recurrent';
import { reshapingLayers } from './reshaping';
import type { KerasLayer } from './types';
import { wrapperLayers } from './wrappers';

/** Every Keras layer class the loader reads, by `class_name`. Adding one is a build function and an entry here. */
export const KERAS_LAYERS: ReadonlyMap<string, KerasLayer> = (() => {
  const table = new Map<string, KerasLayer>();
  for (const l of [...coreLayers, ...convLayers, ...poolLayers, ...normLayers, ...reshapingLayers, ...mergeLayers, ...recurrentLayers, ...wrapperLayers]) {
    if (table.has(l.className)) throw new Error(`Keras layer class '${l.className}' is registered twice`);
    table.set(l.className, l);
  }
  return table;
})();

/** Model classes: a layer of one of these is a nested model, built as a nested module. */
export const MODEL_CLASSES: readonly string[] = ['Sequential', 'Model', 'Functional'];
