import * as tf from '@tensorflow/tfjs';
import { fromTf, ref } from './convert';
import { trainLoop } from './fit';
import { nativeModel } from './model';
import { Rng } from './rng';
import type { TrainedExample } from './types';

const VOCAB = 10;
const SEQ = 8;
const DIM = 16;
const HEADS = 2;
const KEY_DIM = 8;
const HIDDEN = 32;
const EPSILON = 1e-5;
const TRAIN = 3000;
const EPOCHS = 6;
const LABELS = ['no 3 before a 5', '3 before a 5'];

/** The toy task: is there a token 3 somewhere before a token 5? Order matters, so attention and positions must. */
function threeBeforeFive(seq: readonly number[]): number {
  const first3 = seq.indexOf(3);
  return first3 >= 0 && seq.lastIndexOf(5) > first3 ? 1 : 0;
}

/** Sequences over 0..9: most hold one 3 and one 5 in random order (the hard cases), the rest only one of them. */
function sequences(n: number, rng: Rng): { seqs: number[][]; labels: number[] } {
  const others = [0, 1, 2, 4, 6, 7, 8, 9];
  const seqs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: SEQ }, () => others[rng.int(others.length)]);
    const pos = rng.permutation(SEQ);
    const kind = rng.next();
    if (kind < 0.7) {
      s[pos[0]] = 3;
      s[pos[1]] = 5;
    } else {
      s[pos[0]] = kind < 0.85 ? 3 : 5;
    }
    if (rng.next() < 0.15) s[pos[2]] = rng.next() < 0.5 ? 3 : 5;
    seqs.push(s);
  }
  return { seqs, labels: seqs.map(threeBeforeFive) };
}

/** The parameters, by their key in weights.safetensors. */
function initParams(rng: Rng): Record<string, tf.Variable> {
  const normal = (shape: number[], std: number) =>
    tf.variable(tf.tensor(Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => std * rng.normal()), shape));
  const glorot = (fanIn: number, fanOut: number) => normal([fanIn, fanOut], Math.sqrt(2 / (fanIn + fanOut)));
  const fill = (n: number, v: number) => tf.variable(tf.fill([n], v));
  return {
    'embed.embeddings': normal([VOCAB, DIM], 0.5),
    'position.value': normal([SEQ, DIM], 0.5),
    'attention/norm.gamma': fill(DIM, 1),
    'attention/norm.beta': fill(DIM, 0),
    'attention/attn.query': glorot(DIM, HEADS * KEY_DIM),
    'attention/attn.key': glorot(DIM, HEADS * KEY_DIM),
    'attention/attn.value': glorot(DIM, HEADS * KEY_DIM),
    'attention/attn.output': glorot(HEADS * KEY_DIM, DIM),
    'attention/attn.queryBias': fill(HEADS * KEY_DIM, 0),
    'attention/attn.keyBias': fill(HEADS * KEY_DIM, 0),
    'attention/attn.valueBias': fill(HEADS * KEY_DIM, 0),
    'attention/attn.outputBias': fill(DIM, 0),
    'feedForward/norm.gamma': fill(DIM, 1),
    'feedForward/norm.beta': fill(DIM, 0),
    'feedForward/up.kernel': glorot(DIM, HIDDEN),
    'feedForward/up.bias': fill(HIDDEN, 0),
    'feedForward/down.kernel': glorot(HIDDEN, DIM),
    'feedForward/down.bias': fill(DIM, 0),
    'classifier.kernel': glorot(DIM, 2),
    'classifier.bias': fill(2, 0),
  };
}

/** [B, T, in] · [in, out] + [out]. */
function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [b, t, d] = x.shape;
  return x.reshape([b * t, d]).matMul(kernel as tf.Tensor2D).add(bias).reshape([b, t, kernel.shape[1] as number]);
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(EPSILON).sqrt()).mul(gamma).add(beta);
}

