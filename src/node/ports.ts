import { readFile, stat } from 'node:fs/promises';
import type { EnginePorts } from '../service/engineService';
import { asBytes, FileModelSource } from './fileSource';

/** The engine service's ports over the local disk: for the engine worker and the CLI. */
export function nodePorts(): EnginePorts {
  return {
    openSource: (path) => new FileModelSource(path),
    readFile: async (path) => asBytes(await readFile(path)),
    fingerprint: async (path) => {
      const s = await stat(path);
      return `${s.size}:${s.mtimeMs}`;
    },
  };
}
