import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineRequests, ModelOutline, TensorValues } from '../protocol/engine';
import { WorkerEngineClient } from './workerClient';

/**
 * Loads a model outside any debug session, for the sidebar and for showing weights: in its own worker
 * thread, so a large model never freezes the window. One model at a time.
 */
export class ModelService implements vscode.Disposable {
  private client?: WorkerEngineClient;
  private loaded?: { uri: string; outline: Promise<ModelOutline> };

  constructor(private readonly extensionPath: string) {}

  /** The model the service holds or is loading (its URI as a string), if any. */
  get currentUri(): string | undefined {
    return this.loaded?.uri;
  }

  /** The outline of the model at `uri`, loading it (with progress in the window) unless it is the current one. */
  outline(uri: vscode.Uri, force = false): Promise<ModelOutline> {
    if (!force && this.loaded?.uri === uri.toString()) return this.loaded.outline;
    this.client?.dispose();
    const client = new WorkerEngineClient(path.join(this.extensionPath, 'dist', 'engineWorker.js'));
    this.client = client;
    const outline = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Layerstep: loading ${path.basename(uri.fsPath)}` },
      () => client.request('open', { path: uri.fsPath, input: { kind: 'random', seed: 0 } }),
    ));
    this.loaded = { uri: uri.toString(), outline };
    outline.catch(() => {
      if (this.loaded?.outline === outline) this.loaded = undefined;
    });
    return outline;
  }

  /**
   * The outline of the model at `uri` from a worker of its own, ended once it answers: for a view that needs
   * only the outline while the service holds another model (two `.onnx` editors loading side by side).
   */
  async outlineOnce(uri: vscode.Uri): Promise<ModelOutline> {
    const client = new WorkerEngineClient(path.join(this.extensionPath, 'dist', 'engineWorker.js'));
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Layerstep: loading ${path.basename(uri.fsPath)}` },
        () => client.request('open', { path: uri.fsPath, input: { kind: 'random', seed: 0 } }),
      );
    } finally {
      client.dispose();
    }
  }

  /** Values of a weight of the loaded model. */
  tensor(params: EngineRequests['tensor']['params']): Promise<TensorValues> {
    if (!this.client) return Promise.reject(new Error('No model is loaded.'));
    return this.client.request('tensor', params);
  }

  dispose(): void {
    this.client?.dispose();
  }
}
