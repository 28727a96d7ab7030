import { Tensor } from '../engine/tensor';
import type { ControlFlow, IfFlow, Item, LoopFlow, ModuleDef, NodeDef, ScanFlow, Template, ValueInfo, WhileFlow } from '../model/ir';
import { templatesOf } from '../model/ir';
import { RunnerError } from './errors';

/**
 * Control flow decided at run time. A module with `control` (ONNX If, Loop, Scan, TensorFlow While) has no body in the model; when
 * the run reaches it, {@link unfold} makes its body one item at a time, each made only after the one before has
 * run, so that a loop's condition is read when it has been computed: the branch taken (then the copies of its
 * results to the module's outputs), or one module per iteration (`iter 0`, `iter 1`, …) whose values are renamed
 * `<module id>/iter k/<name>` so that every value of the run keeps one name. The items are real frames: they step,
 * take breakpoints, record values and are recomputed like the model's own.
 */

/** What unfolding needs from the run. */
export interface ControlHost {
  /** A value computed before the control module runs, or by an item it made. */
  value(name: string): Tensor;
  /** Registers items made at run time with the run's plan, under `parent`. */
  adopt(item: Item, parent: ModuleDef): void;
  /** Most iterations a loop or scan may run: a loop that would run longer stops the run with a sentence. */
  readonly maxIterations: number;
  /** The model file, for messages. */
  readonly file: string;
}

/** The default bound on a loop's iterations (the `layerstep.maxLoopIterations` setting). */
export const DEFAULT_MAX_ITERATIONS = 10_000;

export function* unfold(m: ModuleDef, host: ControlHost): Generator<Item, void, void> {
  const c = m.control as ControlFlow;
  switch (c.kind) {
    case 'if': yield* unfoldIf(m, c, host); break;
    case 'loop': yield* unfoldLoop(m, c, host); break;
    case 'scan': yield* unfoldScan(m, c, host); break;
    case 'while': {
      const step = whileSteps.get(m);
      yield* step ? unfoldWhileStep(m, step, host) : unfoldWhile(m, c, host);
      break;
    }
  }
}

function fail(host: ControlHost, m: ModuleDef, message: string): RunnerError {
  return new RunnerError(`${host.file}: ${m.type} '${m.id}' ${message}`, { file: host.file, source: m.source });
}

/** A scalar-sized value as a number (a condition, a trip count). */
function scalar(host: ControlHost, m: ModuleDef, name: string, what: string): number {
  const t = host.value(name);
  if (t.size !== 1) throw fail(host, m, `needs its ${what} '${name}' to hold one value, but it has shape [${t.shape.join(', ')}].`);
  return Number(t.data[0]);
}

function* unfoldIf(m: ModuleDef, c: IfFlow, host: ControlHost): Generator<Item, void, void> {
  const taken = scalar(host, m, c.cond, 'condition') !== 0;
  const branch = taken ? c.then : c.else;
  if (branch.module.outputs.length !== m.outputs.length) {
    throw fail(host, m, `returns ${m.outputs.length} values, but its ${taken ? 'then' : 'else'} branch returns ${branch.module.outputs.length}.`);
  }
  const made: ModuleDef = {
    ...branch.module,
    attrs: { ...branch.module.attrs, condition: taken, 'not taken': taken ? 'else branch' : 'then branch' },
  };
  host.adopt(made, m);
  yield made;
  yield* results(m, made.outputs, 0, m.outputs.length, host);
}

/** Identity nodes that copy `from[k]` to the module's output `start + k`. */
function* results(m: ModuleDef, from: readonly string[], start: number, count: number, host: ControlHost): Generator<Item, void, void> {
  for (let k = 0; k < count; k++) {
    const to = m.outputs[start + k];
    if (!to) continue;
    const node: NodeDef = { kind: 'node', id: `${m.id}/output_${start + k}`, name: `output_${start + k}`, op: 'identity', inputs: [from[k]], outputs: [to], attrs: {}, source: m.source };
    host.adopt(node, m);
    yield node;
  }
}

