import { Tensor } from '../../engine/tensor';
import type { DType, Shape } from '../../engine/tensor';
import { fmt } from '../../model/shapes';
import { decodeSafetensorsEntry } from '../safetensors';
import type { SafetensorsEntry } from '../safetensors';
import type { PendingWeight } from '../../model/ir';
import { LAZY_FILE_BYTES } from './files';
import type { WeightFile, WeightFiles } from './files';
import { INITIALIZERS, hashSeed, initialize } from './init';
import type { Initializer } from './init';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, prop } from './json';
import { readNumbers, readShape } from './literal';

/** Keys a weight object may hold. */
const WEIGHT_KEYS = new Set(['shape', 'dtype', 'data', 'file', 'key', 'init', 'seed', 'value', 'min', 'max', 'mean', 'std']);

const FORMS = 'a number array, { "shape", "data" }, { "key" } into a .safetensors file, or { "init" }';

/** Counts the bytes a model's tensors claim and refuses past `maxBytes`, before anything is allocated. */
export class Budget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  /** Claims `bytes`; on overflow throws what `refuse` builds. */
  claim(bytes: number, refuse: (max: number) => Error): void {
    if (!(bytes <= this.maxBytes - this.used)) throw refuse(this.maxBytes);
    this.used += bytes;
  }
}

/** What a layer asks for: one weight by role, and the shape it expects (undefined: whatever the weight declares). */
export interface WeightRequest {
  /** The weight's spec in the file; undefined when the layer's `weights` does not list it. */
  readonly spec: JsonNode | undefined;
  /** `layer 'hidden'`, for messages. */
  readonly label: string;
  readonly role: string;
  /** Overrides `<label> weight '<role>'` in messages (e.g. `example 'a seven' input 'x'`). */
  readonly what?: string;
  /** The dtype the tensor is for (default float32); a `dtype` in the spec must agree (any integer type for an integer one). */
  readonly dtype?: DType;
  /** The value name, also the default key into the weights file. */
  readonly valueName: string;
  readonly expected: Shape | undefined;
  /** How messages say what the shape must be (default `the layer expects`; a target's `the output 'y' is`). */
  readonly expectation?: string;
  /** Where to point when the weight is missing. */
  readonly layerNode: JsonNode;
}

/** `layer 'hidden' weight 'kernel'`. */
const whatOf = (req: WeightRequest): string => req.what ?? `${req.label} weight '${req.role}'`;

const byteSize = (shape: Shape): number => 4 * shape.reduce((a, d) => a * d, 1);

/** A weight in a file not read at open (see LAZY_FILE_BYTES): its header is checked when the file is read. */
interface DeferredRef {
  readonly deferred: true;
  readonly file: WeightFile;
  readonly key: string;
  readonly keyNode: JsonNode | undefined;
}

type FileRef = (SafetensorsEntry & { readonly file: string; readonly deferred?: false }) | DeferredRef;

/** Turns weight specs into float32 tensors: inline numbers, safetensors entries, or seeded initialisers. */
export class WeightResolver {
  constructor(
    private readonly doc: JsonDocument,
    private readonly files: WeightFiles,
    private readonly budget: Budget,
    /** The model's `weightsFile`, for references without `file` and for weights a layer does not list. */
    private readonly defaultFile: string | undefined,
  ) {}

  /**
   * The shape a weight declares without reading its data: from `shape`, from a nested array, or from its
   * safetensors header. Undefined for a flat array or an `init` without `shape`.
   */
  declaredShape(req: WeightRequest): number[] | undefined {
    const spec = req.spec;
    if (!spec) return this.shapeOf(this.fileEntry(req, undefined, true));
    if (spec.type === 'array') {
      const { shape } = readNumbers(this.doc, spec, whatOf(req));
      return shape.length > 1 ? shape : undefined;
    }
    if (spec.type !== 'object') return undefined;
    const shapeNode = prop(spec, 'shape');
    if (shapeNode) return readShape(this.doc, shapeNode, `${whatOf(req)} shape`);
    const data = prop(spec, 'data');
    if (data?.type === 'array') {
      const { shape } = readNumbers(this.doc, data, whatOf(req));
      return shape.length > 1 ? shape : undefined;
    }
    if (prop(spec, 'key') || prop(spec, 'file')) return this.shapeOf(this.fileEntry(req, spec, false));
    return undefined;
  }

  private shapeOf(ref: FileRef | undefined): number[] | undefined {
    return ref && !ref.deferred ? ref.shape.slice() : undefined;
  }

  /** Resolves a weight to a tensor whose shape is checked against the request (example inputs: read now). */
  resolve(req: WeightRequest): Tensor {
    return this.resolveAny(req, false) as Tensor;
  }

  /**
   * Like {@link resolve}, but a weight stored in a safetensors file comes back pending: checked now (shape,
   * dtype where the header is read, maxBytes), decoded (and, for a large file, read) at the first run.
   */
  resolveLazy(req: WeightRequest): Tensor | PendingWeight {
    return this.resolveAny(req, true);
  }

