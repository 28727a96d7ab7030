import type { OpDef } from '../registry';

export const reduceOps: readonly OpDef[] = [];
