import type { Tensor } from '../engine/tensor';
import { parseNpy } from '../loaders/tensors/npy';
import type { Model } from '../model/ir';
import type { CompareSpec, CounterpartInfo, InputSpec } from '../protocol/engine';
import { dumpFileName } from '../runner/divergence';
import type { Tolerance } from '../runner/divergence';
import { baseName, RunnerError } from '../runner/errors';
import { Runner } from '../runner/runner';
import type { Counterpart, RunnerInit } from '../runner/runner';

/**
 * The other side of a compared run (the debugger's second thread): the same model on another input, another model
 * file of the same structure on this run's input, or a folder of `.npy` values named as `layerstep trace --dump`
 * writes them. A run is made to its end when the comparison starts, so every frame of this run can be set against
 * it at once; a folder is read whole.
 */
export interface ServiceCounterpart extends Counterpart {
  readonly info: CounterpartInfo;
  dispose(): void;
}

export interface CounterpartDeps {
  readonly model: Model;
  readonly inputs: ReadonlyMap<string, Tensor>;
  loadModel(path: string): Promise<Model>;
  resolveInputs(model: Model, spec: InputSpec): Promise<Map<string, Tensor>>;
  readFile(path: string): Promise<Uint8Array>;
  listDir?(path: string): Promise<readonly string[]>;
  readonly runnerOptions: RunnerInit;
  readonly tolerance: Tolerance;
}

/** Most `.npy` files a reference folder may hold: a bound on the work of reading one. */
const MAX_REFERENCE_FILES = 100_000;

export async function openCounterpart(spec: CompareSpec, deps: CounterpartDeps): Promise<ServiceCounterpart> {
  switch (spec.kind) {
    case 'input': {
      const inputs = await deps.resolveInputs(deps.model, spec.input);
      const label = spec.input.kind === 'file' ? `input ${baseName(spec.input.path)}` : spec.input.kind === 'example' ? `example ${spec.input.name ?? '(first)'}` : `random input (seed ${spec.input.seed})`;
      return runCounterpart(deps.model, inputs, label, 'input', deps);
    }
    case 'model': {
      const other = await deps.loadModel(spec.path);
      return runCounterpart(other, deps.inputs, `model ${baseName(spec.path)}`, 'model', deps);
    }
    case 'reference':
      return readReference(spec.dir, deps);
  }
}

async function runCounterpart(model: Model, inputs: ReadonlyMap<string, Tensor>, label: string, kind: CompareSpec['kind'], deps: CounterpartDeps): Promise<ServiceCounterpart> {
  const runner = new Runner(model, Object.fromEntries(inputs), deps.runnerOptions);
  const stop = await runner.continue();
  if (!runner.finished) {
    runner.dispose();
    throw new RunnerError(`${baseName(model.file)}: the ${label} to compare with stopped before its end (${stop.description ?? stop.reason}).`, { file: model.file });
  }
  return {
    info: { label, kind, tolerance: deps.tolerance },
    value: (name) => runner.valueAnyTime(name),
    weight: (name) => runner.weight(name),
    dispose: () => runner.dispose(),
  };
}

async function readReference(dir: string, deps: CounterpartDeps): Promise<ServiceCounterpart> {
  const label = `reference ${baseName(dir.replace(/[\\/]+$/, ''))}/`;
  if (!deps.listDir) throw new RunnerError(`${dir}: this host cannot read a folder of reference values.`);
  let files: readonly string[];
  try {
    files = await deps.listDir(dir);
  } catch (e) {
    throw new RunnerError(`${dir}: cannot read the reference folder (${e instanceof Error ? e.message : String(e)}).`);
  }
  const npy = files.filter((f) => f.toLowerCase().endsWith('.npy'));
  if (npy.length === 0) throw new RunnerError(`${dir}: the reference folder holds no .npy files (write them with 'layerstep trace MODEL --dump ${dir}').`);
  if (npy.length > MAX_REFERENCE_FILES) throw new RunnerError(`${dir}: the reference folder holds ${npy.length} .npy files; at most ${MAX_REFERENCE_FILES} are read.`);
  const byFile = new Map<string, Tensor>();
  const root = dir.replace(/[\\/]+$/, '');
  for (const f of npy) {
    const path = `${root}/${f}`;
    byFile.set(f, parseNpy(path, await deps.readFile(path)));
  }
  return {
    info: { label, kind: 'reference', tolerance: deps.tolerance },
    value: (name) => byFile.get(dumpFileName(name)),
    weight: (name) => byFile.get(dumpFileName(name)),
    dispose: () => byFile.clear(),
  };
}
