import { isLossName, LOSS_NAMES } from '../engine/grad/losses';
import type { LossName } from '../engine/grad/losses';
import { isOptimizerName, OPTIMIZER_NAMES } from '../engine/grad/optimizers';
import type { OptimizerName } from '../engine/grad/optimizers';
import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { formatDims } from '../model/specialize';
import { baseName, RunnerError } from '../runner/errors';
import { aliasInputs } from '../runner/inputs';
import { outputNames } from '../runner/plan';
import { examplesData, trainData } from '../runner/train/data';
import type { TrainData } from '../runner/train/data';
import type { TrainAsk } from '../runner/train/defaults';
import { OptionError } from './options';
import { toTensor } from './tensors';
import type { TensorInput } from './tensors';

/** What `train` trains on: rows of examples along the first axis of every tensor. */
export interface TrainingData {
  /** By input name, as `run` takes them, with one row per example. */
  readonly inputs: Readonly<Record<string, TensorInput>>;
  /** By output name: what the model should answer for each row. */
  readonly targets: Readonly<Record<string, TensorInput>>;
}

/** What `train` takes besides the data; anything left out as the command line's `layerstep train`. */
export interface TrainOptions {
  readonly loss?: LossName;
  readonly optimizer?: OptimizerName;
  readonly learningRate?: number;
  /** Steps of gradient descent (default: the model file's hint, else 1). */
  readonly steps?: number;
  /** Examples per step (default: the model file's hint, else every example each step). */
  readonly batch?: number;
  /** Called as each step ends, with its number (from 1) and its loss (measured before its update). */
  readonly onStep?: (step: number, loss: number) => void;
}

/** What `train` resolves to. */
export interface TrainResult {
  /** The loss of each step of this call, measured in its forward pass (before its update). */
  readonly losses: number[];
}

const OPTIONS = ['loss', 'optimizer', 'learningRate', 'steps', 'batch', 'onStep'];
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
/** A value as a message quotes it (NaN and Infinity as such, not as JSON's null). */
const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** `train`'s options, checked: one sentence naming the file and the option that does not fit. */
export function checkTrainOptions(file: string, options: unknown): TrainAsk & Pick<TrainOptions, 'onStep'> {
  const fail = (what: string): never => {
    throw new OptionError(`${baseName(file)}: ${what}.`);
  };
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) return fail(`train's options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTIONS.includes(key)) fail(`unknown train option '${key}' (the options are ${OPTIONS.join(', ')})`);
  }
  const { loss, optimizer, learningRate, steps, batch, onStep } = o;
  if (loss !== undefined && (typeof loss !== 'string' || !isLossName(loss))) fail(`option 'loss' must be one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')}, got ${shown(loss)}`);
  if (optimizer !== undefined && (typeof optimizer !== 'string' || !isOptimizerName(optimizer))) {
    fail(`option 'optimizer' must be one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(', ')}, got ${shown(optimizer)}`);
  }
  if (learningRate !== undefined && (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0)) {
    fail(`option 'learningRate' must be a number above 0, got ${shown(learningRate)}`);
  }
  if (steps !== undefined && !isCount(steps)) fail(`option 'steps' must be a whole number, 1 or more, got ${shown(steps)}`);
  if (batch !== undefined && !isCount(batch)) fail(`option 'batch' must be a whole number, 1 or more, got ${shown(batch)}`);
  if (onStep !== undefined && typeof onStep !== 'function') fail(`option 'onStep' must be a function (step, loss) => ..., got ${typeof onStep}`);
  return o as TrainAsk & Pick<TrainOptions, 'onStep'>;
}

/** Where a script's data came from, in the trainer's sentences (`model.json cannot take a batch of 8 from train's data`). */
const SOURCE = "train's data";

/**
 * The data `train` was given, as the trainer's tensors, each checked with one sentence naming the file and the
 * tensor; left out, the model's examples that carry targets.
 */
