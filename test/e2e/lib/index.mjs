// The end-to-end harness in one import: code-server, Playwright, workbench helpers, reporting.
export * from './paths.mjs';
export * from './codeServer.mjs';
export * from './browser.mjs';
export * from './workbench.mjs';
export * from './report.mjs';
