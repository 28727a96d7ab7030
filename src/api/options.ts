import type { Model } from '../model/ir';
import { fitsDeclared, formatDims, isOpen } from '../model/specialize';
import { aliasInputs } from '../runner/inputs';
import { baseName } from '../runner/errors';

/** What `open` takes besides the path. */
export interface OpenOptions {
  /**
   * Threads the engine splits big ops over, shared by every open model: the count last given wins. Left out, the
   * engine's default (every core, `os.availableParallelism()`); 1 runs everything on the calling thread.
   */
  readonly threads?: number;
  /**
   * Sizes for inputs whose sizes the file leaves open, by input name: the model is checked for them at open, and
   * `inputs` and `run` then hold to them.
   */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Most iterations a loop of the model (ONNX Loop, Scan) may run in a recorded run (default 10000). */
  readonly maxLoopIterations?: number;
}

/** An option of `open` that does not make sense: one sentence naming the file and the option. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;

/** The options as given, checked before the model is opened (`shapes` is checked against the model afterwards). */
export function checkOptions(path: string, options: unknown): OpenOptions {
  const fail = (what: string): never => {
    throw new OptionError(`${baseName(path)}: ${what}.`);
  };
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') return fail(`the options must be an object, got ${typeof options}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['threads', 'shapes', 'maxLoopIterations'].includes(key)) fail(`unknown option '${key}' (the options are threads, shapes, maxLoopIterations)`);
  }
  if (o.threads !== undefined && !isCount(o.threads)) fail(`option 'threads' must be a whole number, 1 or more, got ${JSON.stringify(o.threads)}`);
  if (o.maxLoopIterations !== undefined && !isCount(o.maxLoopIterations)) {
    fail(`option 'maxLoopIterations' must be a whole number, 1 or more, got ${JSON.stringify(o.maxLoopIterations)}`);
  }
  if (o.shapes !== undefined && (typeof o.shapes !== 'object' || o.shapes === null || Array.isArray(o.shapes))) {
    fail("option 'shapes' must be an object of input names to sizes, such as { x: [1, 3, 224, 224] }");
  }
  return o as OpenOptions;
}

/**
 * The declared input shapes with the sizes `shapes` gives filled in, each checked against the declaration; then the
 * model's own check of those sizes (it names the layer whose sizes do not chain).
 */
export function fixShapes(model: Model, shapes: Readonly<Record<string, readonly number[]>>): Map<string, number[]> {
  const file = baseName(model.file);
  const given = aliasInputs(model, shapes);
  const out = new Map<string, number[]>();
  for (const [name, shape] of Object.entries(given)) {
    const info = model.inputs.find((v) => v.name === name);
    if (!info) throw new OptionError(`${file}: option 'shapes' names no input of the model ('${name}'); its inputs are ${model.inputs.map((v) => `'${v.name}'`).join(', ')}.`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 1) || !fitsDeclared(info.shape, shape)) {
      throw new OptionError(`${file}: option 'shapes' gives input '${name}' the shape ${JSON.stringify(shape)}, which does not fit its declared shape ${formatDims(info.shape)}.`);
    }
    out.set(name, [...shape]);
  }
  // The model checks the sizes when they fix every input (inputs left out that have no open size count as given).
  const all = new Map(model.inputs.map((v) => [v.name, out.get(v.name) ?? (v.shape.every((d) => !isOpen(d)) ? (v.shape as number[]) : undefined)]));
  if (out.size && model.checkShapes && [...all.values()].every((s) => s !== undefined)) {
    const refuse = (why?: string): never => {
      const given = [...out].map(([n, s]) => `${n} [${s.join(', ')}]`).join(', ');
      throw new OptionError(`${file}: the model does not take the sizes given in option 'shapes' (${given})${why ? `: ${why.replace(/\.$/, '')}` : ''}.`);
    };
    let accepted = false;
    try {
      accepted = model.checkShapes(all as Map<string, number[]>);
    } catch (e) {
      // A layout's error already names the file and the layer; a shape rule's names only what does not fit.
      const message = e instanceof Error ? e.message : String(e);
      if (message.startsWith(file) || message.startsWith(model.file)) throw e;
      refuse(message);
    }
    if (!accepted) refuse();
  }
  return out;
}
