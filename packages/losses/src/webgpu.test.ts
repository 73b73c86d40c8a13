/**
 * The losses on tfjs's WebGPU backend, where results computed on the device cannot be read
 * synchronously (Node has no `OffscreenCanvas`): every value, gradient and check must go
 * through asynchronous reads. Inputs are large enough that the backend computes on the device
 * rather than forwarding small tensors to the CPU. Runs where an adapter exists (CI installs
 * Mesa's lavapipe); elsewhere it skips with the reason.
 */

import { Random } from '@llmkit/numeric';
import { initCompute, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from './crossEntropy.js';
import { LossError } from './errors.js';
import { maskedWhiten } from './maskedWhiten.js';
import { sequenceLogProbs } from './sequenceLogProbs.js';
import { tokenLogProbs } from './tokenLogProbs.js';

async function webGpuUnavailable(): Promise<string> {
  try {
    await initCompute({ backend: 'webgpu' });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

const [B, T, V] = [2, 16, 257];
const rng = new Random(5);
const logitValues = Float32Array.from({ length: B * T * V }, () => rng.normal(0, 3));
const targetValues = Int32Array.from({ length: B * T }, (_, i) =>
  i % 5 === 0 ? -100 : (i * 37) % V,
);
const ids = Int32Array.from(targetValues, (v) => Math.max(v, 0));
const mask = Uint8Array.from({ length: B * T }, (_, i) => (i % T > 3 ? 1 : 0));

interface Outcome {
  loss: number;
  tokenCount: number;
  grad: Float32Array;
  tokenLp: Float32Array;
  sequenceLp: Float32Array;
  whitened: Float32Array;
}

/** Every quantity read asynchronously; the logits are computed (×1) so they live on the device. */
async function run(): Promise<Outcome> {
  const source = ops.tensor(logitValues, [B, T, V]);
  const logits = ops.mul(source, 1);
  const targets = ops.tensor(targetValues, [B, T], 'int32');
  const inputIds = ops.tensor(ids, [B, T], 'int32');
  const completion = ops.tensor(mask, [B, T], 'bool');
  // A model reads the ids first (an embedding lookup moves them to the device), as in DPO.
  const embedded = ops.gather(ops.ones([V, 64]), inputIds);
  await embedded.data();
  embedded.dispose();
  const { loss, tokenCount } = crossEntropy(logits, targets, { labelSmoothing: 0.1, zLoss: 1e-4 });
  const [grad] = ops.grads((x: Tensor) => crossEntropy(x, targets).loss)([logits]);
  const tokenLp = tokenLogProbs(logits, targets);
  const sequenceLp = sequenceLogProbs(logits, inputIds, completion, { average: true });
  const whitened = scope(() => maskedWhiten(ops.mul(ops.sum(logits, 2), 0.1), completion));
  const outcome: Outcome = {
    loss: (await loss.data())[0]!,
    tokenCount,
    grad: (await grad!.data()) as Float32Array,
    tokenLp: (await tokenLp.data()) as Float32Array,
    sequenceLp: (await sequenceLp.data()) as Float32Array,
    whitened: (await whitened.data()) as Float32Array,
  };
  for (const t of [source, logits, targets, inputIds, completion, loss, grad!, tokenLp])
    t.dispose();
  sequenceLp.dispose();
  whitened.dispose();
  return outcome;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(expected[i]!)),
    );
  }
}

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `losses on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    let reference: Outcome;
    beforeAll(async () => {
      await initCompute({ backend: 'cpu' });
      reference = await run();
      await initCompute({ backend: 'webgpu' });
    });

    it('gives the cpu backend’s losses, gradients and log-probs with asynchronous reads only', async () => {
      const gpu = await run();
      expect(gpu.tokenCount).toBe(reference.tokenCount);
      expect(gpu.loss).toBeCloseTo(reference.loss, 4);
      expectClose(gpu.grad, reference.grad, 1e-5);
      expectClose(gpu.tokenLp, reference.tokenLp, 1e-4);
      expectClose(gpu.sequenceLp, reference.sequenceLp, 1e-4);
      expectClose(gpu.whitened, reference.whitened, 1e-4);
    });

    it('refuses integer inputs computed on the device, saying how to pass them', () => {
      // 4096 targets: above the size the backend forwards to the CPU, so they stay on the device.
      const logits = ops.zeros([64, 64, 8]);
      const targets = ops.cast(ops.mul(ops.ones([64, 64]), 3), 'int32');
      try {
        expect(() => crossEntropy(logits, targets)).toThrow(LossError);
        expect(() => crossEntropy(logits, targets)).toThrow(/computed on the WebGPU device/);
      } finally {
        for (const t of [logits, targets]) t.dispose();
      }
    });
  },
);
