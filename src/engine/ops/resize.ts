import type { OpDef } from '../registry';

export const resizeOps: readonly OpDef[] = [];
