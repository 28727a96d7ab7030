import type { OpDef } from '../registry';

export const padOps: readonly OpDef[] = [];
