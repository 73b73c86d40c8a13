import { describe, expect, it } from 'vitest';
import { planParallelism } from './planParallelism.js';

// Llama 3 405B (Dubey et al. 2024, Table 3) and its training layout (Table 4): 16,384 H100,
// TP 8, PP 16, DP 128, sequence 8,192, 16M tokens (2,048 sequences) per step.
const llama3 = {
  layers: 126,
  dModel: 16384,
  heads: 128,
  kvHeads: 8,
  ffnHidden: 53248,
  gatedMlp: true,
  vocabSize: 128256,
};
const gpt2xl = { layers: 48, dModel: 1600, heads: 25, vocabSize: 50257, tiedEmbeddings: true };

describe('planParallelism', () => {
  it('keeps a 1.5B model data-parallel on 8 GPUs', () => {
    const plan = planParallelism({
      shape: gpt2xl,
      gpus: 8,
      gpu: 'a100',
      sequenceLength: 1024,
      globalBatch: 64,
      microBatch: 8,
    });
    expect(plan.best).toMatchObject({
      tensorParallel: 1,
      pipelineParallel: 1,
      dataParallel: 8,
      microBatches: 1,
      bubbleFraction: 0,
    });
    expect(plan.best?.memory.total).toBeLessThanOrEqual(0.9 * 80e9);
  });

  it('splits Llama 3 405B with the smallest pipeline bubble that fits', () => {
    const plan = planParallelism({
      shape: llama3,
      gpus: 16384,
      gpu: 'h100',
      sequenceLength: 8192,
      globalBatch: 2048,
      recompute: 'full',
    });
    const best = plan.best;
    expect(best?.fits).toBe(true);
    // Tensor parallelism fills the server (t = 8), as Narayanan et al. (2021) advise.
    expect(best).toMatchObject({
      tensorParallel: 8,
      pipelineParallel: 8,
      dataParallel: 256,
      microBatches: 8,
    });
    for (const layout of plan.layouts.filter((l) => l.fits)) {
      expect(layout.bubbleFraction).toBeGreaterThanOrEqual(best?.bubbleFraction ?? 1);
      expect(layout.memory.total).toBeLessThanOrEqual(layout.memory.available);
    }
    // Meta's own layout fits too, with the 1F1B bubble (p − 1)/(m + p − 1) = 15/31.
    const meta = plan.layouts.find((l) => l.tensorParallel === 8 && l.pipelineParallel === 16);
    expect(meta).toMatchObject({ dataParallel: 128, microBatches: 16, fits: true });
    expect(meta?.bubbleFraction).toBeCloseTo(15 / 31, 12);
  });

  it('says why when nothing fits', () => {
    const plan = planParallelism({
      shape: llama3,
      gpus: 8,
      gpu: 'h100',
      sequenceLength: 8192,
      globalBatch: 8,
    });
    expect(plan.best).toBeUndefined();
    expect(plan.reason).toMatch(/needs .* GB per GPU of 72\.0 GB usable/);
    expect(() =>
      planParallelism({
        shape: gpt2xl,
        gpus: 8,
        gpu: 'a100',
        sequenceLength: 1024,
        globalBatch: 3,
        microBatch: 2,
      }),
    ).toThrow(/planParallelism\(globalBatch\): no layout of 8 GPUs divides the global batch of 3/);
  });
});
