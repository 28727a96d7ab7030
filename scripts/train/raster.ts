import type { Rng } from './rng';

/** A point in a drawing's own unit box: x to the right, y downwards, both in [0, 1]. */
export type Point = readonly [number, number];

/** A pen stroke: a polyline through its points. */
export type Stroke = readonly Point[];

/** Points along an elliptical arc; angles in degrees, 0 = right, 90 = down (y grows downwards). */
export function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 20): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

/** How one drawing is placed on the canvas: the unit box is scaled, slanted, rotated and shifted. */
export interface Placement {
  /** Centre of the drawing in pixels. */
  readonly cx: number;
  readonly cy: number;
  /** Width and height of the unit box in pixels. */
  readonly width: number;
  readonly height: number;
  /** Horizontal shear (x += slant * y), as handwriting leans. */
  readonly slant: number;
  /** Rotation in degrees. */
  readonly rotation: number;
  /** Pen width in pixels. */
  readonly thickness: number;
}

/** Distance from (px, py) to the segment a–b. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Draws strokes on a size×size canvas (row-major, values in [0, 1], ink = 1) with an anti-aliased pen:
 * a pixel's ink falls off linearly over one pixel at the pen's edge.
 */
export function render(strokes: readonly Stroke[], place: Placement, size: number): Float32Array {
  const cos = Math.cos((place.rotation * Math.PI) / 180);
  const sin = Math.sin((place.rotation * Math.PI) / 180);
  const toCanvas = ([x, y]: Point): [number, number] => {
    const u = (x - 0.5 + place.slant * (0.5 - y)) * place.width;
    const v = (y - 0.5) * place.height;
    return [place.cx + cos * u - sin * v, place.cy + sin * u + cos * v];
  };
  const segments: number[][] = [];
  for (const stroke of strokes) {
    const pts = stroke.map(toCanvas);
    if (pts.length === 1) segments.push([...pts[0], ...pts[0]]);
    for (let i = 1; i < pts.length; i++) segments.push([...pts[i - 1], ...pts[i]]);
  }
  const half = place.thickness / 2;
  const img = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let d = Infinity;
      for (const s of segments) d = Math.min(d, segmentDistance(c + 0.5, r + 0.5, s[0], s[1], s[2], s[3]));
      img[r * size + c] = Math.max(0, Math.min(1, half + 0.5 - d));
    }
  }
  return img;
}

/** Moves every point of every stroke by up to ±amount in each direction, so no two drawings are alike. */
export function jitter(strokes: readonly Stroke[], amount: number, rng: Rng): Stroke[] {
  return strokes.map((s) => s.map(([x, y]): Point => [x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)]));
}

/** Adds Gaussian noise of the given standard deviation, clipped back to [0, 1]. */
export function addNoise(img: Float32Array, sigma: number, rng: Rng): Float32Array {
  return img.map((v) => Math.max(0, Math.min(1, v + sigma * rng.normal())));
}

/**
 * Sets everything fainter than `level` to 0, as a scanner's black level does: the noise stays as speckles near
 * the strokes and the background is clean, so the digit stands out in model.json's rows of numbers.
 */
export function blackLevel(img: Float32Array, level: number): Float32Array {
  return img.map((v) => (v < level ? 0 : v));
}

/** Rounds to `decimals` places: the example inputs are stored this way, and the model sees the same numbers. */
export function roundTo(img: Float32Array, decimals: number): Float32Array {
  const f = 10 ** decimals;
  return img.map((v) => Math.round(v * f) / f);
}
