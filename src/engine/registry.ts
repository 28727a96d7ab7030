import { EngineError } from './errors';
import { ShapeError } from './shapeRules';
import type { Shape, Tensor } from './tensor';

/** An op attribute: what the graph IR carries on a node besides its tensor inputs. */
export type AttrValue = number | string | boolean | readonly number[] | readonly string[] | Tensor | null;
export type Attrs = Readonly<Record<string, AttrValue | undefined>>;

/**
 * One op: a named kernel over tensors. `run` gets the node's inputs in order (an optional input that the
 * node leaves out is `undefined`) and its attributes, and returns its outputs in order. It must not mutate
 * its inputs and must throw {@link EngineError} naming the argument when an input is unfit.
 */
export interface OpDef {
  readonly name: string;
  /** One line for `inspect` and the docs. */
  readonly doc: string;
  readonly minInputs: number;
  readonly maxInputs: number;
  run(inputs: readonly (Tensor | undefined)[], attrs: Attrs): Tensor[];
  /**
   * The static shape rule: the shapes `run` returns, from the input shapes (an optional input left out is
   * `undefined`) and the attributes alone. Values an op reads from a constant input (a reshape's shape, a
   * slice's starts) must come as the attribute of the same name. Throws {@link ShapeError} (or an
   * {@link EngineError} from a shared geometry helper) when the shapes do not fit. Absent when the output
   * shape depends on input values (expand, range).
   */
  shape?(inputs: readonly (Shape | undefined)[], attrs: Attrs): Shape[];
}

/** The op table, keyed by name. Registering a name twice is a programming error and throws. */
export class OpRegistry {
  private readonly table = new Map<string, OpDef>();

  register(def: OpDef): void {
    if (this.table.has(def.name)) throw new Error(`op '${def.name}' is registered twice`);
    this.table.set(def.name, def);
  }

  has(name: string): boolean {
    return this.table.has(name);
  }

  get(name: string): OpDef {
    const def = this.table.get(name);
    if (!def) throw new EngineError(`unknown op '${name}'`);
    return def;
  }

  names(): string[] {
    return [...this.table.keys()].sort();
  }

  /**
   * The output shapes of `name` for these input shapes and attributes, or undefined when the op is unknown or has
   * no shape rule. Unfit shapes throw {@link ShapeError} with a sentence about them (an engine error is reworded as one).
   */
  shapes(name: string, inputs: readonly (Shape | undefined)[], attrs: Attrs = {}): Shape[] | undefined {
    const def = this.table.get(name);
    if (!def?.shape) return undefined;
    try {
      return def.shape(inputs, attrs);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      const prefix = `${e.op}: `;
      throw new ShapeError(e.op && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
    }
  }

  /** Runs an op with the input-count check every kernel relies on. */
  run(name: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}): Tensor[] {
    const def = this.get(name);
    if (inputs.length < def.minInputs || inputs.length > def.maxInputs) {
      const want = def.minInputs === def.maxInputs ? `${def.minInputs}` : `${def.minInputs} to ${def.maxInputs}`;
      throw new EngineError(`expects ${want} inputs, got ${inputs.length}`, name);
    }
    return def.run(inputs, attrs);
  }
}
