import { formatNumber } from '../engine/stats';
import type { TensorStats } from '../engine/stats';
import type { NodeDef } from '../model/ir';

/** NaN / Inf counts of a value as `NaN×3 Inf×1`, or '' when it is all finite. */
export function badCounts(s: TensorStats): string {
  const parts: string[] = [];
  if (s.nan) parts.push(`NaN×${formatNumber(s.nan)}`);
  if (s.posInf + s.negInf) parts.push(`Inf×${formatNumber(s.posInf + s.negInf)}`);
  return parts.join(' ');
}

const isBad = (s: TensorStats): boolean => s.nan + s.posInf + s.negInf > 0;

/**
 * Finds where a NaN or Inf enters the forward pass. Every value known to hold one is "bad"; a node with a
 * bad input only passes it on. A node whose outputs hold NaN/Inf while none of its inputs is bad is the
 * origin, and is reported once. Weights and model inputs are not bad until reported: a NaN *weight*
 * is reported at the first op whose output it spoils, and that report names the weight.
 */
export class NanWatch {
  private readonly bad = new Set<string>();

  constructor(
    /** Statistics of a weight or model input, or undefined for any other name. */
    private readonly source: (name: string) => { readonly kind: 'weight' | 'input'; readonly stats: TensorStats } | undefined,
  ) {}

  /** Called once per node, when it first runs. Returns a description when the node is an origin. */
  onNodeRun(node: NodeDef, outputs: readonly { readonly name: string; readonly stats: TensorStats }[]): string | undefined {
    // The statistics recording took: no second pass over the outputs.
    const spoiled = outputs.filter((o) => isBad(o.stats));
    if (spoiled.length === 0) return undefined;
    for (const o of spoiled) this.bad.add(o.name);
    const inputs = node.inputs.filter((n) => n !== '');
    if (inputs.some((n) => this.bad.has(n))) return undefined;
    const where = spoiled.map((o) => `${badCounts(o.stats)} in '${o.name}'`).join(', ');
    const sources: string[] = [];
    for (const name of inputs) {
      const s = this.source(name);
      if (s && isBad(s.stats)) {
        this.bad.add(name);
        sources.push(`${s.kind} '${name}' holds ${badCounts(s.stats)}`);
      }
    }
    const why = sources.length ? `: ${sources.join(', ')}` : ' from finite inputs';
    return `op ${node.op} (${node.id}) produced ${where}${why}`;
  }

  isBad(name: string): boolean {
    return this.bad.has(name);
  }
}
