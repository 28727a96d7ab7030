import { unzipSync } from 'fflate';
import { ModelError } from '../../model/errors';
import { baseName } from './document';

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && ZIP_MAGIC.every((b, i) => head[i] === b);
}

/** Deflate expands at most about 1032 times; an entry that declares more is damaged or a zip bomb. */
const MAX_RATIO = 1032;

interface EntryInfo {
  readonly name: string;
  readonly size: number;
  readonly originalSize: number;
  readonly compression: number;
}

/**
 * Reads the named entries of a zip archive (`optional` ones may be absent). The central directory is read
 * first, without inflating anything: missing entries, unknown compression, and declared sizes past `maxBytes`
 * or past what deflate can expand to are refused. Each entry is then inflated into a buffer of its declared
 * size and must fill it exactly. Every failure is one sentence naming the file and the entry.
 */
export function readZip(bytes: Uint8Array, file: string, required: readonly string[], optional: readonly string[], maxBytes: number): Map<string, Uint8Array> {
  const name = baseName(file);
  const fail = (message: string): ModelError => new ModelError(`${name}: ${message}.`, file);
  const wanted = [...required, ...optional];
  const infos = new Map<string, EntryInfo>();
  let twice: string | undefined;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (wanted.includes(f.name)) {
          if (infos.has(f.name)) twice ??= f.name;
          infos.set(f.name, f);
        }
        return false;
      },
    });
  } catch {
    throw fail('is not a complete zip archive (its central directory is missing or damaged: a truncated .keras file?)');
  }
  if (twice) throw fail(`the archive holds '${twice}' twice, so which one is the model's is ambiguous`);
  for (const r of required) {
    if (!infos.has(r)) throw fail(`the archive holds no '${r}'; a .keras file holds ${required.join(', ')} and ${optional.join(', ')}`);
  }
  let total = 0;
  for (const e of infos.values()) {
    if (e.compression !== 0 && e.compression !== 8) throw fail(`entry '${e.name}' uses zip compression method ${e.compression}; Layerstep reads stored and deflated entries`);
    if (e.size > bytes.length) throw fail(`entry '${e.name}' declares ${e.size} compressed bytes, more than the archive's ${bytes.length} bytes (a truncated file?)`);
    if (e.originalSize > e.size * MAX_RATIO + 1024 || (e.compression === 0 && e.originalSize !== e.size)) {
      throw fail(`entry '${e.name}' declares ${e.originalSize} bytes from ${e.size} stored bytes, which no honest zip holds (a zip bomb or a damaged archive)`);
    }
    total += e.originalSize;
  }
  if (total > maxBytes) throw fail(`its entries declare ${total} bytes, more than the ${maxBytes} bytes a model may load (maxBytes)`);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => infos.has(f.name) });
  } catch (err) {
    throw fail(`its entries cannot be inflated (${(err as Error).message.replace(/\.$/, '')}: a truncated or damaged archive)`);
  }
  const out = new Map<string, Uint8Array>();
  for (const e of infos.values()) {
    const got = files[e.name];
    if (!got || got.length !== e.originalSize) throw fail(`entry '${e.name}' inflates to ${got?.length ?? 0} bytes, not the ${e.originalSize} it declares (a truncated or damaged archive)`);
    out.set(e.name, got);
  }
  return out;
}
