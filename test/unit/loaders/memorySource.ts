import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ModelSource } from '../../../src/loaders/types';

/**
 * A {@link ModelSource} over a map of files: the model at `name`, siblings by relative path. Records every
 * sibling path asked for, so tests can check that refused paths were never read.
 */
export class MemorySource implements ModelSource {
  readonly reads: string[] = [];
  readonly stats: string[] = [];
  private readonly files: Map<string, Uint8Array>;

  constructor(
    readonly name: string,
    model: string | Uint8Array,
    siblings: Record<string, Uint8Array | string> = {},
  ) {
    const enc = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? new TextEncoder().encode(v) : v);
    this.files = new Map(Object.entries(siblings).map(([k, v]) => [k, enc(v)]));
    this.files.set('\0model', enc(model));
  }

  /** A source for a model given as an object (serialised with line breaks so that line numbers are meaningful). */
  static of(model: unknown, siblings: Record<string, Uint8Array | string> = {}, name = 'model.json'): MemorySource {
    return new MemorySource(name, JSON.stringify(model, null, 2), siblings);
  }

  /** A source over a folder on disk: `file` inside `dir` shown as `name`, every file under `dir` a sibling. */
  static fromDir(dir: string, file = 'model.json', name = file): MemorySource {
    const siblings: Record<string, Uint8Array> = {};
    const walk = (d: string): void => {
      for (const entry of readdirSync(d)) {
        const p = join(d, entry);
        if (statSync(p).isDirectory()) walk(p);
        else siblings[relative(dir, p).split('\\').join('/')] = readFileSync(p);
      }
    };
    walk(dir);
    return new MemorySource(name, siblings[file], siblings);
  }

  async read(): Promise<Uint8Array> {
    return this.files.get('\0model')!;
  }

  async readSibling(relativePath: string): Promise<Uint8Array> {
    this.reads.push(relativePath);
    const f = this.files.get(relativePath);
    if (!f) throw new Error(`no file '${relativePath}'`);
    return f;
  }

  async statSibling(relativePath: string): Promise<number | undefined> {
    this.stats.push(relativePath);
    return this.files.get(relativePath)?.length;
  }
}
