import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Commands, ContextKeys, DEBUG_TYPE, ONNX_SUMMARY_VIEW_TYPE, Settings, Views } from '../../../src/host/ids';

/**
 * The contribution ids in src/host/ids.ts against package.json `contributes`, both ways: a renamed command, view,
 * setting or context key must fail here rather than silently stop working in VS Code.
 */

const ROOT = join(__dirname, '..', '..', '..');

interface MenuItem { command: string; when?: string }
interface Contributes {
  commands: { command: string; title: string }[];
  menus: Record<string, MenuItem[]>;
  breakpoints: { language: string; when?: string }[];
  debuggers: { type: string; languages?: string[] }[];
  viewsContainers: { activitybar: { id: string }[] };
  views: Record<string, { id: string; when?: string }[]>;
  viewsWelcome?: { view: string; when?: string }[];
  configuration: { properties: Record<string, unknown> };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: Contributes; activationEvents?: string[] };
const c = pkg.contributes;

/** Every `when` clause in the manifest, with where it is. */
function whenClauses(): { where: string; when: string }[] {
  const out: { where: string; when: string }[] = [];
  for (const [menu, items] of Object.entries(c.menus)) for (const i of items) if (i.when) out.push({ where: `menus.${menu} ${i.command}`, when: i.when });
  for (const b of c.breakpoints) if (b.when) out.push({ where: `breakpoints ${b.language}`, when: b.when });
  for (const [container, views] of Object.entries(c.views)) for (const v of views) if (v.when) out.push({ where: `views.${container} ${v.id}`, when: v.when });
  for (const w of c.viewsWelcome ?? []) if (w.when) out.push({ where: `viewsWelcome ${w.view}`, when: w.when });
  return out;
}

/**
 * Our own names in a `when` clause: `layerstep.x` keys; `view == layerstep.model` compares with a view id,
 * `activeCustomEditorId == layerstep.onnxSummary` with a custom editor's view type.
 */
function ownKeys(when: string): { keys: string[]; views: string[]; editors: string[] } {
  const views = [...when.matchAll(/\bview\s*==\s*([\w.-]+)/g)].map((m) => m[1]);
  const editors = [...when.matchAll(/\bactiveCustomEditorId\s*==\s*([\w.-]+)/g)].map((m) => m[1]);
  const stripped = when.replace(/\b(view|activeCustomEditorId)\s*==\s*[\w.-]+/g, '').replace(/\/[^/]*\//g, '');
  const keys = [...stripped.matchAll(/\blayerstep\.[\w.]+/g)].map((m) => m[0]);
  return { keys, views, editors };
}

describe('package.json contributions', () => {
  it('contributes exactly the commands in Commands', () => {
    const contributed = c.commands.map((x) => x.command).sort();
    expect(contributed).toEqual(Object.values(Commands).sort());
    for (const cmd of c.commands) expect(cmd.title.length, cmd.command).toBeGreaterThan(0);
  });

  it('names only known commands in menus', () => {
    const known = new Set<string>(Object.values(Commands));
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) expect(known.has(item.command), `menus.${menu}: ${item.command}`).toBe(true);
    }
  });

  it('contributes the view container and the views in Views, and nothing else', () => {
    expect(c.viewsContainers.activitybar.map((v) => v.id)).toEqual([Views.container]);
    expect(Object.keys(c.views)).toEqual([Views.container]);
    const ids = Object.values(c.views).flat().map((v) => v.id).sort();
    const own = Object.entries(Views).filter(([k]) => k !== 'container').map(([, v]) => v).sort();
    expect(ids).toEqual(own);
    for (const w of c.viewsWelcome ?? []) expect(ids).toContain(w.view);
  });

  it('contributes the debugger type DEBUG_TYPE and activates on it', () => {
    expect(c.debuggers.map((d) => d.type)).toEqual([DEBUG_TYPE]);
    expect(pkg.activationEvents ?? []).toContain(`onDebugResolve:${DEBUG_TYPE}`);
  });

  it('uses in when clauses only the context keys in ContextKeys and the views in Views, and every context key', () => {
    const keys = new Set<string>(Object.values(ContextKeys));
    const views = new Set<string>(Object.values(Views));
    const used = new Set<string>();
    for (const { where, when } of whenClauses()) {
      const own = ownKeys(when);
      for (const k of own.keys) {
        expect(keys.has(k), `${where}: '${k}' in "${when}" is not in ContextKeys`).toBe(true);
        used.add(k);
      }
      for (const v of own.views) expect(views.has(v), `${where}: view '${v}' is not in Views`).toBe(true);
      for (const e of own.editors) expect(e, `${where}: custom editor '${e}'`).toBe(ONNX_SUMMARY_VIEW_TYPE);
    }
    expect([...used].sort()).toEqual([...keys].sort());
  });

  it('gives gutter breakpoints only to JSON files that are models', () => {
    expect(c.breakpoints.length).toBeGreaterThan(0);
    for (const b of c.breakpoints) expect(b.when).toContain(ContextKeys.activeEditorIsModel);
  });

  it('contributes exactly the settings in Settings, under its section', () => {
    const keys = Object.entries(Settings).filter(([k]) => k !== 'section').map(([, v]) => `${Settings.section}.${v}`).sort();
    expect(Object.keys(c.configuration.properties).sort()).toEqual(keys);
  });

  it('keeps the ids module free of vscode, so this test and the pure core can import it', () => {
    const text = readFileSync(join(ROOT, 'src', 'host', 'ids.ts'), 'utf8');
    expect(text).not.toMatch(/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/);
  });
});
