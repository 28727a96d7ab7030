import { readdir, readFile, stat } from 'node:fs/promises';
import type { EnginePorts } from '../service/engineService';
import { asBytes, FileModelSource } from './fileSource';

/** The runner's yield in Node: a turn of the event loop, without the 1 ms that `setTimeout(0)` waits at least. */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** The engine service's ports over the local disk: for the engine worker and the CLI. */
export function nodePorts(): EnginePorts {
  return {
    openSource: (path) => new FileModelSource(path),
    readFile: async (path) => asBytes(await readFile(path)),
    listDir: (path) => readdir(path),
    yieldToHost: yieldToEventLoop,
    fingerprint: async (path) => {
      const s = await stat(path);
      return `${s.size}:${s.mtimeMs}`;
    },
  };
}
