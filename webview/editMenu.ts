import { clear, h } from './dom';
import type { EditAction } from './editText';
import { parseFactor } from './editText';

/** What the menu offers: one channel or neuron of one tensor, and what to do with the chosen action. */
export interface MenuRequest {
  readonly noun: 'channel' | 'neuron';
  readonly index: number;
  /** The tensor's label, for the menu's accessible name. */
  readonly tensor: string;
  /** Client coordinates (a right click) or the element the menu opens by (a button, a focused picture). */
  readonly at: { readonly x: number; readonly y: number } | HTMLElement;
  apply(action: EditAction): void;
  /** The expression an action assigns (`output[:, 5] = 0`), shown as the item's tooltip. */
  preview?(action: EditAction): string;
}

/** Factors offered with one click; any other can be typed. */
const PRESETS: readonly string[] = ['0', '0.5', '2'];

/**
 * The panel's edit menu (`#edit-menu`, `role="menu"`): "Zero channel c" and "Scale channel c…" (items with
 * `data-action="zero"` / `"scale"`). Scale turns it into a small form (`role="dialog"`) with the factor
 * (`#edit-factor`), preset factors (`data-factor`), Apply (`data-action="apply"`) and Cancel. Arrow keys move
 * between items, Escape closes it and gives the focus back; a click elsewhere closes it. One menu serves every
 * tensor view.
 */
export class EditMenu {
  readonly el: HTMLElement;
  private opener?: HTMLElement;
  private request?: MenuRequest;

  constructor() {
    this.el = h('div', { id: 'edit-menu', class: 'edit-menu', attrs: { role: 'menu' } });
    this.el.hidden = true;
    paint(this.el, MENU_STYLE);
    this.el.addEventListener('keydown', (e) => this.key(e));
    document.addEventListener('mousedown', (e) => {
      if (!this.el.hidden && !this.el.contains(e.target as Node)) this.close(false);
    }, true);
    window.addEventListener('blur', () => this.close(false));
    // It stays where it opened: a scroll would leave it over something else.
    window.addEventListener('scroll', () => this.close(false), true);
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(r: MenuRequest): void {
    const active = document.activeElement;
    this.opener = r.at instanceof HTMLElement ? r.at : active instanceof HTMLElement ? active : undefined;
    this.request = r;
    this.showItems(r);
    this.el.hidden = false;
    this.place(r.at);
    this.el.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
  }

  close(restoreFocus = true): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.request = undefined;
    clear(this.el);
    if (restoreFocus && this.opener?.isConnected) this.opener.focus({ preventScroll: true });
    this.opener = undefined;
  }

  private showItems(r: MenuRequest): void {
    clear(this.el);
    this.el.setAttribute('role', 'menu');
    this.el.setAttribute('aria-label', `Edit ${r.noun} ${r.index} of ${r.tensor}`);
    const zero = item(`Zero ${r.noun} ${r.index}`, 'zero');
    if (r.preview) zero.title = r.preview({ kind: 'zero' });
    zero.addEventListener('click', () => this.choose({ kind: 'zero' }));
    const scale = item(`Scale ${r.noun} ${r.index}…`, 'scale');
    scale.setAttribute('aria-haspopup', 'dialog');
    scale.addEventListener('click', () => this.showScale(r));
    this.el.append(zero, scale);
  }

  /** The factor form: a text field (any number), preset factors, Apply and Cancel. */
  private showScale(r: MenuRequest): void {
    clear(this.el);
    this.el.setAttribute('role', 'dialog');
    this.el.setAttribute('aria-label', `Scale ${r.noun} ${r.index} of ${r.tensor}`);
    const input = h('input', { id: 'edit-factor', attrs: { type: 'text', inputmode: 'decimal', value: '0.5', 'aria-label': `Factor for ${r.noun} ${r.index}`, spellcheck: 'false' } });
    paint(input, INPUT_STYLE);
    const error = h('div', { class: 'edit-error', attrs: { role: 'alert' } });
    paint(error, ERROR_STYLE);
    const apply = (): void => {
      const factor = parseFactor(input.value);
      if (factor === undefined) {
        error.textContent = `The factor must be a number, such as 0.5 or 2, not '${input.value.trim()}'.`;
        input.focus({ preventScroll: true });
        return;
      }
      this.choose({ kind: 'scale', factor });
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        apply();
      }
    });
    const presets = h('div', { class: 'edit-presets' }, PRESETS.map((f) => {
      const b = button(`× ${f}`, { 'data-factor': f, 'aria-label': `Scale by ${f}` });
      b.addEventListener('click', () => this.choose({ kind: 'scale', factor: Number(f) }));
      return b;
    }));
    paint(presets, ROW_STYLE);
    const ok = button('Apply', { 'data-action': 'apply' });
    ok.addEventListener('click', apply);
    const cancel = button('Cancel', { 'data-action': 'cancel' });
    cancel.addEventListener('click', () => this.close());
    const actions = h('div', { class: 'edit-actions' }, [ok, cancel]);
    paint(actions, ROW_STYLE);
    const label = h('label', { text: `Scale ${r.noun} ${r.index} by`, attrs: { for: 'edit-factor' } });
    paint(label, LABEL_STYLE);
    this.el.append(label, input, presets, actions, error);
    this.place(r.at);
    input.focus({ preventScroll: true });
    input.select();
  }

  private choose(action: EditAction): void {
    const r = this.request;
    this.close();
    r?.apply(action);
  }

  private key(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    if (this.el.getAttribute('role') !== 'menu') return;
    const items = [...this.el.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : undefined;
    if (next !== undefined) {
      e.preventDefault();
      items[(next + items.length) % items.length]?.focus({ preventScroll: true });
    } else if (e.key === 'Tab') {
      this.close(false);
    }
  }

  /** Below the anchor element or at the pointer, kept inside the window. */
  private place(at: MenuRequest['at']): void {
    const r = at instanceof HTMLElement ? at.getBoundingClientRect() : undefined;
    const x = r ? r.left : at instanceof HTMLElement ? 0 : at.x;
    const y = r ? r.bottom + 2 : at instanceof HTMLElement ? 0 : at.y;
    const w = this.el.offsetWidth;
    const hgt = this.el.offsetHeight;
    this.el.style.left = `${Math.max(0, Math.min(x, window.innerWidth - w - 4))}px`;
    this.el.style.top = `${Math.max(0, y + hgt > window.innerHeight - 4 ? (r ? r.top - hgt - 2 : y - hgt) : y)}px`;
  }
}

