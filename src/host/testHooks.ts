/**
 * Whether this build carries the hooks the end-to-end suite reads (the sidebar's provider returned by
 * `activate`, the panel's last render timings). esbuild defines `LAYERSTEP_TEST_HOOKS`: true in the
 * development build the tests run, false in the packaged extension, whose minifier then drops the hooks.
 */
declare const LAYERSTEP_TEST_HOOKS: boolean | undefined;

export const TEST_HOOKS: boolean = typeof LAYERSTEP_TEST_HOOKS === 'boolean' ? LAYERSTEP_TEST_HOOKS : false;
