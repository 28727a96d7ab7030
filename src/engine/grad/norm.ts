import { EngineError } from '../errors';
import { floatAttr, fmtShape, intAttr, normalizeAxis, prod } from '../kernels/opArgs';
import { Tensor, stridesOf } from '../tensor';
import { gradOutput } from './pool';
import type { GradContext, GradRule } from './types';

/**
 * Vector-Jacobian products of the normalisations (src/engine/kernels/norm.ts, normMore.ts). Statistics are
 * recomputed from x in doubles rather than read back from float32 outputs.
 *
 * The engine's `batchNormalization` op is inference-mode: it normalises with the stored running mean and
 * variance, so y is affine in x and its rule is too. A training step normalises with the batch's own statistics,
 * which makes every x of a channel depend on every other; that gradient is {@link batchNormTrainingGrad}, also
 * the rule of the `batchNormalizationTraining` op (ONNX training_mode = 1).
 */

function need(op: string, name: string, t: Tensor | undefined): Tensor {
  if (!t) throw new EngineError(`the gradient needs the input '${name}'`, op);
  if (t.dtype !== 'float32') throw new EngineError(`input '${name}' must be float32, got ${t.dtype}`, op);
  return t;
}

/** Each channel's parameter checked against x: C values. */
function channelParam(op: string, name: string, t: Tensor | undefined, C: number): Tensor {
  const p = need(op, name, t);
  if (p.size !== C) throw new EngineError(`input '${name}' must have ${C} values (one per channel), got ${fmtShape(p.shape)}`, op);
  return p;
}

/** For each position of a row-major `target` shape, the element of `t` (broadcast one way to it) that it reads. */
function broadcastIndex(op: string, name: string, t: Tensor, target: readonly number[]): Int32Array {
  const lead = target.length - t.rank;
  if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== target[lead + i])) {
    throw new EngineError(`input '${name}' ${fmtShape(t.shape)} must broadcast to the normalised shape ${fmtShape(target)}`, op);
  }
  const tStrides = stridesOf(t.shape);
  const strides = target.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : tStrides[i - lead]));
  const map = new Int32Array(prod(target));
  const idx = new Array<number>(target.length).fill(0);
  for (let j = 0; j < map.length; j++) {
    let off = 0;
    for (let a = 0; a < idx.length; a++) off += idx[a] * strides[a];
    map[j] = off;
    for (let a = idx.length - 1; a >= 0 && ++idx[a] === target[a]; a--) idx[a] = 0;
  }
  return map;
}

/**
 * LayerNormalization over the axes axis..rank−1, per row of D elements with x̂ = (x − μ)·σ⁻¹:
 * ∂x = σ⁻¹ · (g − mean(g) − x̂ · mean(g · x̂)) with g = ∂y · scale; ∂scale = Σ_rows ∂y · x̂ and ∂bias = Σ_rows ∂y,
 * summed onto the parameters' own (broadcast) shapes. Gradients reaching the Mean and InvStdDev outputs are
 * added too: ∂μ/∂x = 1/D and ∂σ⁻¹/∂x = −σ⁻³ (x − μ)/D.
 */
function layerNormGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'layerNormalization';
  const x = need(op, 'x', ctx.inputs[0]);
  const scale = need(op, 'scale', ctx.inputs[1]);
  const bias = ctx.inputs[2] ? need(op, 'bias', ctx.inputs[2]) : undefined;
  if (x.rank < 1) throw new EngineError(`input 'x' must be rank 1 or more, got a scalar`, op);
  const ax = normalizeAxis(op, intAttr(op, ctx.attrs, 'axis', -1), x.rank);
  const epsilon = floatAttr(op, ctx.attrs, 'epsilon', 1e-5);
  const normShape = x.shape.slice(ax);
  const D = prod(normShape);
  const rows = prod(x.shape, 0, ax);
  const statShape = x.shape.map((d, i) => (i < ax ? d : 1));
  const sMap = broadcastIndex(op, 'scale', scale, normShape);
  const bMap = bias ? broadcastIndex(op, 'bias', bias, normShape) : undefined;
  const dy = gradOutput(op, ctx, x.shape);
  const gMean = statGrad(op, ctx, 1, statShape);
  const gInv = statGrad(op, ctx, 2, statShape);
  const xd = x.data as Float32Array;
  const sd = scale.data as Float32Array;
  const dx = new Float32Array(x.size);
  const ds = new Float32Array(scale.size);
  const db = bias ? new Float32Array(bias.size) : undefined;
  const xhat = new Float64Array(D);
  for (let r = 0; r < rows; r++) {
    const base = r * D;
    let sum = 0;
    for (let i = 0; i < D; i++) sum += xd[base + i];
    const mu = sum / D;
    let sq = 0;
    for (let i = 0; i < D; i++) sq += (xd[base + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(sq / D + epsilon);
    let gSum = 0;
    let gxSum = 0;
    for (let i = 0; i < D; i++) {
      xhat[i] = (xd[base + i] - mu) * inv;
      const g = dy[base + i] * sd[sMap[i]];
      gSum += g;
      gxSum += g * xhat[i];
      ds[sMap[i]] += dy[base + i] * xhat[i];
      if (db && bMap) db[bMap[i]] += dy[base + i];
    }
    const meanTerm = gMean ? gMean[r] / D : 0;
    const invTerm = gInv ? (-gInv[r] * inv * inv) / D : 0;
    for (let i = 0; i < D; i++) {
      const g = dy[base + i] * sd[sMap[i]];
      dx[base + i] = inv * (g - gSum / D - xhat[i] * (gxSum / D)) + meanTerm + invTerm * xhat[i];
    }
  }
  const grads: (Tensor | undefined)[] = [new Tensor('float32', x.shape, dx), new Tensor('float32', scale.shape, ds)];
  if (ctx.inputs.length > 2) grads.push(bias && db ? new Tensor('float32', bias.shape, db) : undefined);
  return grads;
}

/** The gradient reaching output `i` (a per-row statistic), or undefined when it does not reach the loss. */
function statGrad(op: string, ctx: GradContext, i: number, shape: readonly number[]): Float32Array | undefined {
  const g = ctx.gradOutputs[i];
  if (!g) return undefined;
  if (g.dtype !== 'float32' || fmtShape(g.shape) !== fmtShape(shape)) {
    throw new EngineError(`the gradient of output ${i} must be float32 ${fmtShape(shape)}, got ${g.dtype} ${fmtShape(g.shape)}`, op);
  }
  return g.data as Float32Array;
}

/**
 * Inference-mode BatchNormalization, y = scale·(x − mean)/√(var + ε) + bias per channel (axis 1):
 * ∂x = ∂y · scale/√(var + ε), ∂scale = Σ ∂y·(x − mean)/√(var + ε), ∂bias = Σ ∂y. The running mean and
 * variance are statistics, not trained weights, so they get no gradient.
 */
function batchNormInferenceGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'batchNormalization';
  const x = need(op, 'x', ctx.inputs[0]);
  if (x.rank < 2) throw new EngineError(`input 'x' must be rank 2 or more ([N, C, ...]), got ${fmtShape(x.shape)}`, op);
  const C = x.shape[1];
  const scale = channelParam(op, 'scale', ctx.inputs[1], C);
  const bias = channelParam(op, 'bias', ctx.inputs[2], C);
  const mean = channelParam(op, 'mean', ctx.inputs[3], C);
  const variance = channelParam(op, 'var', ctx.inputs[4], C);
  const epsilon = floatAttr(op, ctx.attrs, 'epsilon', 1e-5);
  const dy = gradOutput(op, ctx, x.shape);
  const plane = prod(x.shape, 2);
  const dx = new Float32Array(x.size);
  const ds = new Float32Array(C);
  const db = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(variance.data[c] + epsilon);
    const a = scale.data[c] * inv;
    let sx = 0;
    let sb = 0;
    for (let base = c * plane; base < x.size; base += C * plane) {
      for (let i = base; i < base + plane; i++) {
        dx[i] = dy[i] * a;
        sx += dy[i] * (x.data[i] - mean.data[c]) * inv;
        sb += dy[i];
      }
    }
    ds[c] = sx;
    db[c] = sb;
  }
  return [new Tensor('float32', x.shape, dx), new Tensor('float32', scale.shape, ds), new Tensor('float32', bias.shape, db), undefined, undefined];
}

/** The gradients of a training-mode batch normalisation. */
export interface BatchNormTrainingGrads {
  readonly dx: Tensor<'float32'>;
  /** Shaped like `scale`. */
  readonly dScale: Tensor<'float32'>;
  /** One per channel, shaped like `scale`. */
  readonly dBias: Tensor<'float32'>;
}

/**
 * Gradients of batch normalisation with the batch's own statistics (what a training step runs): per channel c of
 * `axis`, over the m elements of all other axes, x̂ = (x − μ_c)/√(σ²_c + ε) with the population variance, and
 * y = scale_c·x̂ + bias_c. Then ∂x = (scale_c/√(σ²_c + ε)) · (∂y − mean(∂y) − x̂ · mean(∂y · x̂)),
 * ∂scale_c = Σ ∂y · x̂ and ∂bias_c = Σ ∂y. The bias does not enter ∂x, so it is not an argument.
 */