/** gelu with the exact erf form (the native `gelu` default, approximate = none). */
function gelu(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.erf(x.div(Math.SQRT2)).add(1));
}

/** Self-attention, heads split from the projection's columns: head h owns columns h·keyDim..(h+1)·keyDim. */
function attention(x: tf.Tensor, p: Record<string, tf.Tensor>): tf.Tensor {
  const [b, t] = x.shape;
  const heads = (y: tf.Tensor) => y.reshape([b, t, HEADS, KEY_DIM]).transpose([0, 2, 1, 3]);
  const q = heads(dense(x, p['attention/attn.query'], p['attention/attn.queryBias']));
  const k = heads(dense(x, p['attention/attn.key'], p['attention/attn.keyBias']));
  const v = heads(dense(x, p['attention/attn.value'], p['attention/attn.valueBias']));
  const weights = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(KEY_DIM)));
  const mixed = tf.matMul(weights, v).transpose([0, 2, 1, 3]).reshape([b, t, HEADS * KEY_DIM]);
  return dense(mixed, p['attention/attn.output'], p['attention/attn.outputBias']);
}

/** Logits [B, 2] for token ids [B, T]. */
function forward(tokens: tf.Tensor, p: Record<string, tf.Tensor>): tf.Tensor {
  let h = tf.gather(p['embed.embeddings'], tokens).add(p['position.value']);
  h = h.add(attention(layerNorm(h, p['attention/norm.gamma'], p['attention/norm.beta']), p));
  const n = layerNorm(h, p['feedForward/norm.gamma'], p['feedForward/norm.beta']);
  h = h.add(dense(gelu(dense(n, p['feedForward/up.kernel'], p['feedForward/up.bias'])), p['feedForward/down.kernel'], p['feedForward/down.bias']));
  return h.mean(1).matMul(p['classifier.kernel'] as tf.Tensor2D).add(p['classifier.bias']);
}

function accuracyOf(params: Record<string, tf.Tensor>, seqs: number[][], labels: number[]): number {
  return tf.tidy(() => {
    const pred = forward(tf.tensor2d(seqs, undefined, 'int32'), params).argMax(-1).dataSync();
    return labels.filter((l, i) => pred[i] === l).length / labels.length;
  });
}

/**
 * A one-block pre-norm transformer encoder, written with tfjs ops (tfjs-layers has no attention layer) and
 * trained on "is there a 3 before a 5". The parameters map one to one onto the native layers' weights.
 */
