import type { ModuleBuilder, Value } from './builder';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, prop } from './json';
import { LAYER_TYPES } from './layers/index';
import type { LayerContext } from './layers/types';
import { LayerParams } from './params';

/**
 * Builds lists of layers into modules: names them (explicit names, or Keras-style `dense`, `dense_1` for
 * layers without one), looks their type up in the registry, reads their settings, runs their `build`,
 * and checks that every weight a layer lists is one it uses.
 */
export class LayerListBuilder {
  constructor(private readonly doc: JsonDocument) {}

  /** Builds `nodes` in order as children of `parent`, the first reading `input`; returns the last output. */
  layers(parent: ModuleBuilder, nodes: readonly JsonNode[], input: Value, reserved: readonly string[] = []): Value {
    const names = this.names(parent, nodes, reserved);
    let x = input;
    nodes.forEach((node, i) => {
      x = this.layer(parent, node, names[i], x);
    });
    return x;
  }

  private names(parent: ModuleBuilder, nodes: readonly JsonNode[], reserved: readonly string[]): string[] {
    const { doc } = this;
    const taken = new Set<string>(reserved);
    const explicit = nodes.map((node) => {
      const n = node.type === 'object' ? prop(node, 'name') : undefined;
      if (!n) return undefined;
      if (n.type !== 'string' || n.value === '' || (n.value as string).includes('/')) {
        throw doc.error(n, `a layer name must be a non-empty string without '/', got ${describe(n)}.`);
      }
      if (reserved.includes(n.value)) throw doc.error(n, `layer name '${n.value}' is taken by ${parent.label} itself; choose another.`);
      taken.add(n.value);
      return n.value as string;
    });
    const counts = new Map<string, number>();
    return explicit.map((name, i) => {
      if (name !== undefined) return name;
      const t = prop(nodes[i], 'type');
      const base = t?.type === 'string' ? (t.value as string) : 'layer';
      for (let k = counts.get(base) ?? 0; ; k++) {
        const candidate = k === 0 ? base : `${base}_${k}`;
        if (!taken.has(candidate)) {
          counts.set(base, k + 1);
          taken.add(candidate);
          return candidate;
        }
      }
    });
  }

  private layer(parent: ModuleBuilder, node: JsonNode, name: string, x: Value): Value {
    const { doc } = this;
    if (node.type !== 'object') {
      throw doc.error(node, `${parent.label} lists ${describe(node)} among its layers; a layer is an object such as { "type": "dense", "units": 10 }.`);
    }
    const typeNode = prop(node, 'type');
    const known = () => [...LAYER_TYPES.keys()].join(', ');
    if (!typeNode) throw doc.error(node, `layer '${name}' has no "type"; known types are ${known()}.`);
    if (typeNode.type !== 'string') throw doc.error(typeNode, `layer '${name}' has "type" set to ${describe(typeNode)}; known types are ${known()}.`);
    const type = typeNode.value as string;
    const lt = LAYER_TYPES.get(type);
    if (!lt) throw doc.error(typeNode, `layer '${name}' has unknown type '${type}'; known types are ${known()}.`);
    const weights = prop(node, 'weights');
    if (weights && weights.type !== 'object') throw doc.error(weights, `layer '${name}' has "weights" set to ${describe(weights)}; expected an object of weights by role.`);

    const m = parent.child(name, type, node);
    const p = new LayerParams(doc, node, m.label, lt.params, type);
    if (!lt.acceptsIntegers && x.dtype !== 'float32') {
      throw doc.error(node, `${m.label} expects a float32 input but ${x.from} gives ${x.dtype} [${x.shape.join(', ')}]; integer ids go into an embedding layer first.`);
    }
    const ctx: LayerContext = {
      doc, p, m,
      layers: (into, nodes, input, reserved) => this.layers(into, nodes, input, reserved),
      fail: (message, at) => doc.error(at ?? node, `${m.label} ${message}`),
    };
    const y = lt.build(ctx, x);
    for (const [role, keyNode] of weights ? entries(weights) : []) {
      if (!m.usedRoles.has(role)) {
        const roles = Object.keys(lt.weights ?? {});
        const takes = roles.length ? `it takes ${roles.join(', ')}` : 'it takes no weights';
        throw doc.error(keyNode, `${m.label} lists weight '${role}', which a ${type} layer with these settings does not use (${takes}).`);
      }
    }
    m.draft.attrs = p.values;
    m.finish([y]);
    return y;
  }
}
