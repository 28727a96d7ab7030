/**
 * Building DOM without HTML strings: every text goes in through `textContent` (a string child becomes a text
 * node), so a layer named `<img onerror=…>` shows as those characters. Styles go through the CSSOM, which the
 * panel's Content Security Policy allows (it forbids inline style attributes).
 */
export interface Props {
  readonly id?: string;
  readonly class?: string;
  readonly text?: string;
  readonly title?: string;
  /** Attributes such as `aria-label`, `role`, `data-frame-id`; values are set, never parsed as HTML. */
  readonly attrs?: Readonly<Record<string, string>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: readonly (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.id) el.id = props.id;
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 16×16 icon from path data (ours, drawn for the panel), hidden from screen readers: buttons carry labels. */
export function icon(paths: readonly string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/** A canvas sized in CSS pixels with a backing store for the device pixel ratio; returns its 2-D context. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas: no 2-D context');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}
