import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltInViews, Commands, ContextKeys, DEBUG_TYPE, ONNX_SUMMARY_VIEW_TYPE, Settings, Views } from '../../../src/host/ids';

/**
 * The contribution ids in src/host/ids.ts against package.json `contributes`, both ways: a renamed command, view,
 * setting or context key must fail here rather than silently stop working in VS Code.
 */

const ROOT = join(__dirname, '..', '..', '..');

interface MenuItem { command: string; when?: string }
type WalkthroughImage = string | Record<string, string>;
interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { image?: WalkthroughImage; altText?: string; markdown?: string; svg?: string };
  completionEvents?: string[];
}
interface Contributes {
  commands: { command: string; title: string }[];
  menus: Record<string, MenuItem[]>;
  breakpoints: { language: string; when?: string }[];
  debuggers: { type: string; languages?: string[] }[];
  viewsContainers: { activitybar: { id: string }[] };
  views: Record<string, { id: string; when?: string }[]>;
  viewsWelcome?: { view: string; when?: string }[];
  configuration: { properties: Record<string, unknown> };
  jsonValidation?: { fileMatch: string | string[]; url: string }[];
  walkthroughs?: { id: string; title: string; description: string; steps: WalkthroughStep[] }[];
}
interface TrustCapability { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] }
interface Manifest {
  contributes: Contributes;
  activationEvents?: string[];
  icon?: string;
  extensionKind?: string[];
  capabilities?: { untrustedWorkspaces?: TrustCapability; virtualWorkspaces?: boolean | { supported: boolean; description?: string } };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
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
    const views = new Set<string>([...Object.values(Views), ...Object.values(BuiltInViews)]);
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

  it('contributes the model.json schema for model.json and *.model.json, from a file that exists', () => {
    const entries = c.jsonValidation ?? [];
    const matches = entries.flatMap((e) => (Array.isArray(e.fileMatch) ? e.fileMatch : [e.fileMatch]));
    expect(matches.sort()).toEqual(['*.model.json', 'model.json']);
    for (const e of entries) expect(existsSync(join(ROOT, e.url)), e.url).toBe(true);
  });

  it('keeps the ids module free of vscode, so this test and the pure core can import it', () => {
    const text = readFileSync(join(ROOT, 'src', 'host', 'ids.ts'), 'utf8');
    expect(text).not.toMatch(/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/);
  });
});

/** Commands of VS Code itself that the walkthrough's buttons run. */
const BUILT_IN_COMMANDS = new Set(['workbench.action.files.openFolder', 'workbench.action.quickOpen', `workbench.view.extension.${Views.container}`]);
/** Context keys of VS Code itself that the walkthrough's steps wait for. */
const BUILT_IN_CONTEXT_KEYS = new Set(['inDebugMode', 'breakpointsExist']);

/** The width and height of a PNG file, from its IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex'), `${file} is not a PNG`).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('package.json: what a new user meets', () => {
  it('has an icon: a square PNG of 128 or 256 pixels', () => {
    expect(pkg.icon).toBe('media/icon.png');
    const file = join(ROOT, pkg.icon!);
    expect(existsSync(file)).toBe(true);
    const { width, height } = pngSize(file);
    expect(width).toBe(height);
    expect([128, 256]).toContain(width);
  });

  it('contributes the Get Started walkthrough, whose steps all have a description and media that exist', () => {
    const walkthroughs = c.walkthroughs ?? [];
    expect(walkthroughs.map((w) => w.id)).toEqual(['gettingStarted']);
    const w = walkthroughs[0];
    expect(w.title).toBe('Step through a neural network');
    expect(w.description.length).toBeGreaterThan(0);
    expect(w.steps.length).toBeGreaterThanOrEqual(5);
    expect(new Set(w.steps.map((s) => s.id)).size).toBe(w.steps.length);
    for (const step of w.steps) {
      expect(step.title.length, step.id).toBeGreaterThan(0);
      expect(step.description.length, step.id).toBeGreaterThan(0);
      const { image, markdown, svg } = step.media;
      const files = [...(typeof image === 'string' ? [image] : Object.values(image ?? {})), markdown, svg].filter((f): f is string => !!f);
      expect(files.length, `${step.id}: media`).toBeGreaterThan(0);
      if (image) expect(step.media.altText, `${step.id}: altText`).toBeTruthy();
      for (const f of files) expect(existsSync(join(ROOT, f)), `${step.id}: ${f}`).toBe(true);
    }
  });

  it('runs only known commands from the walkthrough and waits only for known commands, views and context keys', () => {
    const commands = new Set<string>([...Object.values(Commands), ...BUILT_IN_COMMANDS]);
    const views = new Set<string>(Object.values(Views));
    const keys = new Set<string>([...Object.values(ContextKeys), ...BUILT_IN_CONTEXT_KEYS]);
    const run = new Set<string>();
    for (const step of (c.walkthroughs ?? []).flatMap((w) => w.steps)) {
      // `command:toSide:x` runs x beside the walkthrough; arguments follow a `?`.
      const links = [...step.description.matchAll(/\(command:(?:toSide:)?([\w.-]+)/g)].map((m) => m[1]);
      for (const cmd of links) run.add(cmd);
      for (const cmd of links) expect(commands.has(cmd), `${step.id}: command:${cmd}`).toBe(true);
      for (const event of step.completionEvents ?? []) {
        const [kind, arg] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') expect(commands.has(arg), `${step.id}: ${event}`).toBe(true);
        else if (kind === 'onView') expect(views.has(arg), `${step.id}: ${event}`).toBe(true);
        else if (kind === 'onContext') expect(keys.has(arg), `${step.id}: ${event}`).toBe(true);
        else expect.fail(`${step.id}: unexpected completion event ${event}`);
      }
    }
    expect([...run]).toEqual(expect.arrayContaining([Commands.runModel, Commands.debugModel]));
  });

  it('activates only for model files, never for every JSON file or at start-up', () => {
    const events = pkg.activationEvents ?? [];
    expect(events).not.toContain('*');
    expect(events).not.toContain('onStartupFinished');
    expect(events.filter((e) => e.startsWith('onLanguage:'))).toEqual([]);
    expect(events).toEqual(expect.arrayContaining([
      'workspaceContains:**/model.json',
      'workspaceContains:**/*.model.json',
      'workspaceContains:**/*.onnx',
      `onCustomEditor:${ONNX_SUMMARY_VIEW_TYPE}`,
      `onDebugResolve:${DEBUG_TYPE}`,
      `onView:${Views.model}`,
    ]));
    for (const w of c.walkthroughs ?? []) expect(events).toContain(`onWalkthrough:${w.id}`);
    expect(new Set(events).size).toBe(events.length);
  });

  it('runs in the workspace extension host, next to the files under VS Code Remote', () => {
    expect(pkg.extensionKind).toEqual(['workspace']);
  });

  it('declares what it does in untrusted and in virtual workspaces', () => {
    const trust = pkg.capabilities?.untrustedWorkspaces;
    expect(trust).toBeDefined();
    expect([true, 'limited']).toContain(trust!.supported);
    if (trust!.supported === 'limited') expect(trust!.description, 'a limited extension says what is limited').toBeTruthy();
    for (const key of trust!.restrictedConfigurations ?? []) expect(Object.keys(c.configuration.properties)).toContain(key);
    const virtual = pkg.capabilities?.virtualWorkspaces;
    expect(virtual).toMatchObject({ supported: false });
    expect(typeof virtual === 'object' && virtual.description, 'says why virtual workspaces are not supported').toBeTruthy();
  });
});
