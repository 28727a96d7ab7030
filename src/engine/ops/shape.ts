import type { OpDef } from '../registry';

export const shapeOps: readonly OpDef[] = [];
