import * as vscode from 'vscode';
import type { WireError } from '../protocol/engine';

/**
 * Where a model that cannot load says so: a diagnostic on the offending line (in the editor and in PROBLEMS),
 * and, when the user asked to run it, a notification with the sentence and a "Go to Line" action. Never a
 * modal dialog, never an offer to open launch.json.
 */
export class LoadErrors implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('layerstep');

  /** The model at `uri` loads: its load diagnostic goes. */
  clear(uri: vscode.Uri): void {
    this.diagnostics.delete(uri);
  }

  /**
   * The model at `uri` does not load (or its run could not start). A model error marks its line; with
   * `notify` (the user pressed Run or Debug) a notification says it too.
   */
  report(uri: vscode.Uri, error: WireError, notify: boolean): void {
    const range = rangeOf(error);
    if (error.kind === 'model') {
      const d = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
      d.source = 'Layerstep';
      this.diagnostics.set(uri, [d]);
    }
    if (!notify) return;
    const goTo = 'Go to Line';
    const actions = error.kind === 'model' && error.source ? [goTo] : [];
    void vscode.window.showErrorMessage(`Layerstep: ${error.message}`, ...actions).then(async (choice) => {
      if (choice !== goTo) return;
      await vscode.window.showTextDocument(uri, { selection: range, preview: false });
    });
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}

/**
 * The range a load error points at: from where its source range starts (1-based) to the end of that line (VS Code
 * clamps the column to the line), else the file's first line.
 */
function rangeOf(error: WireError): vscode.Range {
  const s = error.source;
  const line = s ? Math.max(0, s.startLine - 1) : 0;
  const column = s ? Math.max(0, s.startColumn - 1) : 0;
  return new vscode.Range(line, column, line, 10_000);
}