export async function trainTinyTransformer(): Promise<TrainedExample> {
  const rng = new Rng(505);
  const train = sequences(TRAIN, rng);
  const test = sequences(1000, new Rng(506));
  const params = initParams(rng);
  const loss = trainLoop({
    count: train.seqs.length, batchSize: 64, epochs: EPOCHS, rng, optimizer: tf.train.adam(0.01),
    loss: (idx) => tf.losses.softmaxCrossEntropy(
      tf.oneHot(idx.map((i) => train.labels[i]), 2),
      forward(tf.tensor2d(idx.map((i) => train.seqs[i]), undefined, 'int32'), params),
    ) as tf.Scalar,
  });
  const acc = accuracyOf(params, test.seqs, test.labels);

  const exampleSeqs: { name: string; data: number[] }[] = [
    { name: '3 then 5', data: [1, 3, 7, 0, 8, 5, 2, 6] },
    { name: '5 then 3', data: [4, 5, 1, 9, 3, 0, 2, 7] },
    { name: 'only a 3', data: [6, 2, 8, 3, 1, 9, 0, 4] },
    { name: '5, 3, 5', data: [0, 5, 8, 3, 2, 7, 5, 1] },
    { name: 'neither (unlike training)', data: [0, 1, 2, 4, 6, 7, 8, 9] },
  ];
  const probs = tf.tidy(() => tf.softmax(forward(tf.tensor2d(exampleSeqs.map((e) => e.data), undefined, 'int32'), params)).arraySync()) as number[][];

  const weights = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, fromTf(v)]));
  const w = (key: string) => ref(key, weights[key]);
  const norm = (block: string) => ({ name: 'norm', type: 'layerNorm', epsilon: EPSILON, weights: { gamma: w(`${block}/norm.gamma`), beta: w(`${block}/norm.beta`) } });
  const attn = (role: string) => w(`attention/attn.${role}`);
  const result = `held-out accuracy ${(acc * 100).toFixed(1)}% (1000 sequences)`;
  const model = nativeModel({
    name: 'tiny-transformer',
    description: 'One pre-norm transformer encoder block over 8 tokens (ids 0 to 9), trained to answer: does a 3 come before a 5?',
    input: { name: 'tokens', shape: [1, SEQ], dtype: 'int32' },
    output: 'probs',
    weightsFile: true,
    layers: [
      { name: 'embed', type: 'embedding', inputDim: VOCAB, outputDim: DIM, weights: { embeddings: w('embed.embeddings') } },
      { name: 'position', type: 'add', weights: { value: w('position.value') } },
      {
        name: 'attention', type: 'residual', layers: [
          norm('attention'),
          {
            name: 'attn', type: 'multiHeadAttention', numHeads: HEADS, keyDim: KEY_DIM, weights: {
              query: attn('query'), key: attn('key'), value: attn('value'), output: attn('output'),
              queryBias: attn('queryBias'), keyBias: attn('keyBias'), valueBias: attn('valueBias'), outputBias: attn('outputBias'),
            },
          },
        ],
      },
      {
        name: 'feedForward', type: 'residual', layers: [
          norm('feedForward'),
          { name: 'up', type: 'dense', units: HIDDEN, activation: 'gelu', weights: { kernel: w('feedForward/up.kernel'), bias: w('feedForward/up.bias') } },
          { name: 'down', type: 'dense', units: DIM, weights: { kernel: w('feedForward/down.kernel'), bias: w('feedForward/down.bias') } },
        ],
      },
      { name: 'mean', type: 'reduceMean', axes: [1], keepDims: false },
      { name: 'classifier', type: 'dense', units: 2, activation: 'softmax', weights: { kernel: w('classifier.kernel'), bias: w('classifier.bias') } },
    ],
    labels: LABELS,
    examples: exampleSeqs,
    result,
  });
  tf.dispose(Object.values(params));
  const top = probs.map((p) => p.indexOf(Math.max(...p)));
  return {
    folder: 'tiny-transformer',
    model,
    weights,
    expected: exampleSeqs.map((e, i) => ({ example: e.name, shape: [1, 2], data: probs[i] })),
    metrics: [
      `${result}; train loss ${loss.toFixed(4)}`,
      `examples: ${exampleSeqs.map((e, i) => `${e.name} → ${LABELS[top[i]]} (${(probs[i][top[i]] * 100).toFixed(1)}%)`).join(', ')}`,
    ],
    readme: [
      '# tiny-transformer',
      '',
      'One transformer encoder block (pre-norm) over a sequence of 8 token ids from 0 to 9:',
      '`embedding` 10×16, plus a learned position embedding (an `add` of an 8×16 weight),',
      '`residual` { `layerNorm` → `multiHeadAttention` (2 heads of 8) }, `residual` { `layerNorm` → `dense` 32 gelu → `dense` 16 },',
      'then the mean over the sequence (`reduceMean` over axis 1) and a `dense` 2 softmax classifier.',
      '',
      'The task: is there a token 3 somewhere before a token 5? Order matters, so the model needs the positions and',
      `the attention. It was trained with tfjs ops (Adam, ${EPOCHS} epochs of ${TRAIN} sequences, most of them holding one 3`,
      `and one 5 in random order) and is ${(acc * 100).toFixed(1)}% right on 1000 other sequences.`,
      '',
      'Step into `attention` › `attn` to see the queries, keys, the attention weights of each head and the mix.',
      '',
    ].join('\n'),
  };
}
