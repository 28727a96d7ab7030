import { Dataset, File, Group } from 'jsfive';
import { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import { fmt } from '../../model/shapes';

/** HDF5's format signature, the first 8 bytes of every file written without a user block (h5py, Keras). */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
}

/** Groups below the root a walk may descend; Keras nests models, wrappers and cells a few levels deep. */
export const MAX_DEPTH = 32;
/** Objects a walk of one file may visit, whatever its links say (HDF5 links may form cycles). */
export const MAX_OBJECTS = 200_000;

const NUMERIC = /^[<>=|!]?([fiu])(\d+)$/;

/**
 * The file length the superblock records (base address + end-of-file address), when its addresses are 8 bytes
 * (the HDF5 spec, "Superblock": versions 0 and 1 keep the address at byte 40 or 44, versions 2 and 3 at 28).
 */
function declaredEnd(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = bytes[8];
  const at: Readonly<Record<number, readonly [number, number, number]>> = { 0: [13, 24, 40], 1: [13, 28, 44], 2: [9, 12, 28], 3: [9, 12, 28] };
  const where = at[version];
  if (!where) return undefined;
  const [sizeAt, baseAt, endAt] = where;
  if (bytes.length < endAt + 8 || bytes[sizeAt] !== 8) return undefined;
  const end = Number(view.getBigUint64(baseAt, true) + view.getBigUint64(endAt, true));
  return Number.isSafeInteger(end) ? end : Infinity;
}

/** A numeric dataset checked against the file: its shape, and its data read and widened to float32 on demand. */
export interface H5Array {
  readonly path: string;
  readonly shape: readonly number[];
  /** Bytes the float32 tensor takes. */
  readonly bytes: number;
  load(): Tensor<'float32'>;
}

/**
 * An HDF5 file read with jsfive. jsfive reads the whole file from memory and throws strings or Errors on
 * damaged input; every call goes through {@link attempt}, so a failure is one sentence naming the file and the
 * group, attribute or dataset. A dataset's shape and dtype are checked against the file's length before its
 * data is read, since jsfive allocates an array of the size the header declares.
 */
export class H5File {
  readonly root: Group;
  private visited = 0;

  /**
   * @param file the model file as the user knows it (a path or URI)
   * @param label how messages name this HDF5 file: `model.h5`, or `model.keras (model.weights.h5)`
   */
  constructor(private readonly bytes: Uint8Array, readonly file: string, readonly label: string) {
    if (!isHdf5(bytes)) throw this.fail(`is not an HDF5 file (it does not start with the HDF5 signature)`);
    const end = declaredEnd(bytes);
    if (end !== undefined && end > bytes.length) throw this.fail(`is cut short: its HDF5 superblock says the file is ${end} bytes long, but it holds ${bytes.length}`);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    this.root = this.attempt('its HDF5 superblock and root group', () => new File(buffer, label));
  }

  /** `<label>: <message>.` as a {@link ModelError}. */
  fail(message: string): ModelError {
    return new ModelError(`${this.label}: ${message.replace(/\.$/, '')}.`, this.file);
  }

