import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layering fence of eslint.config.mjs, checked against the real config: the pure core (src/engine, model,
 * loaders, runner, protocol, debug, service) imports no vscode, Node built-ins, host, webview, CLI, Node ports
 * or benchmark code, and uses no Node or browser globals. The probe files do not exist; lintText only needs
 * their paths to pick the config blocks (the config uses no typed linting, so no tsconfig lookup happens).
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const pureCore = ['engine', 'model', 'loaders', 'runner', 'protocol', 'debug', 'service'];

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

interface Lint { errors: number; rules: string[]; messages: string[] }

async function lint(filePath: string, code: string): Promise<Lint> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  const errors = result.messages.filter((m) => m.severity === 2);
  return {
    errors: errors.length,
    rules: errors.map((m) => m.ruleId ?? `fatal: ${m.message}`),
    messages: errors.map((m) => m.message),
  };
}

const readFs = "import { readFile } from 'node:fs';\nexport const read = readFile;\n";

describe('the pure core fence', () => {
  it.each(pureCore)('rejects node:fs in src/%s', async (dir) => {
    const r = await lint(`src/${dir}/_fence_probe.ts`, readFs);
    expect(r.rules).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(r.messages[0]).toMatch(/Node built-ins/);
  });

  it.each(pureCore)('rejects vscode and Buffer in src/%s', async (dir) => {
    const r = await lint(`src/${dir}/sub/_fence_probe.ts`,
      "import * as vscode from 'vscode';\nexport const u = vscode.Uri;\nexport const b = Buffer.from('x');\n");
    expect(r.rules.sort()).toEqual(['@typescript-eslint/no-restricted-imports', 'no-restricted-globals']);
  });

  const file = 'src/service/_fence_probe.ts';

  it.each([
    ['node:fs', readFs, '@typescript-eslint/no-restricted-imports'],
    ['bare fs/promises', "import { readFile } from 'fs/promises';\nexport const r = readFile;\n", '@typescript-eslint/no-restricted-imports'],
    ['bare worker_threads (type only)', "import type { Worker } from 'worker_threads';\nexport type W = Worker;\n", '@typescript-eslint/no-restricted-imports'],
    ['vscode', "import * as vscode from 'vscode';\nexport const u = vscode.Uri;\n", '@typescript-eslint/no-restricted-imports'],
    ['../cli/fileSource', "import { fileSource } from '../cli/fileSource';\nexport const f = fileSource;\n", '@typescript-eslint/no-restricted-imports'],
    ['../cli', "import { main } from '../cli';\nexport const m = main;\n", '@typescript-eslint/no-restricted-imports'],
    ['../node/workerClient', "import { WorkerEngineClient } from '../node/workerClient';\nexport const w = WorkerEngineClient;\n", '@typescript-eslint/no-restricted-imports'],
    ['../host/x', "import { x } from '../host/x';\nexport const y = x;\n", '@typescript-eslint/no-restricted-imports'],
    ['../bench/bench', "export { bench } from '../bench/bench';\n", '@typescript-eslint/no-restricted-imports'],
    ['../../webview/app', "import { start } from '../../webview/app';\nexport const s = start;\n", '@typescript-eslint/no-restricted-imports'],
    ['Buffer.from', "export const b = Buffer.from('abc');\n", 'no-restricted-globals'],
    ['process.env', "export const home = process.env.HOME;\n", 'no-restricted-globals'],
    ['setImmediate', 'export const later = (f: () => void): void => { setImmediate(f); };\n', 'no-restricted-globals'],
    ['__dirname', 'export const here = __dirname;\n', 'no-restricted-globals'],
    ['require', "export const fs = require('fs');\n", 'no-restricted-globals'],
    ['fetch', "export const get = (): Promise<unknown> => fetch('x');\n", 'no-restricted-globals'],
    ['window', 'export const w = window.innerWidth;\n', 'no-restricted-globals'],
    ['document', "export const d = document.createElement('div');\n", 'no-restricted-globals'],
    ['self', 'export const s = self;\n', 'no-restricted-globals'],
    ['postMessage', "export const p = (): void => postMessage('x');\n", 'no-restricted-globals'],
    ['globalThis.process', 'export const env = globalThis.process;\n', 'no-restricted-syntax'],
    ['NodeJS.ErrnoException', 'export type E = NodeJS.ErrnoException;\n', 'no-restricted-syntax'],
    ['NodeJS.Timeout', 'export let t: NodeJS.Timeout | undefined;\n', 'no-restricted-syntax'],
    ['dynamic import', "export const load = (): Promise<unknown> => import('node:fs');\n", 'no-restricted-syntax'],
  ])('rejects %s in the core', async (_name, code, rule) => {
    const r = await lint(file, code);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.rules).toContain(rule);
  });

  it('accepts a clean core file, with the globals both worlds have', async () => {
    const r = await lint(file, [
      "import type { EngineRequest } from '../protocol/engine';",
      "import { Tensor } from '../engine/tensor';",
      "import type { WebviewMessage } from '../protocol/webview';",
      'export type Both = EngineRequest | WebviewMessage;',
      'export const T = Tensor;',
      'export function tick(f: () => void): ReturnType<typeof setTimeout> {',
      '  queueMicrotask(f);',
      "  const bytes = new TextEncoder().encode(btoa('x') + atob('eA=='));",
      '  console.log(new TextDecoder().decode(structuredClone(bytes)), performance.now());',
      '  const t = setTimeout(f, 0);',
      '  clearTimeout(t);',
      '  return t;',
      '}',
      '',
    ].join('\n'));
    expect(r.messages).toEqual([]);
  });

  it.each(['src/node/_fence_probe.ts', 'src/cli/_fence_probe.ts', 'src/host/_fence_probe.ts'])(
    'lets %s import node:fs', async (path) => {
      const r = await lint(path, readFs);
      expect(r.messages).toEqual([]);
    });

  it('lets the CLI and Node ports use process and Buffer', async () => {
    const r = await lint('src/node/_fence_probe.ts', "export const b = Buffer.from(process.env.HOME ?? '');\n");
    expect(r.messages).toEqual([]);
  });
});
