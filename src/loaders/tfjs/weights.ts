import { Tensor } from '../../engine/tensor';
import type { Shape } from '../../engine/tensor';
import type { PendingWeight } from '../../model/ir';
import { fmt } from '../../model/shapes';
import type { ModelBuilder, ModuleBuilder, Value } from '../native/builder';
import type { ManifestEntry } from './manifest';
import { convKernel, convKernelShape, depthwiseKernel, depthwiseKernelShape } from './layout';
import { describeEntry } from './shards';

/** Shapes the layout conversions give, so a converted weight's shape is known before its data is read. */
const CONVERTED_SHAPE = new Map<(t: Tensor) => Tensor, (s: readonly number[]) => number[]>([
  [convKernel, convKernelShape],
  [depthwiseKernel, depthwiseKernelShape],
]);

/** The shape `convert` gives a tensor of shape `s`; an unlisted conversion is run on zeros to find out. */
function convertedShape(convert: ((t: Tensor) => Tensor) | undefined, s: readonly number[]): Shape {
  if (!convert) return s;
  const known = CONVERTED_SHAPE.get(convert);
  return known ? known(s) : convert(new Tensor('float32', s, new Float32Array(s.reduce((a, d) => a * d, 1)))).shape;
}

/** One manifest weight; its data is read and decoded by `load`, at the first run. */
export interface StoredWeight {
  readonly entry: ManifestEntry;
  readonly load: () => Promise<Tensor>;
  /** Its name split on `/`, a trailing `:0` dropped. */
  readonly path: readonly string[];
  /** Taken by a layer; a second weight of the same name goes to the next layer that asks. */
  claimed: boolean;
}

/**
 * Every decoded weight, looked up by layer. Keras names a layer's weights `<layer>/<weight>` (TF.js:
 * `dense_1/kernel`), sometimes under more scopes (`model/dense_1/kernel`, `lstm/lstm_cell/kernel`,
 * `bidirectional/forward_lstm/lstm_cell/kernel`): a layer owns the weights whose path holds its name, and a
 * weight's role is its last segment.
 */
export class WeightTable {
  readonly all: readonly StoredWeight[];
  /** The model values made from the weights, registered by {@link LayerWeights.use}: Model.pendingWeights. */
  pending = new Map<string, PendingWeight>();

  constructor(
    weights: readonly { entry: ManifestEntry; load: () => Promise<Tensor> }[],
    /** Where the weights are, for messages: `the weights manifest` (TF.js), `the file` (Keras). */
    readonly where = 'the weights manifest',
  ) {
    this.all = weights.map(({ entry, load }) => ({ entry, load, path: entry.name.replace(/:\d+$/, '').split('/'), claimed: false }));
  }

  /** The weights under layer `name`, with their path after the layer's name; the least nested scope wins. */
  under(name: string): { rel: readonly string[]; w: StoredWeight }[] {
    let best = Infinity;
    const hits: { at: number; rel: readonly string[]; w: StoredWeight }[] = [];
    for (const w of this.all) {
      const at = w.path.length < 2 ? -1 : w.path.lastIndexOf(name, w.path.length - 2);
      if (at < 0) continue;
      hits.push({ at, rel: w.path.slice(at + 1), w });
      best = Math.min(best, at);
    }
    return hits.filter((h) => h.at === best);
  }

  /**
   * Ready for another layout of the model (other input sizes): no weight claimed, and a new map of pending
   * values, so that the layouts already made keep theirs.
   */
  reset(): void {
    for (const w of this.all) w.claimed = false;
    this.pending = new Map();
  }

  /** A few weight names for messages. */
  sample(): string {
    const names = this.all.map((w) => w.entry.name);
    return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
  }
}

/**
 * The weights of one layer definition: looked up once, converted once (a conv kernel to the engine's layout),
 * registered once as model values `<first call's module id>.<role>`, and listed in the weights of every module
 * that calls the layer, so a shared layer's calls read the same tensors.
 */
