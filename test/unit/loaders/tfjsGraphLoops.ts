import { A, GraphBuilder } from './tfjsGraphBuilder';

/** Small graphs with control flow as TF writes it: function-based StatelessWhile / StatelessIf, and a TF1 loop frame. */

const F = A.type('DT_FLOAT');
const I32 = A.type('DT_INT32');
export const arg = (name: string, type: string): Record<string, string> => ({ name, type });
export const fn = (name: string, inputs: Record<string, string>[], outputs: Record<string, string>[], nodes: unknown[], ret: Record<string, string>): Record<string, unknown> =>
  ({ signature: { name, inputArg: inputs, outputArg: outputs }, nodeDef: nodes, ret });
export const func = (name: string): Record<string, unknown> => ({ func: { name } });

/** (i, n, one, acc, x): while i < n: i += one, acc = tanh(acc) + x; as StatelessWhile over library functions. */
export function statelessWhile(): GraphBuilder {
  const g = new GraphBuilder();
  g.input('x', [2, 3]);
  g.input('n', [], 'int32');
  g.const('i0', [0], [], 'int32');
  g.const('one', [1], [], 'int32');
  const types = { list: { type: ['DT_INT32', 'DT_INT32', 'DT_INT32', 'DT_FLOAT', 'DT_FLOAT'] } };
  g.op('loop', 'StatelessWhile', ['i0', 'n', 'one', 'x', 'x'], { T: types, cond: func('cond_fn'), body: func('body_fn'), parallel_iterations: A.i(10) });
  g.op('y', 'Identity', ['loop:3']);
  g.op('count', 'Identity', ['loop:0'], { T: I32 });
  const vars = [arg('i', 'DT_INT32'), arg('n', 'DT_INT32'), arg('one', 'DT_INT32'), arg('acc', 'DT_FLOAT'), arg('x', 'DT_FLOAT')];
  g.functions.push(fn('cond_fn', vars, [arg('keep', 'DT_BOOL')], [{ name: 'less', op: 'Less', input: ['i', 'n'], attr: { T: I32 } }], { keep: 'less:z:0' }));
  g.functions.push(fn('body_fn', vars, vars.map((v) => arg(`${v.name}_next`, v.type)), [
    { name: 'inc', op: 'AddV2', input: ['i', 'one'], attr: { T: I32 } },
    { name: 'squash', op: 'Tanh', input: ['acc'], attr: { T: F } },
    { name: 'plus', op: 'AddV2', input: ['squash:y:0', 'x'], attr: { T: F } },
  ], { i_next: 'inc:z:0', n_next: 'n', one_next: 'one', acc_next: 'plus:z:0', x_next: 'x' }));
  return g;
}

/** z = sum(x) > 0 ? x · x : −x, as StatelessIf over library functions. */
export function statelessIf(): GraphBuilder {
  const g = new GraphBuilder();
  g.input('x', [2, 3]);
  g.const('axes', [0, 1], [2], 'int32');
  g.const('zero', [0], []);
  g.op('total', 'Sum', ['x', 'axes'], { keep_dims: A.b(false), Tidx: I32 });
  g.op('positive', 'Greater', ['total', 'zero']);
  g.op('choose', 'StatelessIf', ['positive', 'x'], { Tcond: A.type('DT_BOOL'), Tin: { list: { type: ['DT_FLOAT'] } }, Tout: { list: { type: ['DT_FLOAT'] } }, then_branch: func('square_fn'), else_branch: func('negate_fn') });
  g.op('z', 'Identity', ['choose']);
  g.functions.push(fn('square_fn', [arg('a', 'DT_FLOAT')], [arg('out', 'DT_FLOAT')], [{ name: 'sq', op: 'Mul', input: ['a', 'a'], attr: { T: F } }], { out: 'sq:z:0' }));
  g.functions.push(fn('negate_fn', [arg('a', 'DT_FLOAT')], [arg('out', 'DT_FLOAT')], [{ name: 'neg', op: 'Neg', input: ['a'], attr: { T: F } }], { out: 'neg:y:0' }));
  return g;
}

/** The same loop as TF1 writes it: Enter, Merge, LoopCond, Switch, NextIteration, Exit, with loop-invariant Enters. */
export function tf1While(options: { exit?: boolean; mergeInputs?: number } = {}): GraphBuilder {
  const g = new GraphBuilder();
  const frame = { frame_name: A.s('loop/while'), is_constant: A.b(false), parallel_iterations: A.i(10) };
  const invariant = { ...frame, is_constant: A.b(true) };
  g.input('x', [2, 3]);
  g.input('n', [], 'int32');
  g.const('i0', [0], [], 'int32');
  g.const('one', [1], [], 'int32');
  g.op('loop/while/enter_i', 'Enter', ['i0'], { ...frame, T: I32 });
  g.op('loop/while/enter_acc', 'Enter', ['x'], frame);
  g.op('loop/while/enter_n', 'Enter', ['n'], { ...invariant, T: I32 });
  g.op('loop/while/enter_one', 'Enter', ['one'], { ...invariant, T: I32 });
  g.op('loop/while/enter_x', 'Enter', ['x'], invariant);
  const extra = options.mergeInputs === 3 ? ['loop/while/enter_x'] : [];
  g.op('loop/while/merge_i', 'Merge', ['loop/while/enter_i', 'loop/while/next_i', ...extra], { T: I32, N: A.i(2 + extra.length) });
  g.op('loop/while/merge_acc', 'Merge', ['loop/while/enter_acc', 'loop/while/next_acc'], { N: A.i(2) });
  g.op('loop/while/less', 'Less', ['loop/while/merge_i', 'loop/while/enter_n'], { T: I32 });
  g.op('loop/while/cond', 'LoopCond', ['loop/while/less'], {});
  g.op('loop/while/switch_i', 'Switch', ['loop/while/merge_i', 'loop/while/cond'], { T: I32 });
  g.op('loop/while/switch_acc', 'Switch', ['loop/while/merge_acc', 'loop/while/cond']);
  g.op('loop/while/inc', 'AddV2', ['loop/while/switch_i:1', 'loop/while/enter_one'], { T: I32 });
  g.op('loop/while/squash', 'Tanh', ['loop/while/switch_acc:1']);
  g.op('loop/while/plus', 'AddV2', ['loop/while/squash', 'loop/while/enter_x']);
  g.op('loop/while/next_i', 'NextIteration', ['loop/while/inc'], { T: I32 });
  g.op('loop/while/next_acc', 'NextIteration', ['loop/while/plus']);
  if (options.exit !== false) {
    g.op('loop/while/exit_i', 'Exit', ['loop/while/switch_i'], { T: I32 });
    g.op('loop/while/exit_acc', 'Exit', ['loop/while/switch_acc']);
  }
  g.op('y', 'Identity', [options.exit === false ? 'x' : 'loop/while/exit_acc']);
  g.op('count', 'Identity', [options.exit === false ? 'n' : 'loop/while/exit_i'], { T: I32 });
  return g;
}

