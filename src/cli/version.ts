import { version } from '../../package.json';

/** The package version, bundled into the CLI at build time. */
export const VERSION: string = version;