function constantNode(id: string, name: string, output: string, value: Tensor, m: ModuleDef): NodeDef {
  return { kind: 'node', id, name, op: 'constant', inputs: [], outputs: [output], attrs: { value }, source: m.source };
}

function* unfoldLoop(m: ModuleDef, c: LoopFlow, host: ControlHost): Generator<Item, void, void> {
  const body = c.body;
  const nCarried = c.initial.length;
  const nScan = body.module.outputs.length - 1 - nCarried;
  if (body.params.length !== 2 + nCarried || nScan < 0) {
    throw fail(host, m, `has ${nCarried} loop-carried values, but its body takes ${body.params.length} inputs and returns ${body.module.outputs.length} values (it needs ${2 + nCarried} inputs and at least ${1 + nCarried} results).`);
  }
  const trip = c.tripCount ? scalar(host, m, c.tripCount, 'trip count') : Infinity;
  let cond = c.cond;
  let carried = [...c.initial];
  const scans: string[][] = Array.from({ length: nScan }, () => []);
  for (let k = 0; k < trip; k++) {
    if (cond && scalar(host, m, cond, 'condition') === 0) break;
    if (k >= host.maxIterations) {
      throw fail(host, m, `has run ${k} iterations and would run more; the most a loop may run is ${host.maxIterations} (the layerstep.maxLoopIterations setting).`);
    }
    const id = `${m.id}/iter ${k}`;
    const prefix = `${id}/`;
    const lead: NodeDef[] = [constantNode(`${id}/iteration`, 'iteration', `${prefix}iteration`, Tensor.scalar(k, 'int64'), m)];
    let condIn = cond;
    if (!condIn) {
      condIn = `${prefix}condition`;
      lead.push(constantNode(`${id}/condition`, 'condition', condIn, Tensor.scalar(1, 'bool'), m));
    }
    const iteration = instantiate(body, id, `iter ${k}`, 'LoopIteration', [`${prefix}iteration`, condIn, ...carried], lead, { iteration: k });
    host.adopt(iteration, m);
    yield iteration;
    const outs = iteration.outputs;
    cond = outs[0];
    carried = outs.slice(1, 1 + nCarried);
    scans.forEach((list, j) => list.push(outs[1 + nCarried + j]));
  }
  yield* results(m, carried, 0, nCarried, host);
  yield* stacked(m, scans, nCarried, scans.map(() => 0), host, body.results?.slice(1 + nCarried));
}

/** Nodes that stack each scan output's per-iteration values into the module's outputs from `start` on. */
function* stacked(
  m: ModuleDef, scans: readonly (readonly string[])[], start: number, axes: readonly number[], host: ControlHost,
  declared?: readonly (ValueInfo | undefined)[],
): Generator<Item, void, void> {
  for (let j = 0; j < scans.length; j++) {
    const to = m.outputs[start + j];
    if (!to) continue;
    const id = `${m.id}/output_${start + j}`;
    const node: NodeDef = scans[j].length
      ? { kind: 'node', id, name: `output_${start + j}`, op: 'stack', inputs: [...scans[j]], outputs: [to], attrs: { axis: axes[j] }, source: m.source }
      : constantNode(id, `output_${start + j}`, to, emptyStack(declared?.[j]), m);
    host.adopt(node, m);
    yield node;
  }
}

/** What a scan output stacks when no iteration ran: zero of its declared element, or a plain empty tensor. */
function emptyStack(info: ValueInfo | undefined): Tensor {
  const fixed = info && info.shape.every((d) => typeof d === 'number' && d >= 0);
  const shape = fixed ? [0, ...(info.shape as number[])] : [0];
  return Tensor.zeros(shape, info?.dtype ?? 'float32');
}

