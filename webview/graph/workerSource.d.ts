/** The layout worker's bundled source (webview/graph/worker.ts), inlined by esbuild.mjs's `graph-worker` plugin. */
declare module 'layerstep:graph-worker' {
  export const workerSource: string;
}
