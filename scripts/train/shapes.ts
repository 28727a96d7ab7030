import { addNoise, arc, blackLevel, jitter, render, roundTo } from './raster';
import type { Stroke } from './raster';
import type { Rng } from './rng';

export const SHAPE_SIZE = 28;

export const SHAPE_LABELS = ['circle', 'square', 'triangle', 'cross'];

export const SHAPE_NAMES = ['a circle', 'a square', 'a triangle', 'a cross'];

const SHAPE_STROKES: readonly (readonly Stroke[])[] = [
  [arc(0.5, 0.5, 0.5, 0.5, 0, 360, 28)],
  [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
  [[[0.5, 0], [1, 0.95], [0, 0.95], [0.5, 0]]],
  [[[0.5, 0], [0.5, 1]], [[0, 0.5], [1, 0.5]]],
];

/** One outline shape, 10–20 px across, anywhere that keeps it on the canvas, turned up to ±20°, with noise. */
export function drawShape(shape: number, rng: Rng): Float32Array {
  const size = rng.uniform(10, 20);
  const room = (SHAPE_SIZE - size) / 2 - 2;
  const img = render(jitter(SHAPE_STROKES[shape], 0.03, rng), {
    cx: 14 + rng.uniform(-room, room),
    cy: 14 + rng.uniform(-room, room),
    width: size * rng.uniform(0.85, 1.15),
    height: size,
    slant: 0,
    rotation: rng.uniform(-20, 20),
    thickness: rng.uniform(1.4, 2.6),
  }, SHAPE_SIZE);
  return roundTo(blackLevel(addNoise(img, 0.06, rng), 0.1), 2);
}

export function shapeSet(count: number, rng: Rng): { images: Float32Array[]; labels: number[] } {
  const order = rng.permutation(count);
  const images: Float32Array[] = new Array(count);
  const labels: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    labels[order[i]] = i % 4;
    images[order[i]] = drawShape(i % 4, rng);
  }
  return { images, labels };
}
