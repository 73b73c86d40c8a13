import { describe, expect, it } from 'vitest';
import { transformerParameters } from './transformerShape.js';

describe('transformerParameters', () => {
  it('counts Llama 3 405B (GQA, SwiGLU, untied 128k vocabulary) as ≈ 405B', () => {
    // Dubey et al. 2024, "The Llama 3 Herd of Models", Table 3: 126 layers, d 16,384, FFN 53,248,
    // 128 heads, 8 KV heads, vocabulary 128,256.
    const p = transformerParameters({
      layers: 126,
      dModel: 16384,
      heads: 128,
      kvHeads: 8,
      ffnHidden: 53248,
      gatedMlp: true,
      vocabSize: 128256,
    });
    expect(p.total / 405e9).toBeCloseTo(1, 2);
    expect(p.embedding).toBe(2 * 128256 * 16384);
    expect(p.total).toBe(p.nonEmbedding + p.embedding);
  });

  it('counts GPT-3 175B as 12·L·d² plus the embedding', () => {
    // Brown et al. 2020, Table 2.1: 96 layers, d 12,288; Kaplan et al. 2020: N ≈ 12·L·d².
    const p = transformerParameters({
      layers: 96,
      dModel: 12288,
      heads: 96,
      vocabSize: 50257,
      tiedEmbeddings: true,
    });
    expect(p.nonEmbedding).toBe(12 * 96 * 12288 ** 2);
    expect(p.total / 175e9).toBeCloseTo(1, 2);
  });
});
