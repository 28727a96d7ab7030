import type { Model } from '../model/ir';

/**
 * How a loader reads bytes: the file itself and files beside it. The CLI backs it with `fs`, the extension
 * with `vscode.workspace.fs`, tests with a map. Implementations refuse sibling paths that leave the model's folder.
 */
export interface ModelSource {
  /** The model file's path or URI as shown to the user. */
  readonly name: string;
  read(): Promise<Uint8Array>;
  /** A file in the model's folder, by a relative path taken from the model file. */
  readSibling(relativePath: string): Promise<Uint8Array>;
  /** Size of a sibling file in bytes, checked before reading; undefined when it does not exist. */
  statSibling(relativePath: string): Promise<number | undefined>;
}

export interface LoadOptions {
  /** Largest number of bytes a model's tensors may claim before loading is refused. */
  readonly maxBytes: number;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = { maxBytes: 2 * 1024 ** 3 };

/** One model format: a cheap `match` on the name and first bytes, and a full `open`. */
export interface Loader {
  readonly id: string;
  /** Does this loader read the file? `head` is at most the first 4 KiB. */
  match(name: string, head: Uint8Array): boolean;
  open(source: ModelSource, options: LoadOptions): Promise<Model>;
}
