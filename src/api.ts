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
import { checkOutputFolder, writeFileAtomically } from './cli/files';
import { encodeSafetensorsFile } from './loaders/safetensorsWrite';
import { yieldToEventLoop } from './node/ports';
import { trainSettings } from './runner/train/defaults';
import { Trainer } from './runner/train/trainer';
import { checkTrainOptions, trainingData, withWeights } from './api/training';
import type { TrainingData, TrainOptions, TrainResult } from './api/training';
import { holdEngine, releaseEngine } from './api/engineUse';
import { checkOptions, fixShapes, OptionError } from './api/options';
import type { OpenOptions } from './api/options';
import { declaration, fromTensor, toTensor } from './api/tensors';
import type { TensorDeclaration, TensorInput, TensorOutput } from './api/tensors';

/**
 * Layerstep from Node code (`require('layerstep/dist/api.js')`): open a model file of any format the loaders read,
 * run it on plain tensors, plainly (ops in order, nothing kept) or recorded (the stepping runner to the end, every
 * value recorded: what a Run in the debugger does), and train it (the training steps a Train in the debugger steps
 * through, src/runner/train/). docs/api.md is its manual. Errors are the sentences the command line prints, as
 * Error instances.
 */

export type { OpenOptions, TensorDeclaration, TensorInput, TensorOutput, TrainingData, TrainOptions, TrainResult };
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
  /**
   * Steps of gradient descent on the data (left out: the model's examples that carry targets); what the options
   * leave out is what `layerstep train` takes. The trained weights become the model's: later `run`, `train`,
   * `weights` and `saveWeights` calls use them (the file is not changed). Calls on one model train one after another.
   */
  train(data?: TrainingData, options?: TrainOptions): Promise<TrainResult>;
  /** Every weight of the model as it is now (trained or as loaded), by name, each a copy of its own. */
  weights(): Record<string, TensorOutput>;
  /** Writes every weight as it is now to a new safetensors file, keyed by weight name (as `--save` does). */
  saveWeights(path: string): Promise<void>;
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
  /** The model as run: the loaded one with the trained weights in place. */
  private model?: Model;
  private loaded?: Model;
  private readonly file: string;
  /** Weights the finished `train` calls changed, by name. */
  private readonly trained = new Map<string, Tensor>();
  private stepsTrained = 0;
  /** The `train` calls, one after another: each starts from the weights the one before left. */
  private training: Promise<unknown> = Promise.resolve();

  constructor(model: Model, private readonly fixed: ReadonlyMap<string, number[]>, private readonly maxLoopIterations?: number) {
    this.model = model;
    this.loaded = model;
    this.file = model.file;
    this.name = model.name;
    this.format = model.format;
    this.inputs = model.inputs.map((v) => ({ ...declaration(v), ...(fixed.has(v.name) ? { shape: fixed.get(v.name)! } : {}) }));
    this.outputs = model.outputs.map(declaration);
  }

  async run(given: Readonly<Record<string, TensorInput>>, options?: RunOptions): Promise<Record<string, TensorOutput>> {
    const model = this.usable('run it');
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

  async train(data?: TrainingData, options?: TrainOptions): Promise<TrainResult> {
    const ask = checkTrainOptions(this.file, options);
    // The data is copied now: changes to the script's arrays while an earlier call trains do not reach it.
    const examples = trainingData(this.usable('train'), data);
    const done = this.training.then(async () => {
      const model = this.usable('train');
      const settings = trainSettings(model, { ...ask, batch: ask.batch ?? model.training?.batch ?? examples.rows }, examples.rows);
      const trainer = await Trainer.create(model, examples, { ...settings, runner: { yieldToHost: yieldToEventLoop } });
      const losses = [...await trainer.train(settings.steps, ask.onStep, () => this.model === undefined)];
      this.usable('train');
      // Only the model's own weights (a layout for other sizes may hold constants of its own).
      for (const [name, t] of trainer.weights()) if (this.loaded!.weights.has(name) && t !== model.weights.get(name)) this.trained.set(name, t);
      this.stepsTrained += losses.length;
      this.model = withWeights(this.loaded!, this.trained);
      return { losses };
    });
    this.training = done.catch(() => undefined);
    return done;
  }

  weights(): Record<string, TensorOutput> {
    return Object.fromEntries([...this.usable('read its weights').weights].map(([name, t]) => [name, fromTensor(t)]));
  }

  async saveWeights(path: string): Promise<void> {
    const model = this.usable('save its weights');
    if (typeof path !== 'string' || !/\.safetensors$/i.test(path)) {
      throw new OptionError(`${baseName(this.file)}: saveWeights writes safetensors; give it the path of a file ending in .safetensors, got ${JSON.stringify(path)}.`);
    }
    await checkOutputFolder(path);
    const weights = [...model.weights].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype, start: 0, values: t.data }));
    const metadata = { trainedFrom: baseName(this.file), steps: String(this.stepsTrained) };
    await writeFileAtomically(path, encodeSafetensorsFile(weights, { file: path, metadata }));
  }

  async dispose(): Promise<void> {
    if (!this.model) return;
    this.model = undefined;
    this.loaded = undefined;
    releaseEngine();
  }

  /** The model as it is now, unless it was disposed. */
  private usable(to: string): Model {
    if (!this.model) throw new RunnerError(`${baseName(this.file)}: the model was disposed; open it again to ${to}.`, { file: this.file });
    return this.model;
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
