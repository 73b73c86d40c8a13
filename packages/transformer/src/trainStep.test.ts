/**
 * The training step: a tiny model overfits a short text to near-zero loss; a non-finite loss
 * stops the run with the step and the last finite values and leaves the parameters untouched;
 * clipping and the reported numbers.
 */
import { AdamW, leakCheck, ops } from '@llmkit/tensor-gpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { readWeights, startCompute } from '../test/models.js';
import { TransformerError } from './errors.js';
import {
  NonFiniteLossError,
  type TrainStepResult,
  trainingFlopsPerToken,
  trainStep,
} from './trainStep.js';
import { Transformer } from './transformer.js';

beforeAll(startCompute);

const text = 'the quick brown fox jumps over the lazy dog; the lazy dog sleeps.';
const alphabet = [...new Set(text)].sort();
const ids = [...text].map((c) => alphabet.indexOf(c));
const config = {
  vocabSize: alphabet.length,
  contextLength: 64,
  layers: 2,
  width: 32,
  heads: 2,
} as const;
const batch = { inputs: [ids.slice(0, 64)], targets: [ids.slice(1, 65)] };

describe('trainStep', () => {
  it('overfits a short text to near-zero loss', async () => {
    const model = new Transformer(config, { seed: 1 });
    const optimizer = new AdamW(model.parameters(), { learningRate: 1e-2, weightDecay: 0 });
    const first = await trainStep(model, optimizer, batch);
    expect(first.loss).toBeGreaterThan(Math.log(alphabet.length) - 0.2);
    let last: TrainStepResult = first;
    for (let i = 0; i < 150 && last.loss > 0.02; i++)
      last = await trainStep(model, optimizer, batch, { previous: last });
    expect(last.loss).toBeLessThan(0.02);
    expect(last.step).toBe(optimizer.stepCount);
    optimizer.dispose();
    model.dispose();
  });

  it('reports tokens, FLOPs (PaLM appendix B) and MFU against a given peak', async () => {
    const model = new Transformer(config, { seed: 2 });
    const optimizer = new AdamW(model.parameters(), { learningRate: 1e-3 });
    const result = await trainStep(model, optimizer, batch, { peakFlops: 1e12 });
    expect(result.tokens).toBe(64);
    // 6N with N = matmul parameters, plus 12·L·C·T for attention.
    const n = 2 * (4 * 32 * 32 + 8 * 32 * 32) + alphabet.length * 32;
    expect(trainingFlopsPerToken(model.config, 64)).toBe(6 * n + 12 * 2 * 32 * 64);
    expect(result.flops).toBe(64 * (6 * n + 12 * 2 * 32 * 64));
    expect(result.tokensPerSecond).toBeCloseTo(64 / result.seconds, 6);
    expect(result.mfu).toBeCloseTo(result.flops / result.seconds / 1e12, 12);
    expect(result.learningRate).toBe(1e-3);
    optimizer.dispose();
    model.dispose();
  });

  it('clips the gradient norm and leaves nothing allocated but the optimizer state', async () => {
    const model = new Transformer(config, { seed: 3 });
    const optimizer = new AdamW(model.parameters(), { learningRate: 1e-3 });
    const slots = 2 * Object.keys(model.parameters()).length;
    const result = await leakCheck(
      () => trainStep(model, optimizer, batch, { maxGradNorm: 1e-3 }),
      {
        allowTensors: slots,
        allowBytes: Number.POSITIVE_INFINITY,
      },
    );
    expect(result.gradNorm).toBeGreaterThan(1e-3);
    await leakCheck(() =>
      trainStep(model, optimizer, batch, { maxGradNorm: Number.POSITIVE_INFINITY }),
    );
    await expect(trainStep(model, optimizer, batch, { maxGradNorm: 0 })).rejects.toThrow(
      TransformerError,
    );
    optimizer.dispose();
    model.dispose();
  });

  it('stops on a NaN loss with the step and the last finite values, updating nothing', async () => {
    const model = new Transformer(config, { seed: 4 });
    const optimizer = new AdamW(model.parameters(), { learningRate: 1e-3 });
    const first = await trainStep(model, optimizer, batch);
    // A NaN in one weight poisons the loss.
    const gain = model.parameters()['transformer.h.1.ln_2.weight']!;
    gain.assign(ops.fill(gain.shape, Number.NaN));
    const before = readWeights(model.parameters());
    const error = await trainStep(model, optimizer, batch, { previous: first }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const nonFinite = error as NonFiniteLossError;
    expect(nonFinite.code).toBe('NON_FINITE');
    expect(nonFinite.step).toBe(2);
    expect(Number.isNaN(nonFinite.loss)).toBe(true);
    expect(nonFinite.lastFinite).toBe(first);
    expect(nonFinite.message).toContain(`The last finite step was 1 (loss ${first.loss}`);
    expect(optimizer.stepCount).toBe(1);
    const after = readWeights(model.parameters());
    for (const [name, values] of before) expect(after.get(name), name).toEqual(values);
    optimizer.dispose();
    model.dispose();
  });
});
