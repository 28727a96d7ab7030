import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ModelSource } from '../loaders/types';
import { ModelError } from '../model/errors';
import { describeIoError } from '../service/inputs';

/**
 * A {@link ModelSource} over the local file system. Sibling paths come from inside model files, which may be
 * hostile: only relative paths that stay in the model's folder are read, after resolving symlinks, so
 * `../secret`, `/etc/passwd` and a link pointing out of the folder are all refused with a sentence.
 */
export class FileModelSource implements ModelSource {
  private readonly folder: string;
  private realFolder?: Promise<string>;

  /** `path` is the model file; `name` is how messages show it (the path as the user typed it by default). */
  constructor(
    private readonly path: string,
    readonly name: string = path,
  ) {
    this.folder = dirname(resolve(path));
  }

  async read(): Promise<Uint8Array> {
    try {
      return asBytes(await readFile(this.path));
    } catch (e) {
      throw new ModelError(`${this.name}: cannot read the model file (${describeIoError(e)}).`, this.name);
    }
  }

  async readSibling(relativePath: string): Promise<Uint8Array> {
    const full = await this.locate(relativePath);
    if (full === undefined) throw new ModelError(`${this.name}: '${relativePath}' does not exist beside the model.`, this.name);
    try {
      return asBytes(await readFile(full));
    } catch (e) {
      throw this.ioError(relativePath, e);
    }
  }

  async statSibling(relativePath: string): Promise<number | undefined> {
    const full = await this.locate(relativePath);
    if (full === undefined) return undefined;
    const s = await stat(full);
    return s.isFile() ? s.size : undefined;
  }

  /**
   * The real path of a sibling, or undefined when it does not exist. Refuses anything outside the model's
   * folder (subfolders are fine), checking both the path as written and the path after resolving symlinks.
   */
  private async locate(relativePath: string): Promise<string | undefined> {
    const refuse = (why: string): never => {
      throw new ModelError(`${this.name}: refuses to read '${relativePath}': ${why}.`, this.name);
    };
    if (relativePath === '' || relativePath.includes('\0')) refuse('not a file name');
    if (isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath) || relativePath.startsWith('\\')) {
      refuse("files beside a model are named by paths relative to the model's folder");
    }
    const lexical = resolve(this.folder, relativePath);
    if (!inside(this.folder, lexical)) refuse("the path leaves the model's folder");
    let real: string;
    try {
      real = await realpath(lexical);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.ioError(relativePath, e);
    }
    this.realFolder ??= realpath(this.folder);
    if (!inside(await this.realFolder, real)) refuse("it is a link to a file outside the model's folder");
    return real;
  }

  private ioError(relativePath: string, e: unknown): ModelError {
    return new ModelError(`${this.name}: cannot read '${relativePath}' beside the model (${describeIoError(e)}).`, this.name);
  }
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/**
 * A file's bytes as a plain Uint8Array over the Buffer's memory: no second copy of a large model, and `slice`
 * copies as Uint8Array's does (Buffer's would not).
 */
export function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
