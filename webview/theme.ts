import type { Palette, Rgb } from './colors';
import { parseColor } from './colors';

/**
 * The theme as the canvases need it: colours of `--vscode-*` variables, resolved through a hidden probe
 * element (so any CSS colour syntax works), and the workbench font. Read again when the theme changes.
 */
export interface Theme {
  readonly palette: Palette;
  /** Text colours for canvas labels. */
  readonly text: string;
  readonly muted: string;
  /** Canvas font, e.g. `11px "Segoe WPC", sans-serif`. */
  readonly font: string;
}

const VARS: Readonly<Record<keyof Palette, string>> = {
  background: '--vscode-editor-background',
  foreground: '--vscode-editor-foreground',
  blue: '--vscode-charts-blue',
  red: '--vscode-charts-red',
  yellow: '--vscode-charts-yellow',
  green: '--vscode-charts-green',
  orange: '--vscode-charts-orange',
  purple: '--vscode-charts-purple',
};

/** Used only when a variable is missing (outside VS Code, in a test page). */
const FALLBACK: Readonly<Record<keyof Palette, Rgb>> = {
  background: [30, 30, 30], foreground: [204, 204, 204], blue: [55, 148, 255], red: [241, 76, 76],
  yellow: [204, 167, 0], green: [137, 209, 133], orange: [209, 134, 22], purple: [179, 128, 255],
};

export function readTheme(): Theme {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  const resolve = (cssVar: string): Rgb | undefined => {
    probe.style.color = '';
    probe.style.color = `var(${cssVar})`;
    return parseColor(getComputedStyle(probe).color);
  };
  const root = getComputedStyle(document.documentElement);
  const palette = Object.fromEntries(
    (Object.keys(VARS) as (keyof Palette)[]).map((k) => [k, root.getPropertyValue(VARS[k]).trim() ? resolve(VARS[k]) ?? FALLBACK[k] : FALLBACK[k]]),
  ) as unknown as Palette;
  probe.remove();
  const body = getComputedStyle(document.body);
  const muted = root.getPropertyValue('--vscode-descriptionForeground').trim() || body.color;
  return {
    palette,
    text: body.color,
    muted,
    font: `11px ${root.getPropertyValue('--vscode-font-family').trim() || body.fontFamily || 'sans-serif'}`,
  };
}
