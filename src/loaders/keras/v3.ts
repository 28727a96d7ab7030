import type { LoadOptions } from '../types';
import type { JsonDocument } from '../native/json';
import type { WeightTable } from '../tfjs/weights';
import { Dataset, Group, MAX_DEPTH } from './hdf5';
import type { H5File } from './hdf5';
import type { NamedArray } from './weights';
import { weightTable } from './weights';

/**
 * The weights of a Keras 3 archive (`model.weights.h5` inside a .keras file). Keras 3 saves each layer's
 * variables by position, trainable ones first: `layers/<layer>/vars/0`, `vars/1`, ...; a nested model's layers
 * under `layers/<model>/layers/...`, a recurrent layer's under its `cell`, a wrapper's under `layer`,
 * `forward_layer`, `backward_layer` (Keras 2.13–2.15 wrote `_layer_checkpoint_dependencies` for `layers`).
 * The config says which class each group belongs to, and the class which role each position has; the weights
 * are then named `<layer>/<scopes>/<role>` as the shared layer set looks them up.
 */

type Json = Record<string, unknown>;

interface Owner {
  readonly className?: string;
  readonly config?: Json;
}

const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const bias = (c: Json | undefined): string[] => (c?.use_bias === false ? [] : ['bias']);

/** A layer's variables in the order Keras 3 creates them (trainable first, then the rest). */
function roles(owner: Owner): readonly string[] {
  const c = owner.config;
  switch (owner.className) {
    case 'Dense': case 'Conv1D': case 'Conv2D': case 'Conv3D':
    case 'Conv1DTranspose': case 'Conv2DTranspose': case 'Conv3DTranspose':
      return ['kernel', ...bias(c)];
    case 'DepthwiseConv1D': case 'DepthwiseConv2D':
      return ['depthwise_kernel', ...bias(c)];
    case 'SeparableConv1D': case 'SeparableConv2D':
      return ['depthwise_kernel', 'pointwise_kernel', ...bias(c)];
    case 'BatchNormalization':
      return [...(c?.scale === false ? [] : ['gamma']), ...(c?.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
    case 'LayerNormalization':
      return [...(c?.scale === false ? [] : ['gamma']), ...(c?.center === false ? [] : ['beta'])];
    case 'Embedding': return ['embeddings'];
    case 'PReLU': return ['alpha'];
    case 'LSTM': case 'GRU': case 'SimpleRNN':
      return ['kernel', 'recurrent_kernel', ...bias(c)];
    default: return [];
  }
}

/** The class and config of a `{ class_name, config }` object. */
function ownerOf(spec: unknown): Owner {
  const s = obj(spec);
  return { className: typeof s?.class_name === 'string' ? s.class_name : undefined, config: obj(s?.config) };
}

/** The layer named `name` among a model's `layers`. */
function layerOf(model: Owner, name: string): Owner {
  const list = Array.isArray(model.config?.layers) ? (model.config.layers as unknown[]) : [];
  const hit = list.find((l) => obj(l)?.name === name || obj(obj(l)?.config)?.name === name);
  return ownerOf(hit);
}

/** The owner of an attribute group (`cell`, `layer`, `forward_layer`, ...) of `owner`. */
function attributeOf(owner: Owner, key: string): Owner {
  const c = owner.config;
  if (key === 'cell') return owner;
  if (key === 'layer') return ownerOf(c?.layer);
  if (key === 'forward_layer') return ownerOf(c?.forward_layer ?? c?.layer);
  if (key === 'backward_layer') return ownerOf(c?.backward_layer ?? c?.layer);
  return {};
}

const CONTAINERS = ['layers', '_layer_checkpoint_dependencies'];
/** Root groups that hold no model weights. */
const SKIPPED_AT_ROOT = ['optimizer', 'metrics', 'compile_metrics', 'loss', 'assets'];

export function kerasV3Weights(h5: H5File, doc: JsonDocument, options: LoadOptions): WeightTable {
  const out: NamedArray[] = [];
  const join = (a: string, b: string): string => (a ? `${a}/${b}` : b);

  const walk = (g: Group, path: string, prefix: string, owner: Owner, depth: number): void => {
    if (depth > MAX_DEPTH) throw h5.fail(`group '${path}' lies more than ${MAX_DEPTH} groups deep, deeper than Keras nests layers`);
    for (const key of h5.keys(g, path || '/')) {
      if (depth === 0 && SKIPPED_AT_ROOT.includes(key)) continue;
      const here = join(path, key);
      const child = h5.child(g, key, path);
      if (!(child instanceof Group)) continue;
      if (key === 'vars') {
        const names = roles(owner);
        for (const v of h5.keys(child, here)) {
          const ds = h5.child(child, v, here);
          if (!(ds instanceof Dataset)) continue;
          const role = /^\d+$/.test(v) ? names[Number(v)] ?? `var${v}` : v;
          out.push({ name: join(prefix, role), array: h5.array(ds, `${here}/${v}`) });
        }
      } else if (CONTAINERS.includes(key)) {
        for (const name of h5.keys(child, here)) {
          const layer = h5.group(child, name, here);
          if (layer) walk(layer, `${here}/${name}`, join(prefix, name), layerOf(owner, name), depth + 1);
        }
      } else {
        walk(child, here, join(prefix, key), attributeOf(owner, key), depth + 1);
      }
    }
  };
  walk(h5.root, '', '', ownerOf(JSON.parse(doc.text)), 0);
  return weightTable(h5, doc, out, options);
}
