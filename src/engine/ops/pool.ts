import type { OpDef } from '../registry';

export const poolOps: readonly OpDef[] = [];