export class LayerWeights {
  private readonly made = new Map<string, Value>();
  private readonly halves = new Map<string, LayerWeights>();
  private readonly mine: readonly { rel: readonly string[]; w: StoredWeight }[];

  constructor(
    private readonly mb: ModelBuilder,
    private readonly table: WeightTable,
    /** The layer's name in the weight paths. */
    readonly layerName: string,
    /** Prefix of the value names: the module id of the layer's first call. */
    private readonly key: string,
    /** `layer 'dense_1'`, for messages. */
    private readonly label: string,
    /** Only weights whose path after the layer starts with a segment beginning with this (Bidirectional's `forward`). */
    private readonly scope?: string,
    pool?: readonly { rel: readonly string[]; w: StoredWeight }[],
  ) {
    const all = pool ?? table.under(layerName);
    this.mine = scope === undefined ? all : all.filter((h) => h.rel.length > 1 && h.rel[0].startsWith(scope));
  }

  /** The weights of a wrapped layer: Bidirectional's `forward` / `backward` halves, valued under `key` at the first call. */
  sub(scope: 'forward' | 'backward', key: string, label: string): LayerWeights {
    let half = this.halves.get(scope);
    if (!half) {
      half = new LayerWeights(this.mb, this.table, this.layerName, key, label, scope, this.mine);
      this.halves.set(scope, half);
    }
    return half;
  }

  private find(role: string): StoredWeight | undefined {
    const hits = this.mine.filter((h) => h.rel[h.rel.length - 1] === role);
    return (hits.find((h) => !h.w.claimed) ?? hits[0])?.w;
  }

  has(role: string): boolean {
    return this.find(role) !== undefined;
  }

  /** The Keras shape of weight `role` (before conversion), if the manifest holds it. */
  shapeOf(role: string): readonly number[] | undefined {
    return this.find(role)?.entry.shape;
  }

  /**
   * Weight `role` (`kernel`, `moving_mean`...) as a value of module `m`, checked against the Keras shape
   * `expected` and converted by `convert` to the layout the engine's op takes.
   */
  use(m: ModuleBuilder, role: string, expected: Shape | undefined, convert?: (t: Tensor) => Tensor): Value {
    let v = this.made.get(role);
    if (!v) {
      const w = this.find(role);
      const scope = this.scope ? `${this.layerName}/${this.scope}…/` : `${this.layerName}/`;
      if (!w) {
        const holds = this.mine.length ? `it holds ${this.mine.map((h) => h.w.entry.name).join(', ')}` : `it holds ${this.table.sample() || 'no weights'}`;
        throw m.model.doc.error(m.node, `${this.label} needs its weight '${role}'${expected ? ` ${fmt(expected)}` : ''}, but ${this.table.where} has none under '${scope}' (${holds}).`);
      }
      if (expected && fmt(expected) !== fmt(w.entry.shape)) {
        throw m.model.doc.error(m.node, `${this.label} needs its weight '${role}' to be ${fmt(expected)} for its input, but '${w.entry.name}' in ${this.table.where} is ${describeEntry(w.entry)}.`);
      }
      w.claimed = true;
      const shape = convertedShape(convert, w.entry.shape);
      const load = async (): Promise<Tensor> => {
        const t = await w.load();
        // Layers compute in float32; an int32 or bool weight (rare, but the manifest allows it) is widened.
        const float = t.dtype === 'float32' ? t : Tensor.from(t.shape, t.data, 'float32');
        return convert ? convert(float) : float;
      };
      const name = `${this.key}.${role}`;
      this.table.pending.set(name, { dtype: 'float32', shape, bytes: 4 * shape.reduce((a, d) => a * d, 1), load });
      this.mb.addValue(name, shape, 'float32', m.node, `${this.label} weight '${role}'`);
      v = { name, shape, dtype: 'float32', from: `${this.label} weight '${role}'` };
      this.made.set(role, v);
    }
    m.draft.weights[role] = v.name;
    return v;
  }
}
