import type { DType } from '../../engine/tensor';
import { fmt } from '../../model/shapes';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, entries, items, prop } from '../native/json';
import { checkRelativePath } from '../native/paths';

/**
 * The `weightsManifest` of a TF.js model.json (tfjs-core `io/types.ts`, WeightsManifestConfig): groups of
 * weights, each group's bytes split over one or more shard files in order. A weight is stored as its dtype
 * (float32, int32, bool) or quantized (`quantization: { dtype: 'uint8' | 'uint16', scale, min }`, or
 * `{ dtype: 'float16' }`); its byte offset is the sum of the sizes of the weights before it in its group.
 */

/** How a weight's elements are stored in the shard bytes. */
export type Storage = 'float32' | 'int32' | 'bool' | 'uint8' | 'uint16' | 'float16';

const STORAGE_BYTES: Readonly<Record<Storage, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
const DTYPES: readonly string[] = ['float32', 'int32', 'bool'];
const QUANTIZED: readonly string[] = ['uint8', 'uint16', 'float16'];
const READS = 'float32, int32 and bool weights, stored as they are or quantized to uint8, uint16 or float16';

export interface ManifestEntry {
  /** The weight's name as written (`dense_1/kernel`). */
  readonly name: string;
  readonly shape: readonly number[];
  /** The dtype of the decoded tensor. */
  readonly dtype: DType;
  readonly storage: Storage;
  /** Dequantization: value = stored · scale + min (uint8 / uint16). */
  readonly scale: number;
  readonly min: number;
  /** Where its bytes lie in its group's data. */
  readonly offset: number;
  readonly byteLength: number;
  readonly group: number;
  /** The weight's object in model.json, for messages. */
  readonly node: JsonNode;
}

export interface ShardPath {
  /** The path as checked and normalised (relative to model.json, `/` separators). */
  readonly path: string;
  readonly node: JsonNode;
}

export interface ManifestGroup {
  readonly index: number;
  readonly paths: readonly ShardPath[];
  readonly entries: readonly ManifestEntry[];
  /** Bytes the group's weights take in its shards. */
  readonly byteLength: number;
}

/** Reads and checks `weightsManifest` (absent: no weights). No file is touched. */
export function readManifest(doc: JsonDocument, manifest: JsonNode | undefined): ManifestGroup[] {
  if (!manifest || manifest.type === 'null') return [];
  if (manifest.type !== 'array') throw doc.error(manifest, `"weightsManifest" is ${describe(manifest)}; expected an array of { "paths", "weights" } groups.`);
  return items(manifest).map((g, index) => readGroup(doc, g, index));
}

function readGroup(doc: JsonDocument, g: JsonNode, index: number): ManifestGroup {
  const where = `weights manifest group ${index + 1}`;
  if (g.type !== 'object') throw doc.error(g, `${where} is ${describe(g)}; expected { "paths": [...], "weights": [...] }.`);
  const pathsNode = prop(g, 'paths');
  const weightsNode = prop(g, 'weights');
  if (!pathsNode || pathsNode.type !== 'array' || items(pathsNode).length === 0) {
    throw doc.error(pathsNode ?? g, `${where} needs "paths": a non-empty array of shard file names.`);
  }
  if (!weightsNode || weightsNode.type !== 'array') throw doc.error(weightsNode ?? g, `${where} needs "weights": an array of { "name", "shape", "dtype" }.`);
  const paths = items(pathsNode).map((p): ShardPath => {
    if (p.type !== 'string') throw doc.error(p, `${where} lists ${describe(p)} among its paths; a shard is a file name relative to model.json.`);
    try {
      return { path: checkRelativePath(p.value as string), node: p };
    } catch (e) {
      throw doc.error(p, `the weights manifest names shard '${p.value}', which is refused: ${(e as Error).message}.`);
    }
  });
  let offset = 0;
  const out: ManifestEntry[] = [];
  for (const w of items(weightsNode)) {
    const entry = readEntry(doc, w, index, offset);
    out.push(entry);
    offset += entry.byteLength;
  }
  return { index, paths, entries: out, byteLength: offset };
}

