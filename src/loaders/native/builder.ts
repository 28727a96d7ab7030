import type { Attrs, AttrValue } from '../../engine/registry';
import type { DType, Shape } from '../../engine/tensor';
import { BYTES_PER_ELEMENT, Tensor } from '../../engine/tensor';
import type { PendingWeight, SourceRange } from '../../model/ir';
import { ShapeError, fmt, inferOpShapes } from '../../model/shapes';
import type { JsonDocument, JsonNode } from './json';
import { prop } from './json';
import type { WeightResolver } from './weights';

/** A value flowing through the layers as the loader builds them: its name, shape and dtype, and who made it. */
export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The producer for messages: `layer 'dense_1'` or `the input 'x'`. */
  readonly from: string;
}

/** Mutable twins of the IR's NodeDef and ModuleDef, frozen into the model when loading ends. */
export interface NodeDraft {
  kind: 'node';
  id: string;
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  source?: SourceRange;
}

export interface ModuleDraft {
  kind: 'module';
  id: string;
  name: string;
  type: string;
  inputs: string[];
  outputs: string[];
  weights: Record<string, string>;
  attrs: Record<string, AttrValue>;
  body: (ModuleDraft | NodeDraft)[];
  source?: SourceRange;
}

/** Joins a module id and a child name into the child's id (`block1` + `conv` → `block1/conv`; the model's id is ``). */
export const joinId = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

/** Model-wide state: ids in use, weights, and the shape and dtype of every value. */
export class ModelBuilder {
  readonly ids = new Set<string>();
  readonly weights = new Map<string, Tensor>();
  /** Weights read at the first run (Model.pendingWeights). */
  readonly pending = new Map<string, PendingWeight>();
  readonly shapes = new Map<string, number[]>();
  readonly dtypes = new Map<string, DType>();

  constructor(
    readonly doc: JsonDocument,
    /** Where `weight()` reads from; a format that registers its weights itself passes one that refuses. */
    readonly resolver: Pick<WeightResolver, 'resolve' | 'declaredShape'> & Partial<Pick<WeightResolver, 'resolveLazy'>>,
    readonly maxBytes: number,
  ) {}

  /** Records a value; refuses one that could never be allocated within `maxBytes`. */
  addValue(name: string, shape: readonly number[], dtype: DType, node: JsonNode, what: string): void {
    const bytes = shape.reduce((a, d) => a * d, 1) * BYTES_PER_ELEMENT[dtype];
    if (!(bytes <= this.maxBytes)) {
      throw this.doc.error(node, `${what} has shape ${fmt(shape)}, which takes ${bytes} bytes, more than the ${this.maxBytes} bytes allowed (maxBytes).`);
    }
    this.shapes.set(name, [...shape]);
    this.dtypes.set(name, dtype);
  }
}

/** The dtype of an op's outputs: index-valued ops give int64, cast gives its target, the rest follow the first input. */
function outputDType(op: string, inputs: readonly (Value | undefined)[], attrs: Attrs): DType {
  if (op === 'argMax' || op === 'shape') return 'int64';
  if (op === 'cast') return attrs.to as DType;
  return inputs[0]?.dtype ?? 'float32';
}

/**
 * Builds one module: names its nodes (`<module id>/<op>`, `_1` when repeated), infers and records the shape of
 * every output, resolves its weights, and nests child modules.
 */
export class ModuleBuilder {
  readonly draft: ModuleDraft;
  private readonly nameCounts = new Map<string, number>();
  private readonly childNames = new Map<string, JsonNode>();
  /** Roles read from the layer's `weights`, to catch roles the layer does not use. */
  readonly usedRoles = new Set<string>();

  constructor(
    readonly model: ModelBuilder,
    id: string,
    name: string,
    type: string,
    /** The JSON node the module comes from; its range is the source of the module and its nodes. */
    readonly node: JsonNode,
    /** `layer 'block1/conv'`, for messages. */
    readonly label: string,
  ) {
    this.draft = { kind: 'module', id, name, type, inputs: [], outputs: [], weights: {}, attrs: {}, body: [], source: model.doc.range(node) };
  }

  get id(): string {
    return this.draft.id;
  }

  /** A nested module; `node` locates it, `label` names it in messages (default: `layer '<id>'`). */
  child(name: string, type: string, node: JsonNode, label?: string): ModuleBuilder {
    const { doc } = this.model;
    const prior = this.childNames.get(name);
    if (prior) {
      throw doc.error(node, `layer name '${name}' is used twice in ${this.label} (first at line ${doc.line(prior)}); names must be unique within their parent.`);
    }
    const id = joinId(this.id, name);
    if (this.model.ids.has(id)) throw doc.error(node, `layer id '${id}' clashes with another node or module of the model.`);
    this.childNames.set(name, node);
    this.model.ids.add(id);
    const child = new ModuleBuilder(this.model, id, name, type, node, label ?? `layer '${id}'`);
    this.draft.body.push(child.draft);
    return child;
  }

  private nodeName(base: string): string {
    for (let k = this.nameCounts.get(base) ?? 0; ; k++) {
      const name = k === 0 ? base : `${base}_${k}`;
      if (!this.model.ids.has(joinId(this.id, name)) && !this.childNames.has(name)) {
        this.nameCounts.set(base, k + 1);
        return name;
      }
    }
  }

