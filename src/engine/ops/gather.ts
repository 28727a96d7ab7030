import type { OpDef } from '../registry';

export const gatherOps: readonly OpDef[] = [];