function* unfoldScan(m: ModuleDef, c: ScanFlow, host: ControlHost): Generator<Item, void, void> {
  const body = c.body;
  const nState = c.initial.length;
  const nIn = c.scanInputs.length;
  const nOut = body.module.outputs.length - nState;
  if (body.params.length !== nState + nIn || nOut < 0) {
    throw fail(host, m, `has ${nState} state values and ${nIn} scan inputs, but its body takes ${body.params.length} inputs.`);
  }
  let length = -1;
  const axes = c.scanInputs.map((name, j) => {
    const t = host.value(name);
    const axis = c.inputAxes[j] ?? 0;
    const a = axis < 0 ? axis + t.rank : axis;
    if (a < 0 || a >= t.rank) throw fail(host, m, `scans its input '${name}' of shape [${t.shape.join(', ')}] along axis ${axis}, which it does not have.`);
    if (length >= 0 && t.shape[a] !== length) {
      throw fail(host, m, `scans inputs of different lengths: '${c.scanInputs[0]}' has ${length} slices and '${name}' has ${t.shape[a]}.`);
    }
    length = t.shape[a];
    return a;
  });
  if (length < 0) throw fail(host, m, 'has no scan input to iterate over.');
  if (length > host.maxIterations) {
    throw fail(host, m, `would run ${length} iterations; the most a loop may run is ${host.maxIterations} (the layerstep.maxLoopIterations setting).`);
  }
  let states = [...c.initial];
  const scans: string[][] = Array.from({ length: nOut }, () => []);
  for (let k = 0; k < length; k++) {
    const id = `${m.id}/iter ${k}`;
    const prefix = `${id}/`;
    const lead: NodeDef[] = [];
    const slices = c.scanInputs.map((name, j) => {
      const at = c.inputDirections[j] === 1 ? length - 1 - k : k;
      const index = `${prefix}index_${j}`;
      const slice = `${prefix}slice_${j}`;
      lead.push(constantNode(`${id}/index_${j}`, `index_${j}`, index, Tensor.scalar(at, 'int64'), m));
      lead.push({ kind: 'node', id: `${id}/slice_${j}`, name: `slice_${j}`, op: 'gather', inputs: [name, index], outputs: [slice], attrs: { axis: axes[j] }, source: m.source });
      return slice;
    });
    const iteration = instantiate(body, id, `iter ${k}`, 'ScanIteration', [...states, ...slices], lead, { iteration: k });
    host.adopt(iteration, m);
    yield iteration;
    states = iteration.outputs.slice(0, nState);
    scans.forEach((list, j) => list.push(iteration.outputs[nState + j]));
  }
  yield* results(m, states, 0, nState, host);
  const ordered = scans.map((list, j) => (c.outputDirections[j] === 1 ? [...list].reverse() : list));
  yield* stacked(m, ordered, nState, scans.map((_, j) => c.outputAxes[j] ?? 0), host);
}

/**
 * A while loop's iteration module (`iter k`, made by {@link unfoldWhile}): it carries the loop's control so that
 * the run unfolds it too, into its copy of `cond` and, only when that holds, its copy of `body`.
 */
interface WhileStep {
  readonly loop: ModuleDef;
  readonly k: number;
  readonly cond: ModuleDef;
  readonly body: ModuleDef;
}

const whileSteps = new WeakMap<ModuleDef, WhileStep>();

function* unfoldWhile(m: ModuleDef, c: WhileFlow, host: ControlHost): Generator<Item, void, void> {
  const n = c.initial.length;
  if (c.cond.params.length !== n || c.cond.module.outputs.length !== 1 || c.body.params.length !== n || c.body.module.outputs.length !== n) {
    throw fail(host, m, `has ${n} loop variables, but its condition takes ${c.cond.params.length} and returns ${c.cond.module.outputs.length} values and its body takes ${c.body.params.length} and returns ${c.body.module.outputs.length} (both need ${n} inputs; the condition returns 1 value, the body ${n}).`);
  }
  let vars = [...c.initial];
  for (let k = 0; ; k++) {
    const id = `${m.id}/iter ${k}`;
    const prefix = `${id}/`;
    const cond = instantiate(c.cond, `${id}/cond`, 'cond', 'cond', vars, [], {}, prefix);
    const body = instantiate(c.body, `${id}/body`, 'body', 'body', vars, [], {}, prefix);
    const iteration: ModuleDef = {
      kind: 'module', id, name: `iter ${k}`, type: 'WhileIteration', inputs: [...new Set(vars)].filter((v) => v), outputs: body.outputs,
      weights: {}, attrs: { iteration: k }, body: [], source: m.source, control: c,
    };
    whileSteps.set(iteration, { loop: m, k, cond, body });
    host.adopt(iteration, m);
    yield iteration;
    if (scalar(host, m, cond.outputs[0], 'condition') === 0) break;
    vars = [...body.outputs];
  }
  yield* results(m, vars, 0, n, host);
}

