import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_STEPS, parseSteps, stepsHint, trainedMetadata, trainedWeightsFileName } from '../../../src/host/trainingText';

describe('stepsHint', () => {
  it('reads training.steps from a model file\'s text', () => {
    expect(stepsHint('{ "layers": [], "training": { "loss": "mse", "optimizer": "sgd", "learningRate": 0.1, "steps": 60 } }')).toBe(60);
    expect(stepsHint('{\n  "training": {\n    "steps": 100,\n    "loss": "bce"\n  }\n}')).toBe(100);
  });

  it('is undefined without a hint, or with steps outside a training object', () => {
    expect(stepsHint('{ "layers": [] }')).toBeUndefined();
    expect(stepsHint('{ "training": { "loss": "mse" }, "x": { "steps": 5 } }')).toBeUndefined();
    expect(stepsHint('{ "training": { "steps": 0 } }')).toBeUndefined();
  });
});

describe('parseSteps', () => {
  it('takes a whole number of 1 or more', () => {
    expect(parseSteps(' 30 ')).toEqual({ ok: 30 });
    expect(parseSteps('1_000')).toEqual({ ok: 1000 });
  });

  it('answers anything else with a sentence', () => {
    expect(parseSteps('')).toEqual({ error: `Type a whole number of steps, such as ${DEFAULT_TRAIN_STEPS}.` });
    expect(parseSteps('2.5')).toEqual({ error: `Type a whole number of steps, such as ${DEFAULT_TRAIN_STEPS}.` });
    expect(parseSteps('-3')).toEqual({ error: `Type a whole number of steps, such as ${DEFAULT_TRAIN_STEPS}.` });
    expect(parseSteps('0')).toEqual({ error: 'Train at least 1 step.' });
    expect(parseSteps('5000000')).toEqual({ error: 'At most 1,000,000 steps in one run.' });
  });
});

describe('a trained weights file', () => {
  it('is offered as MODEL-trained.safetensors', () => {
    expect(trainedWeightsFileName('linear-regression')).toBe('linear-regression-trained.safetensors');
    expect(trainedWeightsFileName('my model/v2')).toBe('my-model-v2-trained.safetensors');
  });

  it('carries how it was trained in its metadata, as layerstep train --save writes it', () => {
    const m = trainedMetadata('untrained.json', { loss: 'mse', optimizer: 'sgd', learningRate: 0.1, batch: 9, data: 'the examples', losses: [2, 1] });
    expect(m).toEqual({
      trainedFrom: 'untrained.json', loss: 'mse', optimizer: 'sgd', learningRate: '0.1', steps: '2', batch: '9', data: 'the examples', losses: '[2,1]',
    });
  });
});
