import type { OpDef } from '../registry';

export const normOps: readonly OpDef[] = [];
