// One build script: the CLI, the extension and its engine worker for Node; the panel and the summary editor for the browser.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { buildWasm } from './scripts/build-wasm.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions[]} */
const targets = [
  // The bench's peers load only for `layerstep bench`, and only when installed (devDependencies).
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' },
    external: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node', 'onnxruntime-web'] },
  { entryPoints: ['scripts/train-examples.ts'], outfile: 'dist/train-examples.js', platform: 'node', external: ['@tensorflow/tfjs'] },
  { entryPoints: ['scripts/make-onnx-example.ts'], outfile: 'dist/make-onnx-example.js', platform: 'node', external: ['onnxruntime-node'] },
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', external: ['vscode'] },
  { entryPoints: ['src/node/engineWorker.ts'], outfile: 'dist/engineWorker.js', platform: 'node' },
  // The scripting API (docs/api.md): `require('layerstep/dist/api.js')`.
  { entryPoints: ['src/api.ts'], outfile: 'dist/api.js', platform: 'node' },
  { entryPoints: ['test/e2e/suite/index.ts'], outfile: 'dist/test/suite.js', platform: 'node', external: ['vscode', 'mocha'] },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  // The .onnx summary editor's own small bundle.
  { entryPoints: ['webview/summary/main.ts'], outfile: 'dist/summary.js', platform: 'browser', format: 'iife' },
].filter((t) => existsSync(t.entryPoints[0]));

const common = {
  bundle: true,
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // The end-to-end suite's hooks (src/host/testHooks.ts) exist only in the development build.
  define: { LAYERSTEP_TEST_HOOKS: production ? 'false' : 'true' },
  logLevel: 'warning',
  // Prefer packages' ES module builds: jsonc-parser's UMD `main` hides its requires from the bundler.
  mainFields: ['module', 'main'],
};

// The WebAssembly kernels first: the engine imports their generated module.
await buildWasm();

if (watch) {
  for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
  console.log('esbuild: watching', targets.map((t) => t.outfile).join(', '));
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
}