  /** Runs a jsfive call; whatever it throws becomes `<label>: <what> cannot be read (<reason>).` */
  attempt<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ModelError) throw e;
      const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').replace(/\.$/, '').slice(0, 160);
      throw this.fail(`${what} cannot be read (${reason || 'a damaged or truncated file'})`);
    }
  }

  /** Counts an object visited by a walk; refuses files with more objects than any Keras model holds. */
  visit(path: string): void {
    if (++this.visited > MAX_OBJECTS) throw this.fail(`has more than ${MAX_OBJECTS} groups and datasets (at '${path}'), more than a Keras model writes`);
  }

  /** The member names of a group. */
  keys(g: Group, path: string): string[] {
    return this.attempt(`group '${path}'`, () => g.keys);
  }

  /** Member `key` of group `g` (at `path`), or undefined when it is absent. */
  child(g: Group, key: string, path: string): Group | Dataset | undefined {
    const where = path ? `${path}/${key}` : key;
    if (!this.keys(g, path || '/').includes(key)) return undefined;
    this.visit(where);
    return this.attempt(`'${where}'`, () => g.get(key)) ?? undefined;
  }

  group(g: Group, key: string, path: string): Group | undefined {
    const c = this.child(g, key, path);
    return c instanceof Group ? c : undefined;
  }

  /** An attribute as text (h5py writes str attributes as variable-length strings, Keras 2 also as bytes). */
  text(g: Group, key: string, path: string): string | undefined {
    const v = this.attempt(`the attributes of '${path || '/'}'`, () => g.attrs)[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.replace(/\0+$/, '');
    if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '');
    if (Array.isArray(v) && v.length === 1) return this.text({ attrs: { [key]: v[0] } } as unknown as Group, key, path);
    throw this.fail(`attribute '${key}' of '${path || '/'}' is not text`);
  }

  /**
   * A list-of-names attribute (`layer_names`, `weight_names`). Keras splits one that exceeds HDF5's 64 KiB
   * attribute limit into `<key>0`, `<key>1`, ...; both forms are read. Undefined when absent.
   */
  names(g: Group, key: string, path: string): string[] | undefined {
    const attrs = this.attempt(`the attributes of '${path || '/'}'`, () => g.attrs);
    const list = (v: unknown): string[] => {
      const arr = typeof v === 'string' || v instanceof Uint8Array ? [v] : v;
      if (!Array.isArray(arr) || !arr.every((s) => typeof s === 'string' || s instanceof Uint8Array)) {
        throw this.fail(`attribute '${key}' of '${path || '/'}' is not a list of names`);
      }
      return arr.map((s) => (typeof s === 'string' ? s : new TextDecoder().decode(s)).replace(/\0+$/, ''));
    };
    if (attrs[key] !== undefined) return list(attrs[key]);
    if (attrs[`${key}0`] === undefined) return undefined;
    const out: string[] = [];
    for (let k = 0; attrs[`${key}${k}`] !== undefined && k < MAX_OBJECTS; k++) out.push(...list(attrs[`${key}${k}`]));
    return out;
  }

  /** Checks a numeric dataset against the file without reading its data. */
  array(ds: Dataset, path: string): H5Array {
    const where = `dataset '${path}'`;
    const shape = this.attempt(`the shape of ${where}`, () => ds.shape);
    const dtype = this.attempt(`the dtype of ${where}`, () => ds.dtype);
    const okDim = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;
    if (!Array.isArray(shape) || shape.length > 32 || !shape.every(okDim)) throw this.fail(`${where} has no valid shape`);
    const m = typeof dtype === 'string' ? NUMERIC.exec(dtype) : null;
    const size = m ? Number(m[2]) : 0;
    if (!m || ![1, 2, 4, 8].includes(size) || (m[1] === 'f' && size === 1)) {
      throw this.fail(`${where} holds ${typeof dtype === 'string' ? `'${dtype}'` : 'non-numeric'} elements; Layerstep reads float and integer weights`);
    }
    const n = shape.reduce((a, d) => a * d, 1);
    const stored = n * size;
    if (!Number.isSafeInteger(stored) || stored > this.bytes.length) {
      throw this.fail(`${where} has shape ${fmt(shape)} of ${size}-byte elements, ${stored} bytes, more than the ${this.bytes.length} bytes of the file`);
    }
    const filters = this.attempt(`the storage of ${where}`, () => ds._dataobjects.filter_pipeline);
    if (filters && filters.length > 0) throw this.fail(`${where} is stored compressed, which Layerstep does not read (Keras writes weights uncompressed)`);
    return {
      path, shape, bytes: 4 * n,
      load: () => {
        const values = this.attempt(`the data of ${where}`, () => ds.value);
        if (!values || values.length !== n) throw this.fail(`${where} holds ${values?.length ?? 0} values where its shape ${fmt(shape)} needs ${n}`);
        const data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = Number(values[i]);
        return new Tensor('float32', shape, data);
      },
    };
  }
}

export { Dataset, Group };
