import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Folders that make up the pure core: no VS Code, no Node built-ins, no DOM, no host, CLI, Node ports or
 * benchmark code. Everything they need from the outside world comes in through a port (ModelSource, the
 * engine service protocol). test/unit/lint/fence.test.ts checks this fence.
 */
const pureCoreDirs = ['engine', 'model', 'loaders', 'runner', 'protocol', 'debug', 'service'];
const pureCore = pureCoreDirs.map((d) => `src/${d}/**/*.ts`);

/** Node built-ins the pure core may not import, with or without `node:` (subpaths such as fs/promises too). */
const nodeBuiltins = [
  'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'events', 'stream', 'url', 'http',
  'https', 'net', 'zlib', 'buffer', 'process', 'timers', 'perf_hooks', 'module', 'v8', 'vm', 'assert', 'readline',
  'tty', 'dns', 'cluster', 'querystring', 'string_decoder', 'http2', 'inspector', 'async_hooks', 'dgram',
  'diagnostics_channel', 'tls', 'trace_events', 'wasi', 'worker', 'punycode', 'domain', 'constants', 'sys',
];
const nodeBuiltinImport = `^(node:.*|(${nodeBuiltins.join('|')})(/.*)?)$`;

/**
 * Relative imports of the layers around the core: `../host/x`, `../../cli/fileSource`, `../node/workerClient`,
 * `../bench/bench`, `../../webview/app`, and `../cli` (src/cli.ts) itself. Only a folder reached straight up
 * from the importing file counts, so `../protocol/webview` (the panel's message types, part of the core) stays
 * allowed; no core folder has a subfolder of one of these names.
 */
const outerLayerImport = '^(\\.\\./)+(host|webview|cli|node|bench)(/.*)?$';

/** Shared by every file: no-restricted-syntax is replaced, not merged, when a later block sets it. */
const noDefaultExport = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' };

const noNodeGlobal = 'is a Node global; the pure core takes side effects through a port (src/node, src/host or src/cli implement it).';
const noBrowserGlobal = 'is a browser global; the pure core runs in Node and in the browser alike.';
const restrictedGlobals = [
  ...['Buffer', 'process', 'setImmediate', 'clearImmediate', '__dirname', '__filename', 'require', 'module',
    'exports', 'global'].map((name) => ({ name, message: `${name} ${noNodeGlobal}` })),
  ...['fetch', 'navigator', 'window', 'document', 'self', 'location', 'XMLHttpRequest', 'localStorage',
    'sessionStorage', 'indexedDB', 'Worker', 'postMessage', 'importScripts', 'addEventListener',
    'removeEventListener', 'requestAnimationFrame', 'cancelAnimationFrame', 'WebSocket', 'alert']
    .map((name) => ({ name, message: `${name} ${noBrowserGlobal}` })),
];

export default tseslint.config(
  // wasm/ is AssemblyScript (its own compiler checks it); the generated module is base64.
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'examples/**', 'media/**', 'wasm/**', 'src/engine/wasm/kernels.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noDefaultExport],
    },
  },
  // Plain-JavaScript Node scripts (the end-to-end harness, build scripts).
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: pureCore,
    languageOptions: { globals: {} },
    rules: {
      // The typescript-eslint version also sees `import x = require('…')`; type-only imports are banned too.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode', 'vscode/**'], message: 'The pure core never imports vscode; put VS Code glue in src/host.' },
          { regex: nodeBuiltinImport, caseSensitive: true,
            message: 'The pure core never imports Node built-ins; take side effects through a port (implemented in src/node, src/host or src/cli).' },
          { regex: outerLayerImport, caseSensitive: true,
            message: 'The pure core never imports src/host, the webview, src/cli, src/node or src/bench; they depend on the core, not the other way round.' },
        ],
      }],
      // typescript-eslint turns no-undef off for TypeScript, so an empty `globals` alone does not fence them.
      'no-restricted-globals': ['error', ...restrictedGlobals],
      'no-restricted-syntax': ['error',
        noDefaultExport,
        { selector: 'TSQualifiedName[left.name="NodeJS"]', message: 'NodeJS.* is a Node type; the pure core uses portable types (e.g. ReturnType<typeof setTimeout>, Error & { code?: string }).' },
        { selector: 'MemberExpression[object.name="globalThis"][property.name=/^(Buffer|process|setImmediate|clearImmediate|require|module|global|fetch|navigator|window|document|self|location|XMLHttpRequest|localStorage|Worker|postMessage)$/]',
          message: 'No Node or browser globals in the pure core, not through globalThis either.' },
        { selector: 'ImportExpression', message: 'No dynamic import() in the pure core; import statically or take the dependency through a port.' },
        { selector: 'TSImportType', message: 'No import("…") types in the pure core; use `import type`.' },
      ],
    },
  },
  {
    // The panel runs in a browser sandbox: it talks to the host only through src/protocol.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'The webview cannot import vscode; post a message through src/protocol/webview.ts.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'The webview runs in a browser.' },
          { group: ['**/src/host/**', '**/src/debug/**', '**/src/runner/**', '**/src/loaders/**'], message: 'The webview only shares src/protocol (and pure engine formatting) with the host.' },
        ],
      }],
    },
  },
);
