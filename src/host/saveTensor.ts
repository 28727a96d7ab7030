import * as path from 'node:path';
import * as vscode from 'vscode';
import { COUNTERPART_FRAME_OFFSET } from '../debug/session';
import type { ValueReader } from '../debug/tensorRead';
import { READ_CHUNK, readWhole } from '../debug/tensorRead';
import type { Tensor } from '../engine/tensor';
import { encodeSaved, fileNameFor, SAVE_FORMATS, saveFormatOf, saveRefusal } from '../loaders/tensors/savedFile';
import type { ScopesInfo } from '../protocol/engine';
import { toWireError } from '../service/wireError';
import { Commands } from './ids';
import type { SessionTracker, TrackedSession } from './sessions';

/**
 * Save Tensor As…: a tensor to `.npy`, tensor JSON or a `.png` picture (src/loaders/tensors/savedFile.ts), from
 * VARIABLES' context menu or the panel's Save… button. The values are read from the engine worker in chunks
 * (a long read shows progress and can be cancelled), never computed on the extension host's thread.
 */

/** A tensor to save: what it is called and where its values are read. */
export interface SaveTarget {
  /** Shown in the dialog's title and messages, and the default file name (sanitised). */
  readonly label: string;
  /** The model file: the dialog opens in its folder. */
  readonly modelPath?: string;
  /** Its values, `count` from `start` (0 values give its shape and dtype). */
  readonly read: ValueReader;
}

/** What VS Code passes a `debug/variables/context` command: the variable and the scope or variable holding it. */
interface VariablesContext {
  readonly sessionId?: string;
  readonly container?: { readonly name?: string; readonly variablesReference?: number; readonly value?: string; readonly expensive?: boolean };
  readonly variable?: { readonly name: string; readonly value?: string; readonly evaluateName?: string; readonly variablesReference?: number };
}

const SCOPE_KEYS: Readonly<Record<string, 'inputs' | 'outputs' | 'weights'>> = { Inputs: 'inputs', Outputs: 'outputs', Weights: 'weights' };

export function registerSaveTensor(context: vscode.ExtensionContext, tracker: SessionTracker): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.saveTensor, async (arg?: VariablesContext, target?: vscode.Uri) => {
      let found: SaveTarget;
      try {
        found = await fromVariables(tracker, arg);
      } catch (e) {
        void vscode.window.showErrorMessage(`Layerstep: ${toWireError(e).message}`);
        return undefined;
      }
      return saveTensorAs(found, target);
    }),
  );
}

/**
 * Asks where to save (unless `target` is given, for scripts and tests), reads the values and writes the file in
 * the format its extension names. Every failure is one error message; resolves to the file written, if any.
 */
export async function saveTensorAs(t: SaveTarget, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  try {
    const head = await t.read(0, 0);
    const type = `${head.dtype}[${head.shape.join(',')}]`;
    const folder = t.modelPath ? path.dirname(t.modelPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const uri = target ?? await vscode.window.showSaveDialog({
      title: `Save ${t.label} (${type})`,
      defaultUri: folder ? vscode.Uri.file(path.join(folder, `${fileNameFor(t.label)}.npy`)) : undefined,
      filters: Object.fromEntries(SAVE_FORMATS.map((f) => [f.label, [f.format]])),
      saveLabel: 'Save Tensor',
    });
    if (!uri) return undefined;
    const file = path.basename(uri.fsPath);
    const format = saveFormatOf(file);
    if (!format) throw new Error(`${file}: the name must end in .npy, .json or .png, which says the format to write.`);
    const refusal = saveRefusal(format, head.shape, head.dtype, file);
    if (refusal) throw new Error(refusal);
    const tensor = await readValues(t, head);
    if (!tensor) return undefined;
    await vscode.workspace.fs.writeFile(uri, await encodeSaved(format, tensor, file));
    void vscode.window.showInformationMessage(`Layerstep: saved ${t.label} (${type}) to ${file}.`);
    return uri;
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: could not save ${t.label}: ${toWireError(e).message}`);
    return undefined;
  }
}

/** The whole tensor; a read of more than one chunk shows cancellable progress (undefined when cancelled). */
async function readValues(t: SaveTarget, head: Pick<Tensor, 'shape' | 'dtype'>): Promise<Tensor | undefined> {
  const size = head.shape.reduce((a, b) => a * b, 1);
  if (size <= READ_CHUNK) return readWhole(t.read, head);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Layerstep: reading ${t.label}`, cancellable: true },
    (progress, token) => {
      let shown = 0;
      return readWhole(t.read, head, {
        cancelled: () => token.isCancellationRequested,
        progress: (done, total) => {
          progress.report({ increment: (100 * (done - shown)) / total, message: `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} values` });
          shown = done;
        },
      });
    });
}

/**
 * The tensor a VARIABLES item shows. A tensor of this run (and a slice of one) is read by its evaluateName in the
 * frame VARIABLES shows, which CALL STACK has focused; a tensor of a compared run's second thread by its label in
 * the counterpart's scope.
 */
async function fromVariables(tracker: SessionTracker, arg: VariablesContext | undefined): Promise<SaveTarget> {
  const v = arg?.variable;
  const t = arg?.sessionId ? tracker.get(arg.sessionId) : tracker.followed;
  if (!v) throw new Error('Save Tensor As… saves a tensor: right-click one in VARIABLES.');
  if (!t) throw new Error('That Layerstep session has ended.');
  const item = vscode.debug.activeStackItem;
  const frameId = item instanceof vscode.DebugStackFrame && item.session.id === t.session.id ? item.frameId : undefined;
  const container = arg?.container;
  const inScope = !!container && container.value === undefined;
  const scope = inScope ? SCOPE_KEYS[container?.name ?? ''] : undefined;
  const frameName = t.adapter.currentStop?.stack.find((f) => f.id === (frameId !== undefined && frameId >= COUNTERPART_FRAME_OFFSET ? frameId - COUNTERPART_FRAME_OFFSET : frameId))?.name;
  const label = scope === 'weights' && frameName ? `${frameName}.${v.name}` : inScope ? v.name : v.evaluateName ?? v.name;
  const modelPath = t.adapter.model?.path;
  if (v.evaluateName) {
    const r = await t.client.request('evaluate', { expression: v.evaluateName, frameId });
    if (!r.tensor) throw new Error(`'${v.evaluateName}' is a number (${r.text}), not a tensor: use Copy Value.`);
    return { label, modelPath, read: reader(t, r.tensor.name) };
  }
  if (frameId !== undefined && frameId >= COUNTERPART_FRAME_OFFSET && scope) {
    const scopes: ScopesInfo = await t.client.request('counterpartScopes', { frameId: frameId - COUNTERPART_FRAME_OFFSET });
    const found = scopes[scope].find((s) => s.label === v.name);
    if (found) return { label: `${label} (compared run)`, modelPath, read: reader(t, found.name) };
  }
  throw new Error(`'${v.name}' cannot be saved from here: save the whole tensor it belongs to.`);
}

function reader(t: TrackedSession, name: string): ValueReader {
  return (start, count) => t.client.request('tensor', { name, start, count });
}
