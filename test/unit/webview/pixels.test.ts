import { describe, expect, it } from 'vitest';
import type { Palette } from '../../../webview/colors';
import { makeScale } from '../../../webview/colors';
import { gridRgba } from '../../../webview/draw/pixels';

const palette: Palette = {
  background: [0, 0, 0], foreground: [255, 255, 255], blue: [0, 0, 255], red: [255, 0, 0],
  yellow: [255, 255, 0], green: [0, 255, 0], orange: [255, 128, 0], purple: [128, 0, 255],
};

describe('gridRgba', () => {
  it('writes one opaque pixel per value, row-major, from the given start', () => {
    const scale = makeScale('diverging', -1, 1, palette);
    const px = gridRgba([9, -1, 0, 1, NaN], 1, 2, 2, scale);
    expect([...px]).toEqual([
      0, 0, 255, 255, /* -1 */ 0, 0, 0, 255, /* 0 */
      255, 0, 0, 255, /* 1 */ 255, 255, 0, 255, /* NaN in the diverging map's NaN colour */
    ]);
  });
});
