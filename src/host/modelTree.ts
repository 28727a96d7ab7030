import * as vscode from 'vscode';
import type { ModelOutline, OutlineNode, WeightOutline } from '../protocol/engine';
import { Commands } from './ids';

/** A row of the Model view: a module or op of the outline, or one of a module's weights. */
export type ModelItem =
  | { readonly kind: 'layer'; readonly node: OutlineNode; readonly parent?: ModelItem }
  | { readonly kind: 'weight'; readonly weight: WeightOutline; readonly parent: ModelItem };

/**
 * The Layerstep sidebar's **Model** view: modules › layers › ops, with each module's weights (shape,
 * parameter count, statistics). It shows the outline it is given and never reads files itself.
 */
export class ModelTreeProvider implements vscode.TreeDataProvider<ModelItem>, vscode.Disposable {
  private outline?: ModelOutline;
  private modelUri?: vscode.Uri;
  private roots: ModelItem[] = [];
  private readonly byId = new Map<string, ModelItem>();
  /** Weights a what-if edit changed in the followed session, and the model file that session runs. */
  private edited: { readonly modelPath?: string; readonly names: ReadonlySet<string> } = { names: new Set() };
  private readonly changed = new vscode.EventEmitter<ModelItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  get model(): { outline: ModelOutline; uri: vscode.Uri } | undefined {
    return this.outline && this.modelUri ? { outline: this.outline, uri: this.modelUri } : undefined;
  }

  /** Shows a model, or nothing. */
  setModel(outline: ModelOutline | undefined, uri: vscode.Uri | undefined): void {
    this.outline = outline;
    this.modelUri = uri;
    this.byId.clear();
    this.roots = outline ? [this.index({ kind: 'layer', node: outline.root })] : [];
    this.changed.fire(undefined);
  }

  /**
   * Marks the weights a session's edits changed (`✎ edited`), for the model file `modelPath`: the marks show
   * only while this view shows that file. An empty set clears them (Revert, the session ended).
   */
  setEditedWeights(path: string | undefined, names: ReadonlySet<string>): void {
    const modelPath = path === undefined ? undefined : vscode.Uri.file(path).fsPath;
    const same = this.edited.modelPath === modelPath && this.edited.names.size === names.size && [...names].every((n) => this.edited.names.has(n));
    if (same) return;
    this.edited = { modelPath, names: new Set(names) };
    this.changed.fire(undefined);
  }

  /** Whether the weight `name` shows as edited now. */
  isEdited(name: string): boolean {
    return this.edited.names.has(name) && this.modelUri !== undefined && this.edited.modelPath === this.modelUri.fsPath;
  }

  /**
   * The row of a module or node id, for revealing the current frame. A training step's backward frame (`∂/ID`)
   * shows the layer it mirrors.
   */
  itemFor(id: string): ModelItem | undefined {
    return this.byId.get(id) ?? (id.startsWith('∂/') ? this.byId.get(id.slice(2)) : undefined);
  }

  getChildren(item?: ModelItem): ModelItem[] {
    if (!item) return this.roots;
    if (item.kind === 'weight') return [];
    const weights: ModelItem[] = item.node.weights.map((weight) => ({ kind: 'weight', weight, parent: item }));
    return [...weights, ...item.node.children.map((c) => this.byId.get(c.id) ?? this.index({ kind: 'layer', node: c, parent: item }))];
  }

  getParent(item: ModelItem): ModelItem | undefined {
    return item.parent;
  }

  getTreeItem(item: ModelItem): vscode.TreeItem {
    if (item.kind === 'weight') {
      const w = item.weight;
      const t = new vscode.TreeItem(w.role, vscode.TreeItemCollapsibleState.None);
      const edited = this.isEdited(w.name);
      // The mark comes first, as in VARIABLES, so a narrow sidebar still shows it.
      t.description = `${edited ? '✎ edited · ' : ''}${w.dtype}[${w.shape.join('×')}]  ${count(w.shape.reduce((a, b) => a * b, 1))}`;
      t.tooltip = new vscode.MarkdownString().appendCodeblock(`${w.name}\n${w.summary}`, 'text');
      // The summary is the weight as loaded; the session's edit is what the panel and VARIABLES show.
      if (edited) t.tooltip.appendMarkdown('Edited in the debug session: **Layerstep: Revert Edits** brings it back, **Save Edited Weights…** writes it to a file.');
      t.iconPath = new vscode.ThemeIcon(edited ? 'edit' : 'symbol-constant');
      t.contextValue = 'weight';
      t.id = `w:${w.name}`;
      t.command = { command: Commands.showWeight, title: 'Show in Panel', arguments: [w.name, w.role] };
      return t;
    }
    const n = item.node;
    const hasChildren = n.children.length > 0 || n.weights.length > 0;
    const state = !hasChildren ? vscode.TreeItemCollapsibleState.None
      : item.parent ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
    const t = new vscode.TreeItem(n.name, state);
    t.id = `n:${n.id}`;
    const shape = n.outputShape ? ` → [${n.outputShape.join('×')}]` : '';
    t.description = n.kind === 'module' ? `${n.type}${n.params ? ` · ${count(n.params)} params` : ''}${shape}` : `${n.type}${shape}`;
    t.tooltip = tooltip(n);
    t.iconPath = new vscode.ThemeIcon(n.kind === 'node' ? 'symbol-operator' : item.parent ? 'symbol-class' : 'symbol-namespace');
    t.contextValue = n.kind;
    if (n.source && this.modelUri) {
      const range = new vscode.Range(n.source.startLine - 1, 0, n.source.startLine - 1, 0);
      t.command = { command: 'vscode.open', title: 'Go to Layer', arguments: [this.modelUri, { selection: range, preserveFocus: true }] };
    }
    return t;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private index(item: ModelItem & { kind: 'layer' }): ModelItem {
    this.byId.set(item.node.id, item);
    for (const c of item.node.children) this.index({ kind: 'layer', node: c, parent: item });
    return item;
  }
}

function tooltip(n: OutlineNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMd(n.name)}** — ${escapeMd(n.type)}\n\n`);
  if (n.params) md.appendMarkdown(`${n.params.toLocaleString('en-US')} parameters\n\n`);
  if (n.weights.length) md.appendCodeblock(n.weights.map((w) => `${w.role}: ${w.summary}`).join('\n'), 'text');
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** 1234 → 1.2K, 1234567 → 1.2M. */
export function count(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}K`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}
