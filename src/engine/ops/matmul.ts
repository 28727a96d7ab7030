import type { OpDef } from '../registry';

export const matmulOps: readonly OpDef[] = [];