  /**
   * Emits one op call. `name` gives a readable node name (default: the op). Shapes are inferred now; a
   * mismatch is reported against this module's layer. `keep` keeps only the first outputs of an op that has
   * optional trailing ones (layerNormalization's mean and inverse deviation).
   */
  call(op: string, inputs: readonly (Value | undefined)[], attrs: Attrs = {}, name?: string, keep?: number): Value[] {
    const { doc } = this.model;
    const nodeName = this.nodeName(name ?? op);
    const id = joinId(this.id, nodeName);
    let shapes: number[][] | undefined;
    try {
      shapes = inferOpShapes(op, inputs.map((v) => v?.shape), attrs)?.slice(0, keep);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      const given = inputs.filter((v): v is Value => !!v).map((v) => `${fmt(v.shape)} from ${v.from}`).join(' and ');
      throw doc.error(this.node, `${this.label} cannot run its ${op} op '${nodeName}' on ${given}: ${e.message}.`);
    }
    if (!shapes) throw new Error(`no shape rule for op '${op}'`);
    this.model.ids.add(id);
    const dtype = outputDType(op, inputs, attrs);
    const outputs = shapes.map((shape, k) => {
      const value: Value = { name: `${id}:${k}`, shape, dtype, from: this.label };
      this.model.addValue(value.name, shape, dtype, this.node, `${this.label} (its ${op} op '${nodeName}')`);
      return value;
    });
    this.draft.body.push({
      kind: 'node', id, name: nodeName, op, inputs: inputs.map((v) => v?.name ?? ''), outputs: outputs.map((v) => v.name),
      attrs, source: this.draft.source,
    });
    return outputs;
  }

  /** Emits an op with one output. */
  op(op: string, inputs: readonly (Value | undefined)[], attrs: Attrs = {}, name?: string): Value {
    return this.call(op, inputs, attrs, name, 1)[0];
  }

  /** The layer's spec of a weight role, if its `weights` lists it. */
  private spec(role: string): JsonNode | undefined {
    const weights = prop(this.node, 'weights');
    return weights ? prop(weights, role) : undefined;
  }

  /** The shape a weight declares (from `shape`, nesting or its file), before it is resolved. */
  declaredShape(role: string): number[] | undefined {
    return this.model.resolver.declaredShape(this.request(role, undefined));
  }

  private request(role: string, expected: Shape | undefined) {
    return { spec: this.spec(role), label: this.label, role, valueName: `${this.id}.${role}`, expected, layerNode: this.node };
  }

  /** Resolves weight `role` (checked against `expected` when given) as the value `<module id>.<role>`. */
  weight(role: string, expected: Shape | undefined): Value {
    this.usedRoles.add(role);
    const req = this.request(role, expected);
    const tensor = this.model.resolver.resolveLazy ? this.model.resolver.resolveLazy(req) : this.model.resolver.resolve(req);
    const name = `${this.id}.${role}`;
    if (tensor instanceof Tensor) this.model.weights.set(name, tensor);
    else this.model.pending.set(name, tensor);
    this.model.addValue(name, tensor.shape, 'float32', this.node, `${this.label} weight '${role}'`);
    this.draft.weights[role] = name;
    return { name, shape: tensor.shape, dtype: 'float32', from: `${this.label} weight '${role}'` };
  }

  /** A constant the layer needs that is not a learned weight (a scale, a mask): value `<module id>.<role>`, not listed in the module's weights. */
  constant(role: string, tensor: Tensor): Value {
    const name = `${this.id}.${role}`;
    this.model.weights.set(name, tensor);
    this.model.addValue(name, tensor.shape, tensor.dtype, this.node, `${this.label} constant '${role}'`);
    return { name, shape: tensor.shape, dtype: tensor.dtype, from: `${this.label} constant '${role}'` };
  }

  /** Sets the module's outputs and works out its inputs: values its body reads but neither makes nor holds as weights. */
  finish(outputs: readonly Value[]): void {
    this.draft.outputs = outputs.map((v) => v.name);
    this.draft.inputs = readsFromOutside(this.draft, this.model.weights);
  }
}

function readsFromOutside(module: ModuleDraft, weights: ReadonlyMap<string, Tensor>): string[] {
  const made = new Set<string>();
  const reads: string[] = [];
  const read = (name: string): void => {
    if (name && !made.has(name) && !weights.has(name) && !reads.includes(name)) reads.push(name);
  };
  for (const item of module.body) {
    item.inputs.forEach(read);
    item.outputs.forEach((o) => made.add(o));
  }
  return reads;
}

/** Renames a value in every list of the module tree and in the shape and dtype tables. */
export function renameValue(module: ModuleDraft, mb: ModelBuilder, from: string, to: string): void {
  const swap = (list: string[]): void => {
    for (let i = 0; i < list.length; i++) if (list[i] === from) list[i] = to;
  };
  const walk = (item: ModuleDraft | ModuleDraft['body'][number]): void => {
    swap(item.inputs);
    swap(item.outputs);
    if (item.kind === 'module') item.body.forEach(walk);
  };
  walk(module);
  for (const table of [mb.shapes, mb.dtypes] as Map<string, unknown>[]) {
    if (table.has(from)) {
      table.set(to, table.get(from));
      table.delete(from);
    }
  }
}
