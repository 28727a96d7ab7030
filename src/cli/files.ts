import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors';
import { describeIoError } from '../service/inputs';

/**
 * Writes a file all at once or not at all: the bytes go to a temporary file in the same folder (so the
 * rename stays on one file system and is atomic), which is renamed over `path` only when fully written.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new CliError(`${path}: cannot write the output (${describeIoError(e)}).`);
  }
}

/** Fails early, before a long run, when the folder an output file goes to does not exist or is not writable. */
export async function checkOutputFolder(path: string): Promise<void> {
  const folder = dirname(path);
  const isFolder = await stat(folder).then((s) => s.isDirectory(), () => false);
  if (!isFolder) throw new CliError(`${path}: cannot write the output (the folder '${folder}' does not exist).`);
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new CliError(`${path}: cannot write the output (the folder '${folder}' is not writable).`);
  }
}
