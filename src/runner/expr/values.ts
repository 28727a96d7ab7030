import { Tensor } from '../../engine/tensor';

/**
 * A named group of values in a frame (`inputs`, `outputs`, `weights`, `attrs`). Entries are read lazily so
 * that naming `inputs.x` never fetches (or recomputes) the other inputs. Lookups go through a Map only:
 * no property of a JavaScript object is ever reached by a user-supplied name.
 */
export class Collection {
  constructor(
    readonly label: string,
    private readonly entries: ReadonlyMap<string, () => Val>,
  ) {}

  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): Val | undefined {
    return this.entries.get(key)?.();
  }

  /** The entry at a position in declaration order (negative counts from the end). */
  at(index: number): Val | undefined {
    const keys = this.keys();
    const k = index < 0 ? index + keys.length : index;
    return k >= 0 && k < keys.length ? this.get(keys[k]) : undefined;
  }
}

/** Everything an expression can compute. {@link Value} (types.ts) is the subset handed back to callers. */
export type Val = Tensor | number | boolean | string | readonly number[] | readonly string[] | Collection | null;

export function isTensor(v: Val): v is Tensor {
  return v instanceof Tensor;
}

/** A short name of a value's kind for error messages: `float32[1,10]`, `number`, `inputs`. */
export function kindOf(v: Val): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a ${v.dtype}[${v.shape.join(',')}] tensor`;
  if (v instanceof Collection) return `the collection '${v.label}'`;
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}
