import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelOutline } from '../protocol/engine';
import type { ValueInfo } from '../model/ir';
import { formatDims, isOpen, needsShape } from '../model/specialize';

/** Shapes the user gave for a model's open sizes, by model URI: offered again at the next Run. */
const SHAPES_KEY = 'layerstep.shapes';

type Shapes = Record<string, number[]>;

const dims = (v: ValueInfo): string => formatDims(v.shape);

/**
 * Does a launch run on random values (no input file, no example to take)? Only then do open sizes need to be
 * given: a file or an example brings its own shape.
 */
export function runsOnRandom(config: vscode.DebugConfiguration, outline: ModelOutline): boolean {
  const input = typeof config.input === 'string' ? config.input.trim() : '';
  if (input === 'random') return true;
  if (input) return false;
  return outline.examples.length === 0;
}

/** `1, 3, 48, 192` → [1, 3, 48, 192] if it fits the declared shape; else the sentence why not. */
export function parseSizes(text: string, info: ValueInfo): number[] | string {
  const parts = text.split(/[\s,x×]+/).filter((p) => p !== '');
  const sizes = parts.map(Number);
  if (!parts.length || sizes.some((d) => !Number.isSafeInteger(d) || d < 1)) return 'Give whole sizes of at least 1, separated by commas (e.g. 1, 3, 48, 192).';
  if (sizes.length !== info.shape.length) return `Input '${info.name}' has ${info.shape.length} axes ${dims(info)}; give ${info.shape.length} sizes.`;
  const clash = info.shape.findIndex((d, i) => !isOpen(d) && d !== sizes[i]);
  if (clash >= 0) return `Axis ${clash} of '${info.name}' is fixed at ${info.shape[clash]} ${dims(info)}.`;
  return sizes;
}

/**
 * Before a run on random values of a model whose inputs leave sizes open: asks for each such input's shape in
 * an input box, prefilled with the shape given last time for this model, else the one the engine suggests (the
 * smallest sizes the model's strides and pools accept). Sets `config.shapes`; false when the user cancels.
 */
export async function askForSizes(context: vscode.ExtensionContext, uri: vscode.Uri, config: vscode.DebugConfiguration, outline: ModelOutline): Promise<boolean> {
  if (config.shapes !== undefined || !runsOnRandom(config, outline)) return true;
  const open = outline.inputs.filter(needsShape);
  if (!open.length) return true;
  const remembered = context.workspaceState.get<Record<string, Shapes>>(SHAPES_KEY, {});
  const before = remembered[uri.toString()] ?? {};
  const shapes: Shapes = {};
  for (const info of open) {
    const prior = before[info.name];
    const offer = prior && typeof parseSizes(prior.join(','), info) !== 'string' ? prior : outline.suggestedShapes?.[info.name];
    const answer = await vscode.window.showInputBox({
      title: `Input sizes for ${path.basename(uri.fsPath)}`,
      prompt: `Input '${info.name}' leaves sizes open: ${dims(info)}. Give its shape for a random input.`,
      value: offer ? offer.join(', ') : '',
      ignoreFocusOut: true,
      validateInput: (text) => {
        const r = parseSizes(text, info);
        return typeof r === 'string' ? r : undefined;
      },
    });
    if (answer === undefined) return false;
    const sizes = parseSizes(answer, info);
    if (typeof sizes === 'string') return false;
    shapes[info.name] = sizes;
  }
  config.shapes = shapes;
  await context.workspaceState.update(SHAPES_KEY, { ...remembered, [uri.toString()]: { ...before, ...shapes } });
  return true;
}
