import type { OpDef } from '../registry';

export const activationsOps: readonly OpDef[] = [];