/** One iteration of a while loop: the condition, then the body when it holds (past the bound, a sentence instead). */
function* unfoldWhileStep(iteration: ModuleDef, step: WhileStep, host: ControlHost): Generator<Item, void, void> {
  host.adopt(step.cond, iteration);
  yield step.cond;
  if (scalar(host, step.loop, step.cond.outputs[0], 'condition') === 0) return;
  if (step.k >= host.maxIterations) {
    throw fail(host, step.loop, `has run ${step.k} iterations and would run more; the most a loop may run is ${host.maxIterations} (the layerstep.maxLoopIterations setting).`);
  }
  host.adopt(step.body, iteration);
  yield step.body;
}

/** Every value name a module defines inside it, templates included (what a copy renames). */
function definedIn(item: Item, out: Set<string>): void {
  for (const o of item.outputs) if (o) out.add(o);
  if (item.kind === 'node') return;
  for (const child of item.body) definedIn(child, out);
  for (const t of templatesOf(item)) {
    for (const p of t.params) out.add(p);
    definedIn(t.module, out);
  }
}

/**
 * A copy of a template as module `id`: its params bound to `actual`, every value it defines renamed under
 * `valuePrefix` (`id/` unless given), every item id moved under `id`, `lead` nodes first (they make what the
 * params are bound to).
 */
export function instantiate(
  t: Template, id: string, name: string, type: string, actual: readonly string[], lead: readonly NodeDef[], attrs: Record<string, number>,
  valuePrefix = `${id}/`,
): ModuleDef {
  const defined = new Set<string>();
  definedIn(t.module, defined);
  const bind = new Map<string, string>();
  t.params.forEach((p, i) => bind.set(p, actual[i]));
  const rename = (n: string): string => (n === '' ? n : bind.get(n) ?? (defined.has(n) ? valuePrefix + n : n));
  const base = t.module.id;
  const reId = (x: string): string => (x.startsWith(`${base}/`) ? id + x.slice(base.length) : `${id}/${x}`);
  const copyTemplate = (tp: Template): Template => ({ ...tp, params: tp.params.map(rename), module: copyModule(tp.module) });
  const copyControl = (c: ControlFlow): ControlFlow => {
    switch (c.kind) {
      case 'if': return { ...c, cond: rename(c.cond), then: copyTemplate(c.then), else: copyTemplate(c.else) };
      case 'loop': return { ...c, tripCount: rename(c.tripCount), cond: rename(c.cond), initial: c.initial.map(rename), body: copyTemplate(c.body) };
      case 'scan': return { ...c, initial: c.initial.map(rename), scanInputs: c.scanInputs.map(rename), body: copyTemplate(c.body) };
      case 'while': return { ...c, initial: c.initial.map(rename), cond: copyTemplate(c.cond), body: copyTemplate(c.body) };
    }
  };
  function copyModule(mod: ModuleDef): ModuleDef {
    return {
      ...mod, id: reId(mod.id), inputs: mod.inputs.map(rename), outputs: mod.outputs.map(rename),
      body: mod.body.map(copy), ...(mod.control ? { control: copyControl(mod.control) } : {}),
    };
  }
  function copy(item: Item): Item {
    if (item.kind === 'node') return { ...item, id: reId(item.id), inputs: item.inputs.map(rename), outputs: item.outputs.map(rename) };
    return copyModule(item);
  }
  const made = copyModule(t.module);
  const local = new Set(lead.flatMap((n) => n.outputs));
  const inputs = [...new Set([...actual, ...made.inputs])].filter((n) => n && !local.has(n));
  return { ...made, id, name, type, attrs: { ...t.module.attrs, ...attrs }, inputs, body: [...lead, ...made.body] };
}
