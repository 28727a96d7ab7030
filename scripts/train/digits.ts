import { addNoise, arc, blackLevel, jitter, render, roundTo } from './raster';
import type { Stroke } from './raster';
import type { Rng } from './rng';

/** Side of the canvas, as in MNIST. */
export const DIGIT_SIZE = 28;

export const DIGIT_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Names for example inputs ("a seven"). */
export const DIGIT_NAMES = ['a zero', 'a one', 'a two', 'a three', 'a four', 'a five', 'a six', 'a seven', 'an eight', 'a nine'];

/** Each digit as pen strokes in its unit box (x right, y down), roughly how a person writes it. */
const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  [arc(0.5, 0.5, 0.45, 0.5, 0, 360, 28)],
  [[[0.25, 0.22], [0.6, 0], [0.6, 1]]],
  [[...arc(0.5, 0.28, 0.45, 0.28, 190, 400), [0.02, 1], [1, 1]]],
  [[...arc(0.5, 0.25, 0.42, 0.25, 200, 450), ...arc(0.5, 0.75, 0.48, 0.25, 270, 520)]],
  [[[0.72, 1], [0.72, 0], [0, 0.66], [1, 0.66]]],
  [[[0.9, 0], [0.15, 0], [0.12, 0.46], ...arc(0.5, 0.68, 0.45, 0.32, 225, 520)]],
  [[[0.82, 0], [0.45, 0.15], [0.2, 0.42], [0.12, 0.72]], arc(0.5, 0.72, 0.38, 0.28, 0, 360, 24)],
  [[[0, 0], [1, 0], [0.35, 1]]],
  [arc(0.5, 0.26, 0.36, 0.26, 0, 360, 24), arc(0.5, 0.74, 0.45, 0.26, 0, 360, 24)],
  [arc(0.5, 0.3, 0.42, 0.3, 0, 360, 24), [[0.92, 0.3], [0.85, 0.65], [0.7, 1]]],
];

/**
 * One drawn digit: its strokes jittered, scaled to about 12–16 × 18–22 px, slanted, turned a little,
 * shifted up to 3 px off centre, drawn with a 1.6–3 px pen, plus faint noise
 * (a clean background: see blackLevel); values in [0, 1] rounded to 2 places.
 */
export function drawDigit(digit: number, rng: Rng): Float32Array {
  const strokes = jitter(DIGIT_STROKES[digit], 0.04, rng);
  const img = render(strokes, {
    cx: 14 + rng.uniform(-3, 3),
    cy: 14 + rng.uniform(-3, 3),
    width: digit === 1 ? rng.uniform(8, 12) : rng.uniform(12, 16),
    height: rng.uniform(18, 22),
    slant: rng.uniform(-0.25, 0.25),
    rotation: rng.uniform(-10, 10),
    thickness: rng.uniform(1.6, 3),
  }, DIGIT_SIZE);
  return roundTo(blackLevel(addNoise(img, 0.06, rng), 0.1), 2);
}

/** A labelled set of drawn digits, classes in turn then shuffled. Images are flat 784-long rows. */
export function digitSet(count: number, rng: Rng): { images: Float32Array[]; labels: number[] } {
  const order = rng.permutation(count);
  const images: Float32Array[] = new Array(count);
  const labels: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    labels[order[i]] = i % 10;
    images[order[i]] = drawDigit(i % 10, rng);
  }
  return { images, labels };
}
