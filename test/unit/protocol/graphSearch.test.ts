import { describe, expect, it } from 'vitest';
import type { GraphValue } from '../../../src/protocol/graph';
import { globMatch, parseQuery, search } from '../../../src/protocol/graphSearch';
import type { SearchTerm } from '../../../src/protocol/graphSearch';
import { GraphTree } from '../../../src/protocol/graphTree';
import { syntheticGraph } from '../../fixtures/graph/synthetic';

const tree = GraphTree.from(syntheticGraph(3, 10));

function find(query: string, values: readonly GraphValue[] = []): string[] {
  const q = parseQuery(query);
  if ('error' in q) throw new Error(q.error);
  return search(tree, q.terms, new Map(values.map((v) => [v.name, v])));
}

describe('the graph search', () => {
  it('parses names, globs, types, has: and measured comparisons', () => {
    expect(parseQuery(' attn  type:MatMul has:NaN dead>50% zeros<=10 ')).toEqual({
      terms: [
        { kind: 'name', text: 'attn', glob: false },
        { kind: 'type', text: 'matmul' },
        { kind: 'has', what: 'nan' },
        { kind: 'compare', property: 'dead', op: '>', value: 50 },
        { kind: 'compare', property: 'zeros', op: '<=', value: 10 },
      ] satisfies SearchTerm[],
    });
    // As one says it: spaces around the comparison, a space after has or type:.
    expect(parseQuery('has NaN  dead > 50%  type: Conv zeros >= 9.5')).toEqual(parseQuery('has:nan dead>50 type:conv zeros>=9.5'));
    expect(parseQuery('has NaN dead > 50%')).toEqual({ terms: [{ kind: 'has', what: 'nan' }, { kind: 'compare', property: 'dead', op: '>', value: 50 }] });
    // A name that merely starts like a property stays a name.
    expect(parseQuery('deadline')).toEqual({ terms: [{ kind: 'name', text: 'deadline', glob: false }] });
    expect(parseQuery('has:zeros')).toEqual({ error: "has: takes nan or inf, not 'zeros'." });
    expect(parseQuery('type:')).toEqual({ error: 'type: needs an op or layer type, as in type:Conv.' });
    expect(parseQuery('   ')).toEqual({ terms: [] });
  });

  it('finds ops and modules by name, glob and type, in the model\'s order, inside repeated blocks too', () => {
    expect(find('layer.1/mlp')).toEqual(['encoder/layer.1/mlp', 'encoder/layer.1/mlp/op0', 'encoder/layer.1/mlp/op1', 'encoder/layer.1/mlp/op2', 'encoder/layer.1/mlp/op3']);
    expect(find('encoder/layer.?/norm')).toEqual(['encoder/layer.0/norm', 'encoder/layer.1/norm', 'encoder/layer.2/norm']);
    expect(find('type:softmax')).toEqual(['encoder/layer.0/attn/op2', 'encoder/layer.1/attn/op2', 'encoder/layer.2/attn/op2']);
    expect(find('type:attention layer.2')).toEqual(['encoder/layer.2/attn']);
    expect(find('type:conv')).toEqual([]);
    expect(find('')).toEqual([]);
  });

  it('finds what the run measured: NaN, infinities, dead and zero shares', () => {
    const values: GraphValue[] = [
      { name: 'encoder/layer.0/mlp/op1:0', nan: 0, inf: 0, zeros: 0.8, dead: 0.6 },
      { name: 'encoder/layer.1/mlp/op1:0', nan: 2, inf: 1, zeros: 0.1 },
    ];
    expect(find('has:nan', values)).toEqual(['encoder/layer.1/mlp/op1']);
    expect(find('has:inf', values)).toEqual(['encoder/layer.1/mlp/op1']);
    expect(find('dead>50', values)).toEqual(['encoder/layer.0/mlp/op1']);
    // A module hands its last op's output back: it matches too.
    expect(find('zeros>=80', values)).toEqual(['encoder/layer.0/mlp/op1']);
    expect(find('nan>1 type:relu', values)).toEqual(['encoder/layer.1/mlp/op1']);
  });

  it('matches globs with * and ? only, everything else literal', () => {
    expect(globMatch('a*c', 'abbbc')).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a?c', 'abbc')).toBe(false);
    expect(globMatch('[x]*', '[x]yz')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
  });
});