export function trainingData(model: Model, given: unknown): TrainData {
  const file = baseName(model.file);
  const fail = (what: string): never => {
    throw new RunnerError(`${file}: ${what}.`, { file: model.file });
  };
  if (given === undefined || given === null) {
    if (!model.examples.some((e) => e.targets && Object.keys(e.targets).length)) {
      throw new RunnerError(`${file} has no examples with targets, so train needs its data: { inputs: { NAME: tensor }, targets: { OUTPUT: tensor } }.`, { file: model.file });
    }
    return examplesData(model);
  }
  const shape = '{ inputs: { NAME: { shape, dtype, data } }, targets: { OUTPUT: { shape, dtype, data } } }';
  if (typeof given !== 'object' || Array.isArray(given)) return fail(`train takes its data as ${shape}`);
  const doc = given as Record<string, unknown>;
  const extra = Object.keys(doc).find((k) => k !== 'inputs' && k !== 'targets');
  if (extra !== undefined) fail(`train's data has '${extra}', but it holds only inputs and targets: ${shape}`);
  const part = (key: 'inputs' | 'targets'): Record<string, unknown> => {
    const p = doc[key];
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return fail(`train's data needs ${key}: an object of tensors by ${key === 'inputs' ? 'input' : 'output'} name, as in ${shape}`);
    return p as Record<string, unknown>;
  };
  const inputsGiven = aliasInputs(model, part('inputs'));
  const targetsGiven = part('targets');

  const inputs = new Map<string, Tensor>();
  const declared = model.inputs.map((v) => `'${v.name}'`).join(', ');
  for (const [name, value] of Object.entries(inputsGiven)) {
    const info = model.inputs.find((v) => v.name === name);
    if (!info) fail(`the model has no input '${name}'; its inputs are ${declared}`);
    inputs.set(name, toTensor(model.file, name, value, info!.dtype));
  }
  for (const v of model.inputs) if (!inputs.has(v.name)) fail(`input '${v.name}' is missing from train's data`);

  const outputs = outputNames(model);
  const targets = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(targetsGiven)) {
    if (!outputs.includes(name)) fail(`the model has no output '${name}' to give a target for; its outputs are ${outputs.map((n) => `'${n}'`).join(', ')}`);
    targets.set(name, toTensor(model.file, name, value, model.outputs.find((v) => v.name === name)?.dtype ?? 'float32', 'target'));
  }
  if (!targets.size) fail(`train's data has no targets: give what the model should answer, by output name (${outputs.map((n) => `'${n}'`).join(', ')})`);

  // Rows first, then each input's dtype and its sizes past the first axis (a batch's rows are checked per step).
  let rows: number | undefined;
  let first = '';
  for (const [kind, map] of [['input', inputs], ['target', targets]] as const) {
    for (const [name, t] of map) {
      if (t.rank === 0) fail(`${kind} '${name}' is a scalar; train's data needs one row per example along the first axis`);
      if (rows === undefined) [rows, first] = [t.shape[0], `${kind} '${name}'`];
      else if (t.shape[0] !== rows) fail(`${kind} '${name}' has ${t.shape[0]} rows but ${first} has ${rows}; train's data needs one row per example in every tensor`);
    }
  }
  if (!rows) fail(`train's data has no examples (${first} has 0 rows)`);
  for (const info of model.inputs) {
    const t = inputs.get(info.name)!;
    const fits = t.dtype === info.dtype && t.rank === info.shape.length
      && info.shape.every((d, i) => i === 0 || typeof d !== 'number' || d < 0 || d === t.shape[i]);
    if (!fits) fail(`input '${info.name}' must be ${info.dtype}${formatDims(info.shape)} for each example, got ${t.dtype}[${t.shape.join(', ')}]`);
  }
  return trainData(inputs, targets, SOURCE);
}

/**
 * The model with these weights in place of its own (by name; weights not given stay as loaded). A model whose
 * layers are laid out again for other input sizes (`specialize`, which shares the loaded model's weights) gets the
 * same weights in every layout, so a run at any size uses them.
 */
export function withWeights(model: Model, weights: ReadonlyMap<string, Tensor>): Model {
  const swap = (m: Model): Map<string, Tensor> => new Map([...m.weights].map(([n, t]) => [n, weights.get(n) ?? t]));
  const { specialize } = model;
  return {
    ...model,
    weights: swap(model),
    ...(specialize ? { specialize: (shapes) => {
      const laid = specialize(shapes);
      return { ...laid, weights: swap(laid) };
    } } : {}),
  };
}
