import { ModelError } from '../model/errors';
import type { Model } from '../model/ir';
import { nativeLoader } from './native/index';
import { tfjsLoader } from './tfjs/index';
import { tfjsGraphLoader } from './tfjsGraph/index';
import { onnxLoader } from './onnx/index';
import { kerasLoader } from './keras/index';
import { DEFAULT_LOAD_OPTIONS } from './types';
import type { Loader, LoadOptions, ModelSource } from './types';

/** Bytes of the file a loader's `match` sees. */
export const HEAD_BYTES = 4096;

export interface Disposable {
  dispose(): void;
}

/** The model formats Layerstep reads, tried in registration order; the first whose `match` accepts the file opens it. */
export class LoaderRegistry {
  private readonly loaders: Loader[] = [];

  /** Adds a loader; registering an id twice is a programming error. Returns a handle that removes it. */
  register(loader: Loader): Disposable {
    if (this.loaders.some((l) => l.id === loader.id)) throw new Error(`loader '${loader.id}' is registered twice`);
    this.loaders.push(loader);
    return { dispose: () => void this.loaders.splice(this.loaders.indexOf(loader), 1) };
  }

  /** The loader for a file, from its name and first bytes. */
  find(name: string, head: Uint8Array): Loader | undefined {
    return this.loaders.find((l) => l.match(name, head));
  }

  ids(): string[] {
    return this.loaders.map((l) => l.id);
  }
}

/** The registry with every built-in format. */
export function createDefaultLoaders(): LoaderRegistry {
  const registry = new LoaderRegistry();
  registry.register(tfjsGraphLoader); // graph models, before the layers loader
  registry.register(tfjsLoader); // before native, which takes any other .json
  registry.register(nativeLoader);
  registry.register(onnxLoader);
  registry.register(kerasLoader); // .h5, .hdf5, .keras, or the HDF5 signature
  return registry;
}

export const defaultLoaders: LoaderRegistry = createDefaultLoaders();

/**
 * Opens a model: picks the loader by the file's name and first bytes, then loads and checks it.
 * Throws {@link ModelError} with one sentence naming the file when no loader reads it or the model is broken.
 */
export async function openModel(source: ModelSource, options: Partial<LoadOptions> = {}, registry: LoaderRegistry = defaultLoaders): Promise<Model> {
  const opts: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...options };
  const bytes = await source.read();
  const loader = registry.find(source.name, bytes.subarray(0, HEAD_BYTES));
  if (!loader) {
    throw new ModelError(`${source.name} is not a model format Layerstep reads (it reads ${registry.ids().join(', ')}).`, source.name);
  }
  // The loader reads the file again through this source; hand it the bytes already read, once: a reference kept
  // here would keep the whole file alive beside the weights made from it for as long as the model lives.
  let held: Uint8Array | undefined = bytes;
  const once: ModelSource = {
    name: source.name,
    read: () => {
      const first = held;
      held = undefined;
      return first ? Promise.resolve(first) : source.read();
    },
    readSibling: (path) => source.readSibling(path),
    statSibling: (path) => source.statSibling(path),
  };
  return loader.open(once, opts);
}
