import * as vscode from 'vscode';

/** Cheap recognition of a model file from its name and the start of its text (no parsing). */
export function isModelText(fileName: string, head: string): boolean {
  if (/\.onnx$/i.test(fileName)) return true;
  if (!/\.json$/i.test(fileName)) return false;
  return /"format"\s*:\s*"layerstep\/1"/.test(head) || /"modelTopology"\s*:/.test(head);
}

export function isModelDocument(doc: vscode.TextDocument | undefined): boolean {
  if (!doc || doc.uri.scheme === 'output') return false;
  return isModelText(doc.fileName, doc.getText(new vscode.Range(0, 0, 200, 0)));
}

/** The model file a command should act on: its argument, else the active editor's file when it is a model. */
export function targetModel(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isModelDocument(doc) ? doc.uri : undefined;
}