export function batchNormTrainingGrad(x: Tensor, scale: Tensor, gradOut: Tensor, epsilon = 1e-5, axis = 1): BatchNormTrainingGrads {
  const op = 'batchNormalization';
  need(op, 'x', x);
  if (x.rank < 1) throw new EngineError(`input 'x' must have a channel axis, got a scalar`, op);
  const ax = normalizeAxis(op, axis, x.rank);
  const C = x.shape[ax];
  channelParam(op, 'scale', scale, C);
  need(op, 'gradOut', gradOut);
  if (fmtShape(gradOut.shape) !== fmtShape(x.shape)) {
    throw new EngineError(`the output gradient must have the shape of 'x' ${fmtShape(x.shape)}, got ${fmtShape(gradOut.shape)}`, op);
  }
  const inner = prod(x.shape, ax + 1);
  const outer = prod(x.shape, 0, ax);
  const m = outer * inner;
  const xd = x.data as Float32Array;
  const dy = gradOut.data as Float32Array;
  const dx = new Float32Array(x.size);
  const ds = new Float32Array(C);
  const db = new Float32Array(C);
  // Every element of channel c: o·C·inner + c·inner + i for o < outer, i < inner.
  const each = (c: number, visit: (i: number) => void): void => {
    for (let o = 0; o < outer; o++) for (let i = (o * C + c) * inner, e = i + inner; i < e; i++) visit(i);
  };
  for (let c = 0; c < C; c++) {
    let sum = 0;
    each(c, (i) => { sum += xd[i]; });
    const mu = m ? sum / m : 0;
    let sq = 0;
    each(c, (i) => { sq += (xd[i] - mu) ** 2; });
    const inv = 1 / Math.sqrt((m ? sq / m : 0) + epsilon);
    let gSum = 0;
    let gxSum = 0;
    each(c, (i) => {
      gSum += dy[i];
      gxSum += dy[i] * (xd[i] - mu) * inv;
    });
    const a = scale.data[c] * inv;
    each(c, (i) => { dx[i] = a * (dy[i] - gSum / m - (xd[i] - mu) * inv * (gxSum / m)); });
    ds[c] = gxSum;
    db[c] = gSum;
  }
  return {
    dx: new Tensor('float32', x.shape, dx),
    dScale: new Tensor('float32', scale.shape, ds),
    dBias: new Tensor('float32', scale.shape, db),
  };
}

/**
 * The `batchNormalizationTraining` op (ONNX training_mode = 1): ∂x, ∂scale and ∂bias through
 * {@link batchNormTrainingGrad}. Its running mean and variance outputs are bookkeeping for inference; a loss
 * that reads them is refused rather than differentiated.
 */
function batchNormTrainingRule(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'batchNormalizationTraining';
  if (ctx.gradOutputs[1] || ctx.gradOutputs[2]) {
    throw new EngineError(`gradients through the running mean and variance outputs are not supported`, op);
  }
  const x = need(op, 'X', ctx.inputs[0]);
  if (x.rank < 2) throw new EngineError(`input 'X' must be rank 2 or more ([N, C, ...]), got ${fmtShape(x.shape)}`, op);
  const scale = channelParam(op, 'scale', ctx.inputs[1], x.shape[1]);
  const bias = channelParam(op, 'B', ctx.inputs[2], x.shape[1]);
  const dy = new Tensor('float32', x.shape, gradOutput(op, ctx, x.shape));
  const g = batchNormTrainingGrad(x, scale, dy, floatAttr(op, ctx.attrs, 'epsilon', 1e-5), 1);
  return [g.dx, g.dScale, new Tensor('float32', bias.shape, g.dBias.data), undefined, undefined];
}

/**
 * InstanceNormalization: each (n, c) plane normalised by its own statistics, then per-channel scale and bias — a
 * training-mode batch normalisation of x seen as [1, N·C, plane] with the scale repeated per batch item, whose
 * scale and bias gradients are then summed over the batch.
 */
function instanceNormGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'instanceNormalization';
  const x = need(op, 'input', ctx.inputs[0]);
  if (x.rank < 3) throw new EngineError(`input 'input' must be rank 3 or more ([N, C, ...spatial]), got ${fmtShape(x.shape)}`, op);
  const [N, C] = x.shape;
  const scale = channelParam(op, 'scale', ctx.inputs[1], C);
  const bias = channelParam(op, 'B', ctx.inputs[2], C);
  const planes = new Tensor('float32', [1, N * C, prod(x.shape, 2)], x.data as Float32Array);
  const repeated = new Float32Array(N * C);
  for (let n = 0; n < N; n++) repeated.set(scale.data as Float32Array, n * C);
  const dy = new Tensor('float32', planes.shape, gradOutput(op, ctx, x.shape));
  const g = batchNormTrainingGrad(planes, new Tensor('float32', [N * C], repeated), dy, floatAttr(op, ctx.attrs, 'epsilon', 1e-5), 1);
  const ds = new Float32Array(C);
  const db = new Float32Array(C);
  for (let i = 0; i < N * C; i++) {
    ds[i % C] += g.dScale.data[i];
    db[i % C] += g.dBias.data[i];
  }
  return [g.dx.reshape(x.shape), new Tensor('float32', scale.shape, ds), new Tensor('float32', bias.shape, db)];
}

/** The normalisation rules, keyed by engine op name. */
export const normGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['layerNormalization', layerNormGrad],
  ['batchNormalization', batchNormInferenceGrad],
  ['batchNormalizationTraining', batchNormTrainingRule],
  ['instanceNormalization', instanceNormGrad],
]);
