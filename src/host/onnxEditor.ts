import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runDone } from '../debug/labels';
import { toWireError } from '../service/wireError';
import type { ModelOutline } from '../protocol/engine';
import type { SummaryHostMessage, SummaryViewMessage } from '../protocol/summary';
import { Commands, ONNX_SUMMARY_VIEW_TYPE } from './ids';
import { summarizeModel } from './modelSummary';
import type { Engines } from './engines';
import type { SessionTracker } from './sessions';
import { makeNonce, panelHtml } from './panelHtml';

/** The model file an `.onnx` editor shows. Read-only: nothing to save or revert. */
class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** An `.onnx` editor that has become the active editor, with its model's outline once it is known. */
export interface ActiveModelEditor {
  readonly uri: vscode.Uri;
  readonly outline: ModelOutline;
}

/**
 * The read-only custom editor of `.onnx` files (`layerstep.onnxSummary`): the model's inputs and outputs,
 * module tree with op and parameter counts, producer and opsets, unsupported ops, and Run / Debug buttons.
 * The model loads in its engine worker (shared with the sidebar and the sessions on it), so a large file never
 * blocks the window; the editor shows "Loading…" meanwhile. When an editor becomes active it reports its model
 * (the sidebar then shows its tree).
 */
export class OnnxSummaryEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  private readonly activeChanged = new vscode.EventEmitter<ActiveModelEditor>();
  /** Fires when an `.onnx` editor is active and its model is loaded. */
  readonly onDidActivate = this.activeChanged.event;

  /** Fires when a Layerstep session starts, moves, stops or ends: the editors' buttons may change. */
  private readonly sessionsChanged = new vscode.EventEmitter<void>();

  static register(context: vscode.ExtensionContext, models: Engines, tracker: SessionTracker): OnnxSummaryEditorProvider {
    const provider = new OnnxSummaryEditorProvider(context.extensionUri, models, tracker);
    context.subscriptions.push(
      provider.activeChanged,
      provider.sessionsChanged,
      // The tracker reports every session that opens, moves or stops (it then follows that one).
      tracker.onDidChange(() => provider.sessionsChanged.fire()),
      vscode.debug.onDidTerminateDebugSession(() => provider.sessionsChanged.fire()),
      vscode.window.registerCustomEditorProvider(ONNX_SUMMARY_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true }),
    );
    return provider;
  }

  private constructor(private readonly extensionUri: vscode.Uri, private readonly models: Engines, private readonly tracker: SessionTracker) {}

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): void {
    const { uri } = document;
    const fileName = path.basename(uri.fsPath);
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'summary.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'summary.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
      title: `${fileName} — Layerstep`,
    });

    let state: SummaryHostMessage = { type: 'loading', fileName };
    let outline: ModelOutline | undefined;
    let generation = 0;
    let disposed = false;
    const post = (m: SummaryHostMessage) => {
      state = m;
      if (!disposed) void webview.postMessage(m);
    };
    // Run and Debug wait while a session on this model is under way; a finished one is replaced by a new start.
    const debugging = (): SummaryHostMessage => ({
      type: 'debugging', active: this.tracker.sessionsOn(uri.fsPath).some((t) => !runDone(t.adapter.currentStop)),
    });
    /** Loads the model in its engine worker (at once when it is loaded and unchanged). */
    const load = async (force = false): Promise<void> => {
      const mine = ++generation;
      post({ type: 'loading', fileName });
      let o: ModelOutline;
      try {
        o = await this.models.outline(uri, force);
      } catch (e) {
        if (mine !== generation) return;
        outline = undefined;
        post({ type: 'failed', fileName, message: toWireError(e).message });
        return;
      }
      if (mine !== generation) return;
      outline = o;
      post({ type: 'loaded', summary: summarizeModel(o, uri.fsPath) });
      // The editor may have been closed while its model loaded: a disposed panel has no state to ask.
      if (!disposed && panel.active) activate();
    };
    /** The editor is active: report its model. */
    const activate = (): void => {
      if (outline && !disposed && panel.active) this.activeChanged.fire({ uri, outline });
    };

    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), fileName));
    const subscriptions: vscode.Disposable[] = [
      watcher,
      watcher.onDidChange(() => void load(true)),
      webview.onDidReceiveMessage((m: SummaryViewMessage) => {
        switch (m?.type) {
          case 'ready':
            void webview.postMessage(state);
            void webview.postMessage(debugging());
            break;
          case 'run': void vscode.commands.executeCommand(Commands.runModel, uri); break;
          case 'debug': void vscode.commands.executeCommand(Commands.debugModel, uri); break;
          case 'reload': void load(true); break;
        }
      }),
      panel.onDidChangeViewState(() => {
        if (panel.active) activate();
      }),
      this.sessionsChanged.event(() => void webview.postMessage(debugging())),
    ];
    panel.onDidDispose(() => {
      disposed = true;
      for (const d of subscriptions) d.dispose();
    });
    void load();
  }
}
