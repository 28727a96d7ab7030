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
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', plugins: [graphWorker()] },
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

/**
 * The graph's layout worker (webview/graph/worker.ts), bundled on its own and inlined into the panel's bundle as
 * the text of the module `layerstep:graph-worker`: the panel starts it from a Blob URL, which its Content Security
 * Policy allows (`worker-src blob:`), where a worker script loaded from the extension's files would not be.
 */
function graphWorker() {
  return {
    name: 'graph-worker',
    setup(build) {
      build.onResolve({ filter: /^layerstep:graph-worker$/ }, (a) => ({ path: a.path, namespace: 'graph-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'graph-worker' }, async () => {
        const r = await esbuild.build({
          entryPoints: ['webview/graph/worker.ts'], bundle: true, write: false, metafile: true, format: 'iife', platform: 'browser',
          target: 'es2022', minify: production, mainFields: ['module', 'main'], logLevel: 'warning',
        });
        return { contents: `export const workerSource = ${JSON.stringify(r.outputFiles[0].text)};`, loader: 'js', watchFiles: Object.keys(r.metafile.inputs) };
      });
    },
  };
}

// The WebAssembly kernels first: the engine imports their generated module.
await buildWasm();

if (watch) {
  for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
  console.log('esbuild: watching', targets.map((t) => t.outfile).join(', '));
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
}
