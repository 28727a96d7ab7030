import type { LoadOptions, ModelSource } from '../types';
import { ModelError } from '../../model/errors';
import { readSafetensorsHeader } from '../safetensors';
import type { SafetensorsHeader } from '../safetensors';
import type { JsonDocument, JsonNode } from './json';
import { entries, items, prop } from './json';
import { checkRelativePath } from './paths';

/**
 * Weights files at least this large are not read at open: their tensors take the shapes model.json declares,
 * and the file is read (and its header checked) at the first run. Smaller files are read at open for their
 * header, and only their tensors' decoding waits for the first run.
 */
export const LAZY_FILE_BYTES = 16 * 1024 * 1024;

/** A file's bytes and checked header. */
export interface ReadWeightFile {
  readonly bytes: Uint8Array;
  readonly header: SafetensorsHeader;
}

/** A safetensors file beside the model: its bytes and checked header, or (a large file) how to read them later. */
export interface WeightFile {
  readonly path: string;
  /** Read at open (a small file); undefined for a file read at the first run. */
  readonly read?: ReadWeightFile;
  /** The file's bytes and header; read once, on the first call, when not read at open. */
  load(): Promise<ReadWeightFile>;
}

/**
 * The safetensors files a model names, read before the layers are built so that building stays synchronous.
 * Every path is checked (relative, inside the model's folder) before any read; every file's size against
 * `maxBytes` before it is read; every header's claims against the file and `maxBytes` before any tensor is decoded.
 */
export class WeightFiles {
  private readonly files = new Map<string, WeightFile>();

  private constructor(private readonly doc: JsonDocument) {}

  /** Finds every `weightsFile` and `"file"` in a weight or tensor reference and reads those files. */
  static async load(doc: JsonDocument, source: ModelSource, options: LoadOptions): Promise<WeightFiles> {
    const files = new WeightFiles(doc);
    const refs: JsonNode[] = [];
    const top = prop(doc.root, 'weightsFile');
    if (top) refs.push(top);
    collectFileRefs(doc.root, refs);
    for (const node of refs) await files.read(node, source, options);
    return files;
  }

  private async read(node: JsonNode, source: ModelSource, options: LoadOptions): Promise<void> {
    const doc = this.doc;
    if (node.type !== 'string') throw doc.error(node, `a weights file must be given as a path string relative to the model file.`);
    let path: string;
    try {
      path = checkRelativePath(node.value as string);
    } catch (e) {
      throw doc.error(node, `weights file '${node.value}' is refused: ${(e as Error).message}.`);
    }
    if (this.files.has(path)) return;
    if (!path.toLowerCase().endsWith('.safetensors')) {
      throw doc.error(node, `weights file '${path}' is not a .safetensors file; weights are stored inline or in safetensors files.`);
    }
    let size: number | undefined;
    try {
      size = await source.statSibling(path);
    } catch (e) {
      throw doc.error(node, `weights file '${path}' cannot be read: ${(e as Error).message}.`);
    }
    if (size === undefined) throw doc.error(node, `weights file '${path}' does not exist in the model's folder.`);
    if (size > options.maxBytes) {
      throw doc.error(node, `weights file '${path}' is ${size} bytes, more than the ${options.maxBytes} bytes a model may load (maxBytes).`);
    }
    const readFile = async (): Promise<ReadWeightFile> => {
      let bytes: Uint8Array;
      try {
        bytes = await source.readSibling(path);
      } catch (e) {
        throw doc.error(node, `weights file '${path}' cannot be read: ${(e as Error).message}.`);
      }
      if (bytes.length !== size) throw doc.error(node, `weights file '${path}' changed size since the model was opened (${size} bytes, then ${bytes.length}).`);
      try {
        return { bytes, header: readSafetensorsHeader(bytes, { file: path, maxBytes: options.maxBytes }) };
      } catch (e) {
        if (e instanceof ModelError) throw doc.error(node, `weights file ${e.message}`);
        throw e;
      }
    };
    if (size < LAZY_FILE_BYTES) {
      const read = await readFile();
      this.files.set(path, { path, read, load: async () => read });
      return;
    }
    let pending: Promise<ReadWeightFile> | undefined;
    const load = (): Promise<ReadWeightFile> => {
      pending ??= readFile();
      pending.catch(() => { pending = undefined; });
      return pending;
    };
    this.files.set(path, { path, load });
  }

  /** A file read by {@link load}, by the path as written in the model (normalised the same way). */
  get(path: string): WeightFile | undefined {
    try {
      return this.files.get(checkRelativePath(path));
    } catch {
      return undefined;
    }
  }
}

/** Collects the `file` value of every object in the model (weights and example tensors are the only objects that take one). */
function collectFileRefs(node: JsonNode, out: JsonNode[]): void {
  if (node.type === 'object') {
    const file = prop(node, 'file');
    if (file) out.push(file);
    // `metadata` and `description` are free text and objects the loader ignores.
    for (const [k, , v] of entries(node)) if (k !== 'metadata' && k !== 'description') collectFileRefs(v, out);
  } else if (node.type === 'array') {
    // Large number arrays hold no references; skip them quickly.
    const children = items(node);
    if (children.length > 0 && children[0].type !== 'number') for (const c of children) collectFileRefs(c, out);
  }
}
