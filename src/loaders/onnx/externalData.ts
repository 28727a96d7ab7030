import type { onnx } from './proto';
import { BYTES_PER_ELEMENT } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { ModelSource } from '../types';
import { ByteBudget } from './budget';
import { int } from './decode';
import { onnxTypeName, rawByteLength, tensorDType } from './dtypes';
import { protoDims } from './tensors';

/**
 * Tensors whose bytes live in another file (TensorProto.data_location = EXTERNAL; the `external_data`
 * entries `location`, `offset`, `length`). The location is a path relative to the model's folder: absolute
 * paths and paths that climb out of the folder are refused before the source is asked for anything. The
 * claimed offset and length are checked against the file's size and the tensor's shape, and the bytes
 * against maxBytes, before anything is read. Each file is read once.
 */

const EXTERNAL = 1;

export function isExternal(p: onnx.ITensorProto): boolean {
  return p.dataLocation === EXTERNAL;
}

/** `a/./b/../c` → `a/c`; undefined when the path is absolute or climbs out of the folder. */
export function folderRelative(location: string): string | undefined {
  if (location === '' || location.includes('\0')) return undefined;
  if (/^([a-zA-Z]:|[/\\])/.test(location)) return undefined;
  const parts: string[] = [];
  for (const seg of location.split(/[/\\]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return parts.length ? parts.join('/') : undefined;
}

/** Where an external tensor's bytes are, checked: a folder-relative path, the file's size, and the span. */
export interface ExternalSpan {
  readonly path: string;
  readonly size: number;
  readonly offset: number;
  readonly length: number;
}

export class ExternalData {
  private readonly files = new Map<string, Promise<Uint8Array>>();
  /** Spans located and not read yet, by file: a file's bytes are kept only while some are (see {@link read}). */
  private readonly unread = new Map<string, number>();
  /** Bytes of whole files read: a second budget, so weights are not charged twice (as file and as tensor). */
  private readonly reads: ByteBudget;
  private readonly charged = new Set<string>();

  constructor(
    private readonly source: ModelSource,
    private readonly tensors: ByteBudget,
  ) {
    this.reads = new ByteBudget(tensors.max, tensors.file);
  }

  /** The bytes of an external tensor; `what` names it in messages. */
  async load(p: onnx.ITensorProto, what: string): Promise<Uint8Array> {
    return this.read(await this.locate(p, what));
  }

  /**
   * Checks where an external tensor's bytes are (location, offset and length against the file's size and the
   * tensor's shape, its decoded size against maxBytes) without reading them; {@link read} reads them later.
   */
  async locate(p: onnx.ITensorProto, what: string): Promise<ExternalSpan> {
    const file = this.tensors.file;
    const fail = (why: string): never => {
      throw new ModelError(`${file}: ${what} keeps its data in another file, but ${why}.`, file);
    };
    const entries = new Map((p.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entries.get('location');
    if (!location) fail(`it does not say where (no 'location')`);
    const path = folderRelative(location as string);
    if (path === undefined) fail(`its location '${location}' is outside the model's folder, which Layerstep refuses to read`);
    const code = p.dataType ?? 0;
    const dtype = tensorDType(code);
    if (!dtype) fail(`its element type ${onnxTypeName(code)} is one Layerstep cannot hold`);
    const count = protoDims(p).reduce((a, d) => a * d, 1);
    const expected = rawByteLength(code, count);
    const offset = entries.has('offset') ? int(entries.get('offset')) : 0;
    const size = await this.source.statSibling(path as string);
    if (size === undefined) fail(`its file '${location}' does not exist beside the model`);
    // Without a length the tensor takes the bytes its shape needs from the offset on.
    const length = entries.has('length') ? int(entries.get('length')) : expected;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      fail(`its offset ${entries.get('offset')} or length ${entries.get('length')} is not a byte count`);
    }
    if (offset + length > (size as number)) {
      fail(`it claims bytes ${offset} to ${offset + length} of '${location}', which has only ${size} bytes`);
    }
    if (length !== expected) fail(`it claims ${length} bytes where its shape [${protoDims(p).join(', ')}] of ${onnxTypeName(code)} needs ${expected}`);
    this.tensors.check(count * BYTES_PER_ELEMENT[dtype as keyof typeof BYTES_PER_ELEMENT], what);
    this.unread.set(path as string, (this.unread.get(path as string) ?? 0) + 1);
    return { path: path as string, size: size as number, offset, length };
  }

  /**
   * The bytes of a located tensor (a view of its file: the caller copies what it keeps). A file is read once
   * and kept until every span located in it has been read, so tensors sharing a file share one read, and no
   * file outlives the tensors made from it; {@link release} drops every file kept. A file that changed size
   * since it was located is refused.
   */
  async read(span: ExternalSpan): Promise<Uint8Array> {
    const { path, size } = span;
    let pending = this.files.get(path);
    if (!pending) {
      // Charged once per file for the model's life, however often it is read again after a release.
      if (!this.charged.has(path)) this.reads.take(size, `the external data file '${path}'`);
      this.charged.add(path);
      pending = this.source.readSibling(path);
      this.files.set(path, pending);
    }
    const left = (this.unread.get(path) ?? 0) - 1;
    this.unread.set(path, left);
    if (left <= 0) this.files.delete(path);
    const bytes = await pending;
    if (bytes.length !== size) {
      const file = this.tensors.file;
      throw new ModelError(`${file}: the external data file '${path}' changed size since the model was opened (${size} bytes, then ${bytes.length}).`, file);
    }
    return bytes.subarray(span.offset, span.offset + span.length);
  }

  /** Drops the files kept for spans still unread: those are read again when their turn comes. */
  release(): void {
    this.files.clear();
  }
}
