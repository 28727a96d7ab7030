import type { DebugProtocol } from '@vscode/debugprotocol';
import { formatNumber, formatSummary, tensorStats } from '../engine/stats';
import { Tensor } from '../engine/tensor';
import type { EngineClient, TensorSummary } from '../protocol/engine';

/**
 * A variables reference: a scope of a frame, or a slice of a tensor (elements from `offset` with `shape`). A slice's
 * `path` is an expression that reads it (`weights.kernel[3]`), or '' when the tensor has none.
 */
export type VarRef =
  | { readonly kind: 'scope'; readonly frameId: number; readonly scope: 'inputs' | 'outputs' | 'weights' | 'attrs' | 'divergence'; readonly counterpart?: boolean }
  | {
    readonly kind: 'slice'; readonly tensor: string; readonly dtype: TensorSummary['dtype']; readonly shape: readonly number[]; readonly offset: number; readonly path: string;
    /** The frame whose scope the tensor came from: Set Value assigns to `path` there. */
    readonly frameId?: number;
  };

/**
 * The context value of a tensor (or a slice of one) in VARIABLES (VS Code's `__vscodeVariableMenuContext`, read in
 * menus as `debugProtocolVariableMenuContext`): it shows Save Tensor As… on tensors, not on their elements.
 */
export const TENSOR_MENU_CONTEXT = 'layerstepTensor';

/** A DAP variable with VS Code's menu context. */
type MenuVariable = DebugProtocol.Variable & { __vscodeVariableMenuContext?: string };

/** Elements fetched at most to summarise one child slice; larger children show their shape only. */
const MAX_CHILD_SUMMARY = 1 << 16;

/** Hands out integer references for {@link VarRef}s; cleared whenever the debuggee moves. */
export class VarRefs {
  private next = 1;
  private readonly map = new Map<number, VarRef>();

  add(ref: VarRef): number {
    const id = this.next++;
    this.map.set(id, ref);
    return id;
  }

  get(id: number): VarRef | undefined {
    return this.map.get(id);
  }

  clear(): void {
    this.map.clear();
  }
}

/** The DAP variable for a whole tensor: its summary as the value, its first axis as lazy, paged children. */
export function tensorVariable(refs: VarRefs, t: TensorSummary, evaluateName?: string, frameId?: number): MenuVariable {
  const expandable = t.shape.length > 0 && t.shape.reduce((a, b) => a * b, 1) > 1;
  const ref = expandable ? refs.add({ kind: 'slice', tensor: t.name, dtype: t.dtype, shape: t.shape, offset: 0, path: evaluateName ?? '', frameId }) : 0;
  return {
    name: t.label,
    value: t.edited ? `✎ edited · ${t.summary}` : t.summary,
    type: `${t.dtype}[${t.shape.join(',')}]`,
    variablesReference: ref,
    indexedVariables: expandable ? t.shape[0] : undefined,
    evaluateName,
    __vscodeVariableMenuContext: TENSOR_MENU_CONTEXT,
  };
}

/** Children of a tensor slice along its first axis, from `start`, `count` of them (VS Code pages large axes). */
export async function sliceChildren(
  refs: VarRefs, client: EngineClient, ref: Extract<VarRef, { kind: 'slice' }>, start = 0, count?: number,
): Promise<MenuVariable[]> {
  const [n, ...rest] = ref.shape;
  const from = Math.max(0, Math.min(start, n));
  const to = Math.min(n, from + (count ?? n));
  const inner = rest.reduce((a, b) => a * b, 1);
  const vars: MenuVariable[] = [];
  if (rest.length === 0) {
    const got = await client.request('tensor', { name: ref.tensor, start: ref.offset + from, count: to - from });
    for (let i = from; i < to; i++) {
      vars.push({ name: `[${i}]`, value: formatNumber(Number(got.values[i - from])), variablesReference: 0, evaluateName: childPath(ref.path, i) });
    }
    return vars;
  }
  for (let i = from; i < to; i++) {
    const offset = ref.offset + i * inner;
    const path = childPath(ref.path, i) ?? '';
    let value = `${ref.dtype}[${rest.join(',')}]`;
    if (inner <= MAX_CHILD_SUMMARY) {
      const got = await client.request('tensor', { name: ref.tensor, start: offset, count: inner });
      const t = new Tensor(got.dtype, rest, got.values as never);
      value = formatSummary(t, tensorStats(t));
    }
    const child = refs.add({ kind: 'slice', tensor: ref.tensor, dtype: ref.dtype, shape: rest, offset, path, frameId: ref.frameId });
    vars.push({ name: `[${i}]`, value, variablesReference: child, indexedVariables: rest[0], evaluateName: path || undefined,
      // A slice is saved by its expression: one of the compared run's has none, so it has no Save.
      __vscodeVariableMenuContext: path ? TENSOR_MENU_CONTEXT : undefined });
  }
  return vars;
}

/** `x[0]` for element 0 of the slice read by `x`; undefined when the slice has no expression. */
function childPath(path: string, i: number): string | undefined {
  return path ? `${path}[${i}]` : undefined;
}
