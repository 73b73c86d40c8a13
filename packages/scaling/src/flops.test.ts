import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferenceFlops, mfu, trainingFlops, transformerFlops } from './flops.js';
import type { TransformerShape } from './transformerShape.js';

/** PaLM 540B (Chowdhery et al. 2022, Table 1): multi-query attention, SwiGLU, tied 256k vocabulary. */
const palm540b: TransformerShape = {
  layers: 118,
  dModel: 18432,
  heads: 48,
  headDim: 256,
  kvHeads: 1,
  ffnHidden: 73728,
  gatedMlp: true,
  vocabSize: 256000,
  tiedEmbeddings: true,
};

describe('trainingFlops', () => {
  it('is 6·N·D: Llama 3 405B on 15.6T tokens is 3.8e25 FLOPs', () => {
    expect(trainingFlops({ params: 405e9, tokens: 15.6e12 })).toBeCloseTo(3.7908e25, -21);
  });

  it('rejects counts given in billions or trillions, with the fix', () => {
    expect(() => trainingFlops({ params: 405e9, tokens: 15.6 })).toThrow(
      '@llmkit/scaling: trainingFlops(tokens): expected a raw count of tokens (15.6e12 for 15.6T tokens), received 15.6.',
    );
    expect(() => trainingFlops({ params: 405, tokens: 15.6e12 })).toThrow(
      /405e9 for a 405B-parameter model/,
    );
    expect(() => trainingFlops({ params: Number.NaN, tokens: 1e9 })).toThrow(
      expect.objectContaining({ code: 'NON_FINITE', fn: 'trainingFlops', argument: 'params' }),
    );
    expect(() => trainingFlops({ params: -1e9, tokens: 1e9 })).toThrow(/expected a number > 0/);
  });

  it('is linear in each argument', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e6, max: 1e12, noNaN: true }),
        fc.double({ min: 1e6, max: 1e14, noNaN: true }),
        fc.integer({ min: 2, max: 10 }),
        (params, tokens, k) => {
          const base = trainingFlops({ params, tokens });
          expect(trainingFlops({ params, tokens: k * tokens }) / base).toBeCloseTo(k, 10);
          expect(trainingFlops({ params: k * params, tokens }) / base).toBeCloseTo(k, 10);
        },
      ),
    );
  });
});

describe('transformerFlops', () => {
  it('counts PaLM’s 6N + 12·L·H·Q·T and reproduces its 46.2% MFU', () => {
    // Arrange: PaLM appendix B: 238.3K tokens/s on 6144 TPU v4 chips of 275 TFLOP/s peak.
    const flops = transformerFlops(palm540b, { sequenceLength: 2048 });
    // Assert: N = 540.35B (tied embedding counted once, as PaLM counts it).
    expect(flops.parameters.total / 540.35e9).toBeCloseTo(1, 4);
    expect(flops.matmulParameters).toBe(flops.parameters.total);
    expect(flops.training).toBe(6 * flops.parameters.total + 12 * 118 * 48 * 256 * 2048);
    expect(
      mfu({ tokensPerSecond: 238.3e3, flopsPerToken: flops.training, peakFlops: 6144 * 275e12 }),
    ).toBeCloseTo(0.462, 3);
  });

  it('splits the forward pass by part and makes training three forward passes', () => {
    const flops = transformerFlops(
      { layers: 12, dModel: 768, heads: 12, vocabSize: 50257 },
      { sequenceLength: 1024 },
    );
    const { attentionProjections, attentionScores, mlp, logits, total } = flops.forward;
    expect(attentionProjections).toBe(2 * 12 * 4 * 768 * 768);
    expect(attentionScores).toBe(4 * 12 * 768 * 1024);
    expect(mlp).toBe(2 * 12 * 2 * 768 * 3072);
    expect(logits).toBe(2 * 50257 * 768);
    expect(total).toBe(attentionProjections + attentionScores + mlp + logits);
    expect(flops.training).toBe(3 * total);
    // Untied embeddings: the input embedding is a lookup, not a matmul.
    expect(flops.matmulParameters).toBe(flops.parameters.total - 50257 * 768);
  });

  it('grows linearly with the sequence length through attention only', () => {
    const shape = { layers: 4, dModel: 256, heads: 4, vocabSize: 1000 };
    const a = transformerFlops(shape, { sequenceLength: 512 });
    const b = transformerFlops(shape, { sequenceLength: 1024 });
    expect(b.forward.attentionScores).toBe(2 * a.forward.attentionScores);
    expect(b.forward.mlp).toBe(a.forward.mlp);
  });

  it('names bad shapes', () => {
    expect(() =>
      transformerFlops({ layers: 2, dModel: 100, heads: 3, vocabSize: 10 }, { sequenceLength: 8 }),
    ).toThrow(/shape.headDim\): dModel 100 is not divisible by heads 3/);
    expect(() =>
      transformerFlops(
        { layers: 2, dModel: 96, heads: 6, kvHeads: 4, vocabSize: 10 },
        { sequenceLength: 8 },
      ),
    ).toThrow(/shape.kvHeads\): expected a divisor of heads \(6\), received 4/);
    expect(() =>
      transformerFlops({ layers: 0, dModel: 96, heads: 6, vocabSize: 10 }, { sequenceLength: 8 }),
    ).toThrow(/shape.layers/);
  });
});

describe('inferenceFlops and mfu', () => {
  it('counts 2N per token for inference', () => {
    expect(inferenceFlops({ params: 7e9, tokens: 1e6 })).toBe(1.4e16);
  });

  it('divides achieved model FLOP/s by peak', () => {
    // Meta's Llama 3 405B run: 30.84M H100 hours for 3.79e25 FLOPs is 34.5% of the 989.4 TFLOP/s peak.
    const perGpuTokensPerSecond = 15.6e12 / (30.84e6 * 3600);
    expect(
      mfu({
        tokensPerSecond: perGpuTokensPerSecond,
        flopsPerToken: 6 * 405e9,
        peakFlops: 989.4e12,
      }),
    ).toBeCloseTo(0.345, 3);
    expect(() => mfu({ tokensPerSecond: 0, flopsPerToken: 1, peakFlops: 1 })).toThrow(
      /mfu\(tokensPerSecond\)/,
    );
  });
});
