/**
 * The model on tfjs's WebGPU backend, which cannot read device results synchronously in Node:
 * a training step and greedy generation give the cpu backend's losses and tokens. Runs where a
 * WebGPU adapter exists (CI installs Mesa's lavapipe); elsewhere it skips with the reason.
 */
import { AdamW, initCompute } from '@llmkit/tensor-gpu';
import { describe, expect, it } from 'vitest';
import { trainStep } from './trainStep.js';
import { Transformer } from './transformer.js';

async function webGpuUnavailable(): Promise<string> {
  try {
    await initCompute({ backend: 'webgpu' });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

const text = 'a tiny model on a device; a tiny model on a host.';
const alphabet = [...new Set(text)].sort();
const ids = [...text].map((c) => alphabet.indexOf(c));
const config = { vocabSize: alphabet.length, contextLength: 64, layers: 2, width: 64, heads: 2 };
const batch = { inputs: [ids.slice(0, 40)], targets: [ids.slice(1, 41)] };

/** Three training steps, then 8 greedy tokens, on the current backend. */
async function run(): Promise<{ losses: number[]; norms: number[]; tokens: number[] }> {
  const model = new Transformer(config, { seed: 3 });
  const optimizer = new AdamW(model.parameters(), { learningRate: 1e-2, weightDecay: 0 });
  const losses: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const result = await trainStep(model, optimizer, batch, { maxGradNorm: 1 });
    losses.push(result.loss);
    norms.push(result.gradNorm);
  }
  const tokens: number[] = [];
  for await (const token of model.generate(ids.slice(0, 6), { maxNewTokens: 8, temperature: 0 }))
    tokens.push(token);
  optimizer.dispose();
  model.dispose();
  return { losses, norms, tokens };
}

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `transformer on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    it('trains and generates as on the cpu backend', async () => {
      await initCompute({ backend: 'cpu' });
      const cpu = await run();
      await initCompute({ backend: 'webgpu' });
      const gpu = await run();
      for (let i = 0; i < 3; i++) {
        expect(gpu.losses[i]).toBeCloseTo(cpu.losses[i]!, 3);
        expect(gpu.norms[i]).toBeCloseTo(cpu.norms[i]!, 3);
      }
      expect(gpu.losses[2]).toBeLessThan(gpu.losses[0]!);
      expect(gpu.tokens).toEqual(cpu.tokens);
    }, 120_000);
  },
);
