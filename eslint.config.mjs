import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folders that make up the pure core: no VS Code, no Node built-ins, no DOM. */
const pureCore = ['engine', 'model', 'loaders', 'runner', 'protocol', 'debug'].map((d) => `src/${d}/**/*.ts`);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'examples/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  // Plain-JavaScript Node scripts (the end-to-end harness, build scripts).
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: pureCore,
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'The pure core never imports vscode; put VS Code glue in src/host.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'events', 'stream', 'url', 'http', 'https', 'net'],
            message: 'The pure core never imports Node built-ins; take side effects through a port.' },
          { group: ['**/host/**', '**/webview/**'], message: 'The pure core never imports the host or the webview.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'window', message: 'No DOM in the pure core.' },
        { name: 'document', message: 'No DOM in the pure core.' },
        { name: 'require', message: 'Use imports.' },
        { name: 'process', message: 'No process globals in the pure core; take them through a port.' },
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
