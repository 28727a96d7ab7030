import type { Item } from '../model/ir';
import { isWeight } from '../model/lazyWeights';
import { baseName } from './errors';
import type { Runner } from './runner';
import type { Position, StopEvent } from './types';

/** `hidden (dense)` for a module, `relu [relu]` for a node. */
export function itemLabel(item: Item): string {
  return item.kind === 'module' ? `${item.name} (${item.type})` : `${item.name} [${item.op}]`;
}

/** `model.json:8` or `model.json:5-12`; the bare file name when the item has no source. */
export function itemLocation(item: Item, file: string): string {
  const f = baseName(file);
  const s = item.source;
  if (!s) return f;
  return s.startLine === s.endLine ? `${f}:${s.startLine}` : `${f}:${s.startLine}-${s.endLine}`;
}

/**
 * One line per event, for `layerstep trace` and golden files, indented two spaces per depth:
 * `→ hidden (dense) x=float32[1,784] μ=0.13 σ=0.3 [0, 1] 80% zeros` at a call (the inputs, weights left out),
 * `← hidden (dense) hidden/relu:0=float32[1,128] …` at a return (the outputs). Several values are separated by `; `.
 */
export function formatEvent(runner: Runner, position: Position): string {
  const item = position.frame.item;
  const call = position.point === 'call';
  const names = call ? item.inputs.filter((n) => n !== '' && !isWeight(runner.model, n)) : item.outputs.filter((n) => n !== '');
  const values = names.map((n) => `${n}=${runner.summary(n)}`).join('; ');
  return `${'  '.repeat(position.frame.depth)}${call ? '→' : '←'} ${itemLabel(item)}${values ? ` ${values}` : ''}`;
}

/**
 * The call stack at the runner's position: a header `#7 return hidden/relu` (event index, point, item id),
 * (its name when the id is empty, as for a model's root),
 * then one line per frame, innermost first: `relu [relu] model.json:8`, `hidden (dense) model.json:5-12`.
 */
export function formatStack(runner: Runner): string {
  const pos = runner.position;
  const lines = [`#${pos.index} ${pos.point} ${pos.frame.item.id || pos.frame.item.name}`];
  for (let i = pos.stack.length - 1; i >= 0; i--) {
    const item = pos.stack[i].item;
    lines.push(`${itemLabel(item)} ${itemLocation(item, runner.model.file)}`);
  }
  return lines.join('\n');
}

/** A stop in one line: `breakpoint (breakpoint at line 5 (hidden)) [1]`, `end`. */
export function formatStop(stop: StopEvent): string {
  const ids = stop.breakpointIds?.length ? ` [${stop.breakpointIds.join(', ')}]` : '';
  return `${stop.reason}${stop.description ? ` (${stop.description})` : ''}${ids}`;
}
