import type { OpDef } from '../registry';

export const softmaxOps: readonly OpDef[] = [];
