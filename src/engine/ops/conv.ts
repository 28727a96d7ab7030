import type { OpDef } from '../registry';

export const convOps: readonly OpDef[] = [];