function item(text: string, action: string): HTMLButtonElement {
  const b = h('button', { class: 'edit-menu-item', text, attrs: { type: 'button', role: 'menuitem', tabindex: '-1', 'data-action': action } });
  paint(b, ITEM_STYLE);
  // Theme colours for the item under the pointer or the focus: set here, as the rest of the menu's look.
  const on = (lit: boolean) => paint(b, lit ? ITEM_LIT : ITEM_UNLIT);
  b.addEventListener('mouseenter', () => b.focus({ preventScroll: true }));
  b.addEventListener('focus', () => on(true));
  b.addEventListener('blur', () => on(false));
  return b;
}

function button(text: string, attrs: Readonly<Record<string, string>>): HTMLButtonElement {
  const b = h('button', { class: 'edit-button', text, attrs: { type: 'button', ...attrs } });
  paint(b, BUTTON_STYLE);
  return b;
}

/**
 * The menu's look, set through the CSSOM (which the panel's Content Security Policy allows) from VS Code's menu
 * and input theme colours, so it follows every theme.
 */
type Style = Readonly<Partial<Record<'position' | 'zIndex' | 'minWidth' | 'padding' | 'margin' | 'background' | 'color' | 'border' | 'borderRadius'
  | 'boxShadow' | 'display' | 'width' | 'textAlign' | 'font' | 'cursor' | 'outline' | 'gap' | 'boxSizing' | 'fontSize', string>>>;

function paint(el: HTMLElement, style: Style): void {
  Object.assign(el.style, style);
}

const MENU_STYLE: Style = {
  position: 'fixed', zIndex: '10', minWidth: '12em', padding: '4px', boxSizing: 'border-box',
  background: 'var(--vscode-menu-background, var(--vscode-editorWidget-background, Canvas))',
  color: 'var(--vscode-menu-foreground, var(--vscode-foreground, CanvasText))',
  border: '1px solid var(--vscode-menu-border, var(--vscode-widget-border, transparent))',
  borderRadius: '4px', boxShadow: '0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36))',
};
const ITEM_STYLE: Style = {
  display: 'block', width: '100%', textAlign: 'left', padding: '3px 10px', border: '0', borderRadius: '3px',
  font: 'inherit', cursor: 'pointer', outline: 'none',
};
const ITEM_LIT: Style = {
  background: 'var(--vscode-menu-selectionBackground, var(--vscode-list-activeSelectionBackground, Highlight))',
  color: 'var(--vscode-menu-selectionForeground, var(--vscode-list-activeSelectionForeground, HighlightText))',
};
const ITEM_UNLIT: Style = { background: 'transparent', color: 'inherit' };
const BUTTON_STYLE: Style = {
  padding: '2px 8px', font: 'inherit', cursor: 'pointer', borderRadius: '2px',
  border: '1px solid var(--vscode-button-border, transparent)',
  background: 'var(--vscode-button-secondaryBackground, var(--vscode-button-background))',
  color: 'var(--vscode-button-secondaryForeground, var(--vscode-button-foreground))',
};
const INPUT_STYLE: Style = {
  display: 'block', width: '100%', boxSizing: 'border-box', margin: '4px 0', padding: '2px 4px', font: 'inherit',
  background: 'var(--vscode-input-background)', color: 'var(--vscode-input-foreground)',
  border: '1px solid var(--vscode-input-border, var(--vscode-focusBorder))',
};
const ROW_STYLE: Style = { display: 'flex', gap: '4px', margin: '4px 0' };
const LABEL_STYLE: Style = { display: 'block', padding: '2px 0' };
const ERROR_STYLE: Style = { color: 'var(--vscode-errorForeground)', fontSize: '11px' };
