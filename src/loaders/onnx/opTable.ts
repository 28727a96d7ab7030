import type { Lower } from './lowering';
import {
  batchNormalization, cast, dropout, elementwise, legacyResize, maxPool, resize, same, softmaxLike, split, variadicMinMax,
} from './opRules';

/**
 * ONNX op type (default domain) → its engine form. Most ops map one to one with their attributes camelCased
 * (docs/ops.md); ./opRules holds those that depend on the opset or on how the node is used. Constant, If and Loop
 * never reach this table: the graph reader folds and expands them. An op missing here still opens, as an
 * `unsupported:<Type>` node (docs/onnx.md).
 */
const ONE_TO_ONE: Readonly<Record<string, string>> = {
  // activations and elementwise math
  Sqrt: 'sqrt', Exp: 'exp', Log: 'log', Neg: 'neg', Abs: 'abs', Reciprocal: 'reciprocal', Erf: 'erf', Floor: 'floor',
  Ceil: 'ceil', Identity: 'identity', Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softplus: 'softplus',
  Softsign: 'softsign', LeakyRelu: 'leakyRelu', Elu: 'elu', Selu: 'selu', Gelu: 'gelu', HardSigmoid: 'hardSigmoid',
  Clip: 'clip', Sign: 'sign', Round: 'round', Sin: 'sin', Cos: 'cos', Tan: 'tan', Asin: 'asin', Acos: 'acos',
  Atan: 'atan', Sinh: 'sinh', Cosh: 'cosh', Asinh: 'asinh', Acosh: 'acosh', Atanh: 'atanh', HardSwish: 'hardSwish',
  Mish: 'mish', Celu: 'celu', ThresholdedRelu: 'thresholdedRelu', PRelu: 'prelu', Mod: 'mod',
  // products, convolution, pooling, normalisation
  MatMul: 'matmul', Conv: 'conv', ConvTranspose: 'convTranspose', AveragePool: 'averagePool',
  GlobalAveragePool: 'globalAveragePool', GlobalMaxPool: 'globalMaxPool', LayerNormalization: 'layerNormalization',
  InstanceNormalization: 'instanceNormalization',
  // shapes and indexing
  Flatten: 'flatten', Reshape: 'reshape', Transpose: 'transpose', Concat: 'concat', Slice: 'slice', Gather: 'gather',
  Squeeze: 'squeeze', Unsqueeze: 'unsqueeze', Shape: 'shape', Size: 'size', Expand: 'expand', Pad: 'pad', Tile: 'tile',
  ConstantOfShape: 'constantOfShape', Range: 'range', CastLike: 'castLike', CumSum: 'cumSum', Trilu: 'trilu',
  // reductions and selection
  ReduceMean: 'reduceMean', ReduceSum: 'reduceSum', ReduceMax: 'reduceMax', ReduceMin: 'reduceMin',
  ReduceL1: 'reduceL1', ReduceL2: 'reduceL2', ReduceSumSquare: 'reduceSumSquare', ReduceProd: 'reduceProd',
  ReduceLogSum: 'reduceLogSum', ReduceLogSumExp: 'reduceLogSumExp', ArgMax: 'argMax', ArgMin: 'argMin', TopK: 'topK',
  // logic
  Equal: 'equal', Greater: 'greater', GreaterOrEqual: 'greaterOrEqual', Less: 'less', LessOrEqual: 'lessOrEqual',
  Not: 'not', And: 'and', Or: 'or', Xor: 'xor', Where: 'where', IsNaN: 'isNaN', IsInf: 'isInf',
  // variadic
  Sum: 'sum', Mean: 'mean',
  // recurrent
  LSTM: 'lstm', GRU: 'gru', RNN: 'rnn',
};

const RULES: Readonly<Record<string, Lower>> = {
  Add: elementwise('add'), Sub: elementwise('sub'), Mul: elementwise('mul'), Div: elementwise('div'), Pow: elementwise('pow'),
  Gemm: same('gemm', ['broadcast']),
  Max: variadicMinMax('max'), Min: variadicMinMax('min'),
  Softmax: softmaxLike('softmax'), LogSoftmax: softmaxLike('logSoftmax'),
  Cast: cast, Split: split, Resize: resize, Upsample: legacyResize, Dropout: dropout,
  BatchNormalization: batchNormalization, MaxPool: maxPool,
};

/** The lowering of a default-domain op type, or undefined when the engine has no form of it. */
export function lowering(opType: string): Lower | undefined {
  const rule = RULES[opType];
  if (rule) return rule;
  const op = ONE_TO_ONE[opType];
  return op ? same(op) : undefined;
}

/** Every ONNX op type the table maps, sorted (for docs and tests), plus Constant, If and Loop which the graph reader handles. */
export function supportedOnnxOps(): string[] {
  return [...Object.keys(ONE_TO_ONE), ...Object.keys(RULES), 'Constant', 'If', 'Loop'].sort();
}