  private resolveAny(req: WeightRequest, lazy: boolean): Tensor | PendingWeight {
    const { doc } = this;
    const spec = req.spec;
    if (!spec) {
      const entry = this.fileEntry(req, undefined, true);
      if (!entry) throw doc.error(req.layerNode, this.missingMessage(req));
      return entry.deferred ? this.fromDeferred(req, entry, req.layerNode, undefined, lazy) : this.fromFile(req, entry, req.layerNode, lazy);
    }
    if (spec.type === 'array') return this.fromNumbers(req, spec, spec, undefined);
    if (spec.type !== 'object') throw doc.error(spec, `${whatOf(req)} is ${describe(spec)}; expected ${FORMS}.`);
    for (const [key, keyNode] of entries(spec)) {
      if (!WEIGHT_KEYS.has(key)) throw doc.error(keyNode, `${whatOf(req)} has an unknown property '${key}'; expected ${FORMS}.`);
    }
    this.checkDType(req, prop(spec, 'dtype'));
    const shapeNode = prop(spec, 'shape');
    const declared = shapeNode ? readShape(doc, shapeNode, `${whatOf(req)} shape`) : undefined;
    const data = prop(spec, 'data');
    if (data) return this.fromNumbers(req, data, spec, declared);
    if (prop(spec, 'key') || prop(spec, 'file')) {
      const entry = this.fileEntry(req, spec, false)!;
      if (entry.deferred) return this.fromDeferred(req, entry, spec, declared, lazy);
      if (declared && fmt(declared) !== fmt(entry.shape)) {
        throw doc.error(spec, `${whatOf(req)} declares shape ${fmt(declared)} but '${entry.key}' in the weights file is ${fmt(entry.shape)}.`);
      }
      return this.fromFile(req, entry, spec, lazy);
    }
    if (prop(spec, 'init')) return this.fromInit(req, spec, declared);
    throw doc.error(spec, `${whatOf(req)} gives no data; expected ${FORMS}.`);
  }

  /** A `dtype` written beside the data (as tensor files do) must fit what the tensor is for. */
  private checkDType(req: WeightRequest, node: JsonNode | undefined): void {
    if (!node) return;
    const want = req.dtype ?? 'float32';
    const isInt = (d: unknown): boolean => d === 'int32' || d === 'int64';
    const ok = node.value === want || (isInt(node.value) && isInt(want));
    if (node.type !== 'string' || !ok) throw this.doc.error(node, `${whatOf(req)} has dtype ${describe(node)} but it must be ${want}.`);
  }

  private missingMessage(req: WeightRequest): string {
    const shape = req.expected ? ` of shape ${fmt(req.expected)}` : '';
    const file = this.defaultFile ? ` or store it in ${this.defaultFile} under '${req.valueName}'` : '';
    return `${req.label} is missing its weight '${req.role}'${shape}: give it under "weights" as ${FORMS}${file}.`;
  }

  /** Checks a resolved shape against the request. */
  private check(req: WeightRequest, shape: Shape, node: JsonNode): void {
    if (req.expected && fmt(req.expected) !== fmt(shape)) {
      throw this.doc.error(node, `${whatOf(req)} has shape ${fmt(shape)} but ${req.expectation ?? 'the layer expects'} ${fmt(req.expected)}.`);
    }
  }

  private claim(req: WeightRequest, shape: Shape, node: JsonNode): void {
    this.budget.claim(byteSize(shape), (max) =>
      this.doc.error(node, `${whatOf(req)} of shape ${fmt(shape)} takes ${byteSize(shape)} bytes, past the ${max} bytes a model may load (maxBytes).`));
  }

  private fromNumbers(req: WeightRequest, data: JsonNode, node: JsonNode, declared: number[] | undefined): Tensor {
    const { values, shape: nested } = readNumbers(this.doc, data, whatOf(req));
    const shape = declared ?? (nested.length > 1 ? nested : req.expected ?? nested);
    const size = shape.reduce((a, d) => a * d, 1);
    if (values.length !== size) {
      throw this.doc.error(data, `${whatOf(req)} has ${values.length} values but its shape ${fmt(shape)} needs ${size}.`);
    }
    this.check(req, shape, node);
    this.claim(req, shape, node);
    return Tensor.from(shape, values);
  }

  private fromFile(req: WeightRequest, entry: SafetensorsEntry & { file: string }, node: JsonNode, lazy: boolean): Tensor | PendingWeight {
    this.check(req, entry.shape, node);
    this.checkFloat(req, entry, entry.file, node);
    this.claim(req, entry.shape, node);
    const bytes = this.files.get(entry.file)!.read!.bytes;
    if (!lazy) return decodeSafetensorsEntry(bytes, entry);
    return { dtype: 'float32', shape: entry.shape, bytes: byteSize(entry.shape), load: async () => decodeSafetensorsEntry(bytes, entry) };
  }

  private checkFloat(req: WeightRequest, entry: SafetensorsEntry, file: string, node: JsonNode): void {
    if (entry.dtype !== 'float32') {
      throw this.doc.error(node, `${whatOf(req)} is '${entry.key}' in ${file}, stored as ${entry.fileDtype}; weights must be floating point (F32, F16, BF16 or F64).`);
    }
  }

