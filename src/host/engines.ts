import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineWorker } from '../node/workerClient';
import type { EngineClient, EngineMethod, EngineRequests, ModelOutline } from '../protocol/engine';
import { Settings } from './ids';

/** Models kept loaded with no session on them, besides those with sessions; the least recently used go first. */
const IDLE_MODELS = 3;

interface Entry {
  readonly worker: EngineWorker;
  /** Debug sessions running on this model. */
  readonly runs: Set<string>;
  used: number;
}

/**
 * The engine services of this window: one worker thread per model file, started when the model is first
 * needed (its editor becomes active, Run is pressed, the sidebar shows it) and shared by everyone who asks
 * about that model: the sidebar, the summary editor, the panel and every debug session on it. A model is so
 * parsed once, and a session starts on a model that is already loaded.
 */
export class Engines implements vscode.Disposable {
  private readonly byPath = new Map<string, Entry>();
  private clock = 0;
  /** The `layerstep.threads` setting: each worker's engine thread count (undefined: every core). */
  private threads = threadsSetting();
  /** A change of the setting reconfigures the running workers at once; new workers start with it. */
  private readonly settingWatch = vscode.workspace.onDidChangeConfiguration((change) => {
    if (!change.affectsConfiguration(`${Settings.section}.${Settings.threads}`)) return;
    this.threads = threadsSetting();
    for (const e of this.byPath.values()) e.worker.configure(this.threads);
  });

  constructor(private readonly workerPath: string) {}

  /** The worker of the model at `fsPath`, started if needed. */
  private entry(fsPath: string): Entry {
    const key = path.normalize(fsPath);
    let e = this.byPath.get(key);
    if (!e || e.worker.stopped) {
      e = { worker: new EngineWorker(this.workerPath, this.threads), runs: new Set(), used: 0 };
      this.byPath.set(key, e);
    }
    e.used = ++this.clock;
    this.evict();
    return e;
  }

  /** Starts the model's worker and loads the model ahead of need (the model's editor became active). */
  warm(uri: vscode.Uri): void {
    this.outline(uri, false, false).catch(() => undefined);
  }

  /**
   * The outline of the model, loading it once (a model loaded and unchanged answers at once). `force` loads
   * the file again. With `progress`, a load shows in the status bar.
   */
  outline(uri: vscode.Uri, force = false, progress = true): Promise<ModelOutline> {
    const worker = this.entry(uri.fsPath).worker;
    const load = () => worker.request('load', { path: uri.fsPath, force });
    if (!progress) return load();
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Layerstep: loading ${path.basename(uri.fsPath)}` },
      load,
    ));
  }

  /** A client for one debug session's run of the model; disposing it ends the run and lets the model go idle. */
  forRun(fsPath: string, run: string): EngineClient {
    const e = this.entry(fsPath);
    e.runs.add(run);
    const client = e.worker.forRun(run);
    return {
      request: (method, params) => client.request(method, params),
      onEvent: (listener) => client.onEvent(listener),
      dispose: () => {
        client.dispose();
        e.runs.delete(run);
        this.evict();
      },
    };
  }

  /** A request about the model itself, outside any session (its weights: `tensor`, `grid`, `element`). */
  request<M extends EngineMethod>(fsPath: string, method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    return this.entry(fsPath).worker.request(method, params);
  }

  dispose(): void {
    this.settingWatch.dispose();
    for (const e of this.byPath.values()) e.worker.dispose();
    this.byPath.clear();
  }

  /** Ends the workers of the least recently used models that no session runs on, past {@link IDLE_MODELS}. */
  private evict(): void {
    const idle = [...this.byPath].filter(([, e]) => e.runs.size === 0).sort((a, b) => b[1].used - a[1].used);
    for (const [key, e] of idle.slice(IDLE_MODELS)) {
      e.worker.dispose();
      this.byPath.delete(key);
    }
  }
}

/** `layerstep.threads`: a whole number of threads, or 0 (the default) for every core. */
function threadsSetting(): number | undefined {
  const n = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.threads, 0);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}
