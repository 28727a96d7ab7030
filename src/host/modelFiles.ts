import * as vscode from 'vscode';
import { ONNX_SUMMARY_VIEW_TYPE } from './ids';

/** Model files that open in the summary editor (`.onnx`, Keras `.h5`/`.hdf5`/`.keras`), not as text. */
export const BINARY_MODEL = /\.(onnx|h5|hdf5|keras)$/i;

/** Cheap recognition of a model file from its name and the start of its text (no parsing). */
export function isModelText(fileName: string, head: string): boolean {
  if (BINARY_MODEL.test(fileName)) return true;
  if (!/\.json$/i.test(fileName)) return false;
  return /"format"\s*:\s*"layerstep\/1"/.test(head) || /"modelTopology"\s*:/.test(head);
}

export function isModelDocument(doc: vscode.TextDocument | undefined): boolean {
  if (!doc || doc.uri.scheme === 'output') return false;
  return isModelText(doc.fileName, doc.getText(new vscode.Range(0, 0, 200, 0)));
}

/**
 * The model file a command should act on: its argument, else the file of the active `.onnx` summary editor,
 * else the active text editor's file when it is a model, else (the focus is elsewhere: the Get Started
 * walkthrough, a panel) the first visible model editor.
 */
export function targetModel(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === ONNX_SUMMARY_VIEW_TYPE) return input.uri;
  const active = vscode.window.activeTextEditor;
  if (active) return isModelDocument(active.document) ? active.document.uri : undefined;
  return vscode.window.visibleTextEditors.find((e) => isModelDocument(e.document))?.document.uri;
}
