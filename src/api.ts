import { runPlain } from './bench/plain';
import { defaultOps } from './engine/ops/index';
import type { Tensor } from './engine/tensor';
import type { Model } from './model/ir';
import { modelFor } from './model/specialize';
import { engineInfo as currentEngineInfo } from './node/engineSetup';
import { openModelFile, runToEnd } from './node/localModel';
import { baseName, RunnerError } from './runner/errors';
import { aliasInputs, checkInputs } from './runner/inputs';
import { VERSION } from './cli/version';
import { holdEngine, releaseEngine } from './api/engineUse';
import { checkOptions, fixShapes, OptionError } from './api/options';
import type { OpenOptions } from './api/options';
import { declaration, fromTensor, toTensor } from './api/tensors';
import type { TensorDeclaration, TensorInput, TensorOutput } from './api/tensors';

/**
 * Layerstep from Node code (`require('layerstep/dist/api.js')`): open a model file of any format the loaders read,
 * run it on plain tensors, plainly (ops in order, nothing kept) or recorded (the stepping runner to the end, every
 * value recorded: what a Run in the debugger does). docs/api.md is its manual. Errors are the sentences the
 * command line prints, as Error instances.
 */

export type { OpenOptions, TensorDeclaration, TensorInput, TensorOutput };
export { OptionError };

/** The package version. */
export const version: string = VERSION;

/** What the engine runs with: its worker threads and the WebAssembly features this runtime has. */
export interface EngineInfo {
  readonly threads: number;
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
}

/** The engine as configured now. */
export function engineInfo(): EngineInfo {
  return currentEngineInfo();
}

export interface RunOptions {
  /** true: the stepping runner to the end, recording every value, as a Run in the debugger. Default false. */
  readonly record?: boolean;
}

/** An open model. */
export interface LayerstepModel {
  /** The model's name (from the file, else the file's name) and its format id (`onnx`, `tfjs-layers`...). */
  readonly name: string;
  readonly format: string;
  /** Inputs and outputs as declared: `null` where a size is open (with `shapes`, inputs have theirs). */
  readonly inputs: readonly TensorDeclaration[];
  readonly outputs: readonly TensorDeclaration[];
  /** One forward pass on the inputs, keyed by input name; resolves to the outputs keyed by output name. */
  run(inputs: Readonly<Record<string, TensorInput>>, options?: RunOptions): Promise<Record<string, TensorOutput>>;
  /** Lets the model go; the last open model to go releases the engine's worker threads. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Opens a model file (layerstep model.json, ONNX, TF.js layers or graph model.json, Keras .h5/.keras, with their
 * weight files beside them) as the command line does. Rejects with the loader's one sentence.
 */
export async function open(path: string, options?: OpenOptions): Promise<LayerstepModel> {
  if (typeof path !== 'string' || path === '') throw new OptionError('open needs the path of a model file.');
  const checked = checkOptions(path, options);
  const model = await openModelFile(path);
  const fixed = fixShapes(model, checked.shapes ?? {});
  holdEngine(checked.threads);
  return new OpenModel(model, fixed, checked.maxLoopIterations);
}

class OpenModel implements LayerstepModel {
  readonly name: string;
  readonly format: string;
  readonly inputs: readonly TensorDeclaration[];
  readonly outputs: readonly TensorDeclaration[];
  private model?: Model;
  private readonly file: string;

  constructor(model: Model, private readonly fixed: ReadonlyMap<string, number[]>, private readonly maxLoopIterations?: number) {
    this.model = model;
    this.file = model.file;
    this.name = model.name;
    this.format = model.format;
    this.inputs = model.inputs.map((v) => ({ ...declaration(v), ...(fixed.has(v.name) ? { shape: fixed.get(v.name)! } : {}) }));
    this.outputs = model.outputs.map(declaration);
  }

  async run(given: Readonly<Record<string, TensorInput>>, options?: RunOptions): Promise<Record<string, TensorOutput>> {
    const model = this.model;
    if (!model) throw new RunnerError(`${baseName(this.file)}: the model was disposed; open it again to run it.`, { file: this.file });
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new RunnerError(`${baseName(this.file)}: run takes the inputs as an object keyed by input name, such as { ${model.inputs[0]?.name ?? 'x'}: { shape, dtype, data } }.`, { file: this.file });
    }
    const inputs = this.tensors(model, given);
    const record = options?.record === true;
    const outputs = record || hasRunTimeControl(model)
      ? await runToEnd(model, inputs, { memoryBudgetBytes: record ? Infinity : undefined, maxLoopIterations: this.maxLoopIterations })
      : await plain(model, inputs);
    return Object.fromEntries([...outputs].map(([name, t]) => [name, fromTensor(t)]));
  }

  async dispose(): Promise<void> {
    if (!this.model) return;
    this.model = undefined;
    releaseEngine();
  }

  /** The inputs as the engine's tensors, each checked: structure and values here, names, dtypes and sizes by the runner's rule. */
  private tensors(model: Model, given: Readonly<Record<string, TensorInput>>): Map<string, Tensor> {
    const named = aliasInputs(model, given);
    const tensors: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(named)) {
      tensors[name] = toTensor(model.file, name, value, model.inputs.find((v) => v.name === name)?.dtype);
    }
    checkInputs(model, tensors);
    for (const [name, shape] of this.fixed) {
      const t = tensors[name];
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new RunnerError(`${baseName(model.file)}: input '${name}' must be ${t.dtype}[${shape.join(',')}] (option 'shapes' fixed it), got ${t.dtype}[${t.shape.join(',')}]`, { file: model.file });
      }
    }
    return new Map(Object.entries(tensors));
  }
}

/**
 * The plain pass: the ops in order through the registry, nothing recorded (src/bench/plain.ts, the bench's
 * baseline). It does not name the layer of an op that fails, so a failure is run again through the runner,
 * which rejects with the sentence that names it.
 */
async function plain(model: Model, inputs: ReadonlyMap<string, Tensor>): Promise<ReadonlyMap<string, Tensor>> {
  try {
    return runPlain(modelFor(model, inputs), inputs, defaultOps);
  } catch (e) {
    await runToEnd(model, inputs, { memoryBudgetBytes: 0 });
    throw e;
  }
}

/** Control flow decided at run time (ONNX If, Loop, Scan) is made by the runner only: such models always take it. */
function hasRunTimeControl(model: Model): boolean {
  const stack = [model.root];
  while (stack.length) {
    const m = stack.pop()!;
    if (m.control) return true;
    for (const item of m.body) if (item.kind === 'module') stack.push(item);
  }
  return false;
}
