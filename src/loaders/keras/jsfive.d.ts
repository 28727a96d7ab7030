/**
 * The part of jsfive (a pure-JS HDF5 reader, no type declarations of its own) the Keras loader uses. jsfive
 * throws strings as well as Errors; every call goes through the loader's `attempt`.
 */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset | null;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** numpy-style: `<f4`, `>f8`, `<i4`, `|u1`, or an array for compound, reference and string types. */
    readonly dtype: string | unknown[];
    readonly attrs: Record<string, unknown>;
    /** The elements, read and decoded now (an Array of numbers for numeric types). */
    readonly value: ArrayLike<number>;
    /** Internal: the object header, whose `filter_pipeline` is null when the data is stored uncompressed. */
    readonly _dataobjects: { readonly filter_pipeline: unknown[] | null };
  }
}