  /**
   * A weight in a large file that is read at the first run: it takes the shape model.json declares (or the
   * layer expects); the key, shape and dtype are checked against the header when the file is read, with the
   * same sentences as at open.
   */
  private fromDeferred(req: WeightRequest, ref: DeferredRef, node: JsonNode, declared: number[] | undefined, lazy: boolean): PendingWeight {
    const { doc } = this;
    const where = `'${ref.key}' in ${ref.file.path}, a file of ${LAZY_FILE_BYTES / 1024 ** 2} MiB or more that is read at the first run`;
    if (!lazy) throw doc.error(node, `${whatOf(req)} is ${where}; give it inline or in a smaller file.`);
    const shape = declared ?? req.expected;
    if (!shape) throw doc.error(node, `${whatOf(req)} is ${where}, so it must give its "shape".`);
    this.check(req, shape, node);
    this.claim(req, shape, node);
    const load = async (): Promise<Tensor> => {
      const { bytes, header } = await ref.file.load();
      const entry = header.entries.get(ref.key);
      if (!entry) throw doc.error(ref.keyNode ?? node, this.notHeldMessage(req, ref.key, ref.file.path, header.entries.keys()));
      if (fmt(shape) !== fmt(entry.shape)) {
        throw doc.error(node, `${whatOf(req)} declares shape ${fmt(shape)} but '${entry.key}' in the weights file is ${fmt(entry.shape)}.`);
      }
      this.checkFloat(req, entry, ref.file.path, node);
      return decodeSafetensorsEntry(bytes, entry);
    };
    return { dtype: 'float32', shape, bytes: byteSize(shape), load };
  }

  private notHeldMessage(req: WeightRequest, key: string, path: string, keys: Iterable<string>): string {
    const known = [...keys];
    const list = known.length <= 12 ? known.join(', ') : `${known.slice(0, 12).join(', ')} and ${known.length - 12} more`;
    return `${whatOf(req)} refers to key '${key}', which ${path} does not hold (it holds ${list || 'nothing'}).`;
  }

  /**
   * The safetensors entry a weight refers to. With `spec` undefined, looks the value name up in the default
   * file and returns undefined when it is not there (`lenient`).
   */
  private fileEntry(req: WeightRequest, spec: JsonNode | undefined, lenient: boolean): FileRef | undefined {
    const { doc } = this;
    const fileNode = spec && prop(spec, 'file');
    const keyNode = spec && prop(spec, 'key');
    if (fileNode && fileNode.type !== 'string') throw doc.error(fileNode, `${whatOf(req)} file must be a path string.`);
    if (keyNode && keyNode.type !== 'string') throw doc.error(keyNode, `${whatOf(req)} key must be a string.`);
    const path = (fileNode?.value as string | undefined) ?? this.defaultFile;
    if (path === undefined) {
      if (lenient) return undefined;
      throw doc.error(spec, `${whatOf(req)} gives a key but no "file", and the model has no "weightsFile".`);
    }
    const file = this.files.get(path);
    if (!file) {
      if (lenient) return undefined;
      throw doc.error(fileNode ?? spec, `${whatOf(req)} refers to weights file '${path}', which could not be read.`);
    }
    const key = (keyNode?.value as string | undefined) ?? req.valueName;
    // A file not read yet: assume the key is there (checked when the file is read) when the layer knows the shape.
    if (!file.read) return lenient && !req.expected ? undefined : { deferred: true, file, key, keyNode };
    const entry = file.read.header.entries.get(key);
    if (!entry) {
      if (lenient) return undefined;
      throw doc.error(keyNode ?? spec, this.notHeldMessage(req, key, file.path, file.read.header.entries.keys()));
    }
    return { ...entry, file: file.path };
  }

  private fromInit(req: WeightRequest, spec: JsonNode, declared: number[] | undefined): Tensor {
    const { doc } = this;
    const initNode = prop(spec, 'init')!;
    if (initNode.type !== 'string' || !(INITIALIZERS as readonly string[]).includes(initNode.value)) {
      throw doc.error(initNode, `${whatOf(req)} has init ${describe(initNode)}; expected one of ${INITIALIZERS.map((i) => `'${i}'`).join(', ')}.`);
    }
    const shape = declared ?? req.expected;
    if (!shape) throw doc.error(spec, `${whatOf(req)} uses init without a "shape", and the layer cannot tell which shape it needs.`);
    this.check(req, shape, spec);
    this.claim(req, shape, spec);
    const num = (key: string): number | undefined => {
      const n = prop(spec, key);
      if (n && n.type !== 'number') throw doc.error(n, `${whatOf(req)} ${key} must be a number.`);
      return n?.value as number | undefined;
    };
    const seed = num('seed') ?? hashSeed(req.valueName);
    const settings = { init: initNode.value as Initializer, seed, value: num('value'), min: num('min'), max: num('max'), mean: num('mean'), std: num('std') };
    return new Tensor('float32', shape, initialize(shape, settings));
  }
}