function readEntry(doc: JsonDocument, w: JsonNode, group: number, offset: number): ManifestEntry {
  if (w.type !== 'object') throw doc.error(w, `the weights manifest lists ${describe(w)} as a weight; expected { "name", "shape", "dtype" }.`);
  const nameNode = prop(w, 'name');
  if (nameNode?.type !== 'string' || nameNode.value === '') throw doc.error(nameNode ?? w, `a weight of the weights manifest has no "name" string.`);
  const name = nameNode.value as string;
  const shapeNode = prop(w, 'shape');
  const okShape = shapeNode?.type === 'array' && items(shapeNode).every((d) => d.type === 'number' && Number.isInteger(d.value) && d.value >= 0);
  if (!shapeNode || !okShape) throw doc.error(shapeNode ?? w, `weight '${name}' has no valid "shape" (an array of non-negative integers).`);
  const shape = items(shapeNode).map((d) => d.value as number);
  const dtypeNode = prop(w, 'dtype');
  const dtype = dtypeNode?.type === 'string' ? (dtypeNode.value as string) : 'float32';
  if (dtypeNode && dtypeNode.type !== 'string') throw doc.error(dtypeNode, `weight '${name}' has dtype ${describe(dtypeNode)}; expected a dtype name such as "float32".`);
  if (!DTYPES.includes(dtype)) {
    throw doc.error(dtypeNode ?? w, `weight '${name}' has dtype '${dtype}', which Layerstep cannot read; it reads ${READS}.`);
  }
  let storage = dtype as Storage;
  let scale = 1;
  let min = 0;
  const q = prop(w, 'quantization');
  if (q && q.type !== 'null') {
    const qd = q.type === 'object' ? prop(q, 'dtype') : undefined;
    if (!qd || qd.type !== 'string' || !QUANTIZED.includes(qd.value)) {
      const what = qd ? `'${String(qd.value)}'` : describe(q);
      throw doc.error(qd ?? q, `weight '${name}' is quantized as ${what}, which Layerstep cannot read; it reads ${READS}.`);
    }
    storage = qd.value as Storage;
    if (storage === 'float16' && dtype !== 'float32') throw doc.error(qd, `weight '${name}' is quantized to float16 but its dtype is '${dtype}'; float16 holds float32 weights only.`);
    if (storage !== 'float16') {
      const num = (key: string): number => {
        const n = prop(q, key);
        if (n?.type !== 'number' || !Number.isFinite(n.value)) throw doc.error(n ?? q, `weight '${name}' is quantized to ${storage} but its quantization has no "${key}" number.`);
        return n.value as number;
      };
      scale = num('scale');
      min = num('min');
      if (dtype === 'bool') throw doc.error(qd, `weight '${name}' is a quantized bool, which TF.js never writes and Layerstep cannot read.`);
    }
    for (const [key, keyNode] of entries(q)) {
      if (!['dtype', 'scale', 'min', 'original_dtype'].includes(key)) throw doc.error(keyNode, `weight '${name}' has an unknown quantization setting '${key}'.`);
    }
  }
  const size = shape.reduce((a, d) => a * d, 1);
  if (!Number.isSafeInteger(size)) throw doc.error(shapeNode, `weight '${name}' has shape ${fmt(shape)}, too large to hold.`);
  return { name, shape, dtype: dtype as DType, storage, scale, min, offset, byteLength: size * STORAGE_BYTES[storage], group, node: w };
}

/** Bytes a decoded weight takes in memory. */
export function decodedBytes(e: ManifestEntry): number {
  return e.shape.reduce((a, d) => a * d, 1) * (e.dtype === 'bool' ? 1 : 4);
}
