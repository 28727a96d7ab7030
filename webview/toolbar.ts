import type { StepKind } from '../src/protocol/engine';
import { h, icon } from './dom';

interface StepButton {
  readonly id: string;
  readonly kind: StepKind;
  readonly label: string;
  /** VS Code's own key for the same step: the workbench receives keys pressed in the panel, so it works here too. */
  readonly key?: string;
  readonly paths: readonly string[];
}

/** In the order of VS Code's debug toolbar, with reverse moves last. Icons are drawn for this panel. */
const BUTTONS: readonly StepButton[] = [
  { id: 'continue', kind: 'continue', label: 'Continue', key: 'F5', paths: ['M3 3h2v10H3z', 'M7 3l7 5-7 5z'] },
  { id: 'step-over', kind: 'over', label: 'Step Over', key: 'F10', paths: ['M2.5 9a5.5 5.5 0 0 1 10.6-2l.9-1.4.9 4.3-4.2-.9 1.3-.9A4 4 0 0 0 4 9z', 'M8 11.2a1.6 1.6 0 1 1 0 3.2 1.6 1.6 0 0 1 0-3.2z'] },
  { id: 'step-in', kind: 'in', label: 'Step Into', key: 'F11', paths: ['M7.25 1h1.5v6.2l2.2-2.2 1.06 1.06L8 10.1 3.99 6.06 5.05 5l2.2 2.2z', 'M8 11.2a1.6 1.6 0 1 1 0 3.2 1.6 1.6 0 0 1 0-3.2z'] },
  { id: 'step-out', kind: 'out', label: 'Step Out', key: 'Shift+F11', paths: ['M7.25 10V3.8L5.05 6 3.99 4.94 8 .9l4.01 4.04L10.95 6l-2.2-2.2V10z', 'M8 11.2a1.6 1.6 0 1 1 0 3.2 1.6 1.6 0 0 1 0-3.2z'] },
  { id: 'step-back', kind: 'back', label: 'Step Back', paths: ['M13.5 9a5.5 5.5 0 0 0-10.6-2L2 5.6 1.1 9.9l4.2-.9-1.3-.9A4 4 0 0 1 12 9z', 'M8 11.2a1.6 1.6 0 1 1 0 3.2 1.6 1.6 0 0 1 0-3.2z'] },
  { id: 'reverse-continue', kind: 'reverseContinue', label: 'Reverse Continue', paths: ['M11 3h2v10h-2z', 'M9 3L2 8l7 5z'] },
];

/** The step buttons and the status line. Buttons are real `<button>`s with labels, tooltips and focus styles. */
export class Toolbar {
  readonly el: HTMLElement;
  readonly status: HTMLElement;
  private readonly buttons = new Map<StepKind, HTMLButtonElement>();

  constructor(onStep: (kind: StepKind) => void) {
    const group = h('div', { class: 'step-buttons', attrs: { role: 'toolbar', 'aria-label': 'Step the forward pass' } });
    for (const b of BUTTONS) {
      const tip = b.key ? `${b.label} (${b.key})` : b.label;
      const btn = h('button', { id: b.id, class: 'step-button', title: tip, attrs: { type: 'button', 'aria-label': b.label, ...(b.key ? { 'aria-keyshortcuts': b.key } : {}) } }, [icon(b.paths)]);
      btn.addEventListener('click', () => onStep(b.kind));
      this.buttons.set(b.kind, btn);
      group.append(btn);
    }
    this.status = h('div', { id: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.el = h('div', { class: 'toolbar' }, [group, this.status]);
  }

  /** Buttons work only while a session is stopped; moving forward stops at the end, back at the start. */
  update(state: { session: boolean; running: boolean; finished?: boolean; atStart?: boolean }): void {
    for (const [kind, btn] of this.buttons) {
      const forward = kind === 'in' || kind === 'over' || kind === 'out' || kind === 'continue';
      btn.disabled = !state.session || state.running || (forward && !!state.finished) || (!forward && !!state.atStart);
    }
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }
}
