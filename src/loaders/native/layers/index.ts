import { activationLayers } from './activation';
import { attentionLayers } from './attention';
import { compositeLayers } from './composite';
import { convLayers } from './conv';
import { dense, embedding } from './dense';
import { elementwiseLayers } from './elementwise';
import { normLayers } from './norm';
import { poolLayers } from './pool';
import { recurrentLayers } from './recurrent';
import { shapeLayers } from './shape';
import type { LayerType } from './types';

/** Every layer type of `layerstep/1`, by its `type` string. Adding one is a file and an entry here. */
export const LAYER_TYPES: ReadonlyMap<string, LayerType> = (() => {
  const table = new Map<string, LayerType>();
  for (const t of [
    dense, embedding, ...activationLayers, ...elementwiseLayers, ...convLayers, ...poolLayers, ...normLayers,
    ...shapeLayers, ...recurrentLayers, ...attentionLayers, ...compositeLayers,
  ]) {
    if (table.has(t.type)) throw new Error(`layer type '${t.type}' is registered twice`);
    table.set(t.type, t);
  }
  return table;
})();
