import type { OpDef } from '../registry';

export const elementwiseOps: readonly OpDef[] = [];
