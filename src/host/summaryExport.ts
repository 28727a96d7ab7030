import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../protocol/engine';
import { summaryCsv, summaryMarkdown } from '../protocol/runSummaryText';
import { toWireError } from '../service/wireError';

/**
 * The panel's Summary exports: Copy as Markdown (to the clipboard) and Save as CSV… (where a save dialog says).
 * Every outcome is a notification; a failure is one error message.
 */

export async function copySummaryMarkdown(summary: RunSummary): Promise<void> {
  await vscode.env.clipboard.writeText(summaryMarkdown(summary));
  void vscode.window.showInformationMessage(`Layerstep: copied the summary of ${summary.model} (${summary.rows.length} rows) as Markdown.`);
}

/** Asks where (unless `target` is given), then writes the CSV; resolves to the file written, if any. */
export async function saveSummaryCsv(summary: RunSummary, modelPath: string | undefined, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  try {
    const folder = modelPath ? path.dirname(modelPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const name = `${summary.model.replace(/[^A-Za-z0-9._-]/g, '_') || 'model'}-summary.csv`;
    const uri = target ?? await vscode.window.showSaveDialog({
      title: `Save the summary of ${summary.model} as CSV`,
      defaultUri: folder ? vscode.Uri.file(path.join(folder, name)) : undefined,
      filters: { CSV: ['csv'] },
      saveLabel: 'Save Summary',
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(summaryCsv(summary)));
    void vscode.window.showInformationMessage(`Layerstep: saved the summary of ${summary.model} to ${path.basename(uri.fsPath)}.`);
    return uri;
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: could not save the summary: ${toWireError(e).message}`);
    return undefined;
  }
}
