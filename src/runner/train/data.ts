import { Tensor } from '../../engine/tensor';
import type { Model } from '../../model/ir';
import { RunnerError, baseName } from '../errors';

/**
 * What a model is trained on: inputs and targets with one row per example along the first axis, by name (inputs by
 * the model's input names, targets by its output names).
 */
export interface TrainData {
  readonly inputs: ReadonlyMap<string, Tensor>;
  readonly targets: ReadonlyMap<string, Tensor>;
  /** Examples in all. */
  readonly rows: number;
  /** Where the data came from, for messages: a file name, or `the examples of model.json`. */
  readonly source: string;
}

/** Checks that every tensor has the same number of rows (its first axis) and makes the data. */
export function trainData(inputs: ReadonlyMap<string, Tensor>, targets: ReadonlyMap<string, Tensor>, source: string): TrainData {
  let rows: number | undefined;
  let first = '';
  for (const [kind, map] of [['input', inputs], ['target', targets]] as const) {
    for (const [name, t] of map) {
      if (t.rank === 0) throw new RunnerError(`${source}: ${kind} '${name}' is a scalar; training data needs one row per example along the first axis`);
      if (rows === undefined) {
        rows = t.shape[0];
        first = `${kind} '${name}'`;
      } else if (t.shape[0] !== rows) {
        throw new RunnerError(`${source}: ${kind} '${name}' has ${t.shape[0]} rows but ${first} has ${rows}; every tensor needs one row per example`);
      }
    }
  }
  if (!targets.size) throw new RunnerError(`${source} has no targets: a training step needs what the model should answer`);
  if (!rows) throw new RunnerError(`${source} has no examples`);
  return { inputs, targets, rows, source };
}

/** The model's examples that carry targets, stacked along the first axis: the data a Train uses by default. */
export function examplesData(model: Model): TrainData {
  const source = `the examples of ${baseName(model.file)}`;
  const usable = model.examples.filter((e) => e.targets && Object.keys(e.targets).length);
  if (!usable.length) {
    throw new RunnerError(`${baseName(model.file)} has no examples with targets; give a data file of inputs and targets, or add "targets" (or a "label") to its examples`);
  }
  const stack = (pick: (e: (typeof usable)[number]) => Readonly<Record<string, Tensor>>): Map<string, Tensor> => {
    const names = Object.keys(pick(usable[0]));
    const out = new Map<string, Tensor>();
    for (const name of names) {
      const parts = usable.map((e) => {
        const t = pick(e)[name];
        if (!t) throw new RunnerError(`${source}: example '${e.name}' has no '${name}' while '${usable[0].name}' has`);
        return t.rank === 0 ? new Tensor(t.dtype, [1], t.data) : t;
      });
      out.set(name, concatRows(parts, `${source}: '${name}'`));
    }
    return out;
  };
  return trainData(stack((e) => e.inputs), stack((e) => e.targets!), source);
}

/** Tensors of one dtype stacked along their first axis (the other axes must agree). */
export function concatRows(parts: readonly Tensor[], what: string): Tensor {
  const [first] = parts;
  const rest = first.shape.slice(1);
  let rows = 0;
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.rank !== first.rank || p.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new RunnerError(`${what} has shape [${p.shape.join(', ')}] in one example and [${first.shape.join(', ')}] in another`);
    }
    rows += p.shape[0];
  }
  const data = new (first.data.constructor as new (n: number) => Tensor['data'])(parts.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of parts) {
    (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p.data as ArrayLike<unknown>, at);
    at += p.size;
  }
  return new Tensor(first.dtype, [rows, ...rest], data);
}

/** Rows [start, end) of a tensor. */
export function rowsOf(t: Tensor, start: number, end: number): Tensor {
  const per = t.shape[0] ? t.size / t.shape[0] : 0;
  return new Tensor(t.dtype, [end - start, ...t.shape.slice(1)], t.data.slice(start * per, end * per) as Tensor['data']);
}

/**
 * The rows step `step` (from 1) trains on with batches of `size`: batches in order, the last of a pass over the
 * data possibly smaller, then the data again from its start (an epoch after another, without shuffling).
 */
export function batchRange(rows: number, size: number, step: number): [number, number] {
  const perEpoch = Math.ceil(rows / size);
  const j = (step - 1) % perEpoch;
  return [j * size, Math.min(rows, (j + 1) * size)];
}

/** The inputs and targets of step `step`. */
export function batchOf(data: TrainData, size: number, step: number): { inputs: Map<string, Tensor>; targets: Map<string, Tensor> } {
  const [start, end] = batchRange(data.rows, size, step);
  const whole = start === 0 && end === data.rows;
  const cut = (m: ReadonlyMap<string, Tensor>): Map<string, Tensor> => new Map([...m].map(([n, t]) => [n, whole ? t : rowsOf(t, start, end)]));
  return { inputs: cut(data.inputs), targets: cut(data.targets) };
}
