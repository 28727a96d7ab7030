import { fmt } from '../../model/shapes';
import type { JsonDocument } from '../native/json';
import type { LoadOptions, ModelSource } from '../types';
import type { ManifestEntry, ManifestGroup, ShardPath } from './manifest';
import { decodedBytes } from './manifest';

/**
 * Checks each manifest group's shards without reading them: every shard is stat-ed, and a missing one, shards
 * shorter than the manifest says, or weights past `maxBytes` are refused. Returns each group's shard sizes,
 * for {@link readGroup} (weights are read lazily, at the first run).
 */
export async function checkGroups(doc: JsonDocument, source: ModelSource, groups: readonly ManifestGroup[], options: LoadOptions): Promise<number[][]> {
  let claimed = 0;
  const sizes: number[][] = [];
  for (const g of groups) {
    const s: number[] = [];
    for (const shard of g.paths) s.push(await statShard(doc, source, shard));
    checkLength(doc, g, s);
    sizes.push(s);
    claimed += g.entries.reduce((a, e) => a + decodedBytes(e), 0) + g.byteLength;
  }
  if (claimed > options.maxBytes) {
    throw doc.error(undefined, `the weights take ${claimed} bytes to load, more than the ${options.maxBytes} bytes a model may load (maxBytes).`);
  }
  return sizes;
}

async function statShard(doc: JsonDocument, source: ModelSource, shard: ShardPath): Promise<number> {
  let size: number | undefined;
  try {
    size = await source.statSibling(shard.path);
  } catch (e) {
    throw doc.error(shard.node, `the weights manifest names shard '${shard.path}', which cannot be read: ${(e as Error).message}.`);
  }
  if (size === undefined) throw doc.error(shard.node, `the weights manifest names shard '${shard.path}', which is not in the model's folder.`);
  return size;
}

/** Refuses shards that hold fewer bytes than the group's weights need, naming the short shard and the first weight cut off. */
function checkLength(doc: JsonDocument, g: ManifestGroup, sizes: readonly number[]): void {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total >= g.byteLength) return;
  // Every shard but the last is written at the same size; a smaller one among them is the truncated one.
  const full = Math.max(...sizes.slice(0, -1), 0);
  let short = sizes.findIndex((s, i) => i < sizes.length - 1 && s < full);
  if (short < 0) short = sizes.length - 1;
  const end = sizes.slice(0, short + 1).reduce((a, b) => a + b, 0);
  const cut = g.entries.find((e) => e.offset + e.byteLength > end) ?? g.entries[g.entries.length - 1];
  throw doc.error(g.paths[short].node,
    `weights shard '${g.paths[short].path}' is ${sizes[short]} bytes, shorter than the weights manifest says: weight '${cut.name}' ${describeEntry(cut)} ` +
    `needs bytes ${cut.offset} to ${cut.offset + cut.byteLength} of its group, but the group's shards hold ${total} bytes in all.`);
}

export function describeEntry(e: ManifestEntry): string {
  return `${fmt(e.shape)} (${e.dtype}${e.storage !== e.dtype ? ` stored as ${e.storage}` : ''})`;
}

/** Reads a checked group's shards through the source and joins them into the group's bytes; bytes past the last weight are ignored. */
export async function readGroup(doc: JsonDocument, source: ModelSource, g: ManifestGroup, sizes: readonly number[]): Promise<Uint8Array> {
  const bytes = new Uint8Array(g.byteLength);
  let at = 0;
  for (const [i, shard] of g.paths.entries()) {
    if (at >= g.byteLength) break;
    let data: Uint8Array;
    try {
      data = await source.readSibling(shard.path);
    } catch (e) {
      throw doc.error(shard.node, `weights shard '${shard.path}' cannot be read: ${(e as Error).message}.`);
    }
    if (data.length !== sizes[i]) throw doc.error(shard.node, `weights shard '${shard.path}' changed size while it was read (${sizes[i]} bytes, then ${data.length}).`);
    const take = Math.min(data.length, g.byteLength - at);
    bytes.set(data.subarray(0, take), at);
    at += take;
  }
  return bytes;
}

/**
 * The manifest's groups checked against their shards now (sizes, existence, maxBytes), each read lazily: a
 * function per group that reads its shards once, at the first weight that needs them (again after a failed read).
 */
export async function lazyGroups(doc: JsonDocument, source: ModelSource, groups: readonly ManifestGroup[], options: LoadOptions): Promise<(() => Promise<Uint8Array>)[]> {
  const sizes = await checkGroups(doc, source, groups, options);
  return groups.map((g, k) => {
    let bytes: Promise<Uint8Array> | undefined;
    return (): Promise<Uint8Array> => {
      bytes ??= readGroup(doc, source, g, sizes[k]);
      bytes.catch(() => { bytes = undefined; });
      return bytes;
    };
  });
}
