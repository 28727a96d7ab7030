import { describe, expect, it } from 'vitest';
import { itemLabel, itemLocation, formatStop } from '../../../src/runner/trace';
import { lines, module, node } from '../../fixtures/runner/build';
import { mlp } from '../../fixtures/runner/models';

describe('trace formatting', () => {
  it('labels modules with their type and nodes with their op', () => {
    expect(itemLabel(module('a/b', 'dense', [], { inputs: [], outputs: [] }))).toBe('b (dense)');
    expect(itemLabel(node('a/relu', 'relu', [], []))).toBe('relu [relu]');
  });

  it('locates items by file name and line range', () => {
    const file = 'C:\\models\\mnist\\model.json';
    expect(itemLocation(node('n', 'relu', [], [], lines(8)), file)).toBe('model.json:8');
    expect(itemLocation(node('n', 'relu', [], [], lines(5, 12)), '/home/u/model.json')).toBe('model.json:5-12');
    expect(itemLocation(node('n', 'relu', [], []), 'file:///x/model.onnx')).toBe('model.onnx');
  });

  it('puts a stop on one line', () => {
    const position = { index: 3, point: 'call' as const, frame: { id: 1, item: mlp().model.root, depth: 0 }, stack: [] };
    expect(formatStop({ reason: 'end', position })).toBe('end');
    expect(formatStop({ reason: 'breakpoint', position, description: 'breakpoint at line 5 (hidden)', breakpointIds: [1, 2] }))
      .toBe('breakpoint (breakpoint at line 5 (hidden)) [1, 2]');
  });
});
