import * as vscode from 'vscode';
import { countText, typeCounts } from '../debug/opTypes';
import type { ModelOutline } from '../protocol/engine';
import { TYPE_PREFIX } from '../runner/breakpoints';

/** Characters that make a function breakpoint's name a glob for the runner (src/runner/glob.ts). */
const GLOB_CHARS = /[*?[\\]/;

/** A function breakpoint name that matches exactly `name`: glob characters escaped with `\`. */
export function exactName(name: string): string {
  return GLOB_CHARS.test(name) ? name.replace(/[*?[\\]/g, '\\$&') : name;
}

/**
 * Adds or removes a breakpoint on a module or op: at its line when the format has lines (`line`, 1-based, in
 * `uri`), else a function breakpoint on its id (the BREAKPOINTS view lists it by that name; the runner matches
 * names and ids). The model's own frame has the id `''`: it goes by `name`. Returns whether one is set now.
 */
export function toggleItemBreakpoint(item: { id: string; name: string; line?: number }, uri: vscode.Uri | undefined): boolean {
  if (item.line !== undefined && uri) {
    const line = item.line - 1;
    const existing = vscode.debug.breakpoints.filter((b) => b instanceof vscode.SourceBreakpoint
      && b.location.uri.toString() === uri.toString() && b.location.range.start.line === line);
    if (existing.length) {
      vscode.debug.removeBreakpoints(existing);
      return false;
    }
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line, 0)))]);
    return true;
  }
  const name = exactName(item.id || item.name);
  const existing = vscode.debug.breakpoints.filter((b) => b instanceof vscode.FunctionBreakpoint && b.functionName === name);
  if (existing.length) {
    vscode.debug.removeBreakpoints(existing);
    return false;
  }
  vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint(name)]);
  return true;
}

/**
 * "Add Op Type Breakpoint…": a quick pick of the model's layer and op types with their counts; the one picked
 * becomes the function breakpoint `type:TYPE` (src/runner/breakpoints.ts matches it ignoring case and a dimension
 * suffix). `outline` is the model the sidebar shows, or the followed session's.
 */
export async function addTypeBreakpoint(outline: ModelOutline | undefined): Promise<void> {
  if (!outline) {
    void vscode.window.showInformationMessage('Layerstep: open a model file first: its layer and op types are offered here.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    typeCounts(outline).map((c) => ({ label: c.type, description: countText(c) })),
    { title: `Break at every layer or op of a type in ${outline.name}`, placeHolder: 'A layer or op type (the breakpoint is type:TYPE; globs like type:conv* work too)' },
  );
  if (!picked) return;
  const name = `${TYPE_PREFIX}${picked.label}`;
  if (vscode.debug.breakpoints.some((b) => b instanceof vscode.FunctionBreakpoint && b.functionName === name)) return;
  vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint(name)]);
}
