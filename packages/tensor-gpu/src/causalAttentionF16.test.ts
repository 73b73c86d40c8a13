/**
 * causalAttention's f16 forward on WebGPU (`initCompute({ precision: 'f16' })`) against the
 * float64 reference, value and gradients, within error bounds derived from float16's unit
 * roundoff u = 2⁻¹¹ and η = 2⁻²⁵, the largest absolute rounding error below its smallest normal
 * where subnormals are kept (as on lavapipe; see `webgpu/attentionF16Shaders.ts` otherwise)
 * (Higham 2002, Accuracy and Stability of Numerical Algorithms, §2.1–3.1). Per query row:
 *
 * - scores: scale·q and k are rounded to f16 (u each), multiplied and summed four lanes at a time
 *   in f16 (a product and up to three additions, γ₄ ≈ 4u), the partial sums added in f32; so
 *   each score is off by at most Δ_j = 6u(1 + 8u)·a_j + (⌈D/4⌉ + 1)·2⁻²⁴·a_j + η·(2D + 6 +
 *   Σ_c |scale·q_c| + |k_jc|), a_j = Σ_c |scale·q_c·k_jc|; Δ = max_j Δ_j.
 * - softmax: scores off by at most Δ scale each probability by a factor within e^{±2Δ}.
 * - output: p and v are rounded to f16 and multiplied in f16 (3u, plus η·(|v| + 2) below the
 *   normal range), summed in f32: |ô_c − o_c| ≤ (e^{2Δ} − 1 + 3.01u·e^{2Δ})·Σ_j p_j|v_jc| +
 *   η·Σ_j (1.01|v_jc| + 2.01).
 * - backward (f32, recomputing P from the forward's log-sum-exp, which is off by at most Δ):
 *   |P̂ − P| ≤ κP with κ = e^{Δ} − 1; |δ̂ − δ| ≤ Σ_c |dO_c|·E_c with E the output bound above and
 *   δ = rowsum(dO ∘ o); hence |dŜ_j − dS_j| ≤ κP_j|dP_j − δ| + (1 + κ)P_j|δ̂ − δ|, carried
 *   through dV = Pᵀ·dO, dQ = scale·dS·K and dK = scale·dSᵀ·Q.
 *
 * Every bound adds the f32 kernels' own tolerance, 2e-5 absolute and relative
 * (causalAttention.test.ts). The bounds are worst cases: on lavapipe the errors observed are 13–90×
 * smaller for the output and up to 1000× for the gradients.
 */
import { Random } from '@llmkit/numeric';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../test/fusedTestKit.js';
import { causalAttention } from './causalAttention.js';
import { initCompute } from './compute.js';
import { setFusedAttentionAbove } from './internal/fusedAttention.js';
import {
  type AttentionDims,
  causalAttentionGradReference,
  causalAttentionReference,
} from './kernels/causalAttention.js';
import { scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

const U = 2 ** -11;
const ETA = 2 ** -25;
const F32_TOLERANCE = 2e-5;

interface Inputs {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly dO: Float32Array;
}

/** The bounds above for every element of o, dq, dk and dv, from float64 probabilities. */
function f16Bounds({ q, k, v, dO }: Inputs, dims: AttentionDims, scale: number) {
  const { bh, t, s, d } = dims;
  const o = new Float64Array(bh * t * d);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const at = (x: Float32Array, row: number, c: number): number => x[row * d + c]!;
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < t; i++) {
      const row = b * t + i;
      const visible = i + (s - t) + 1;
      const p = new Float64Array(visible);
      let delta = 0;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < visible; j++) {
        let magnitude = 0;
        let entries = 0;
        for (let c = 0; c < d; c++) {
          const product = scale * at(q, row, c) * at(k, b * s + j, c);
          p[j]! += product;
          magnitude += Math.abs(product);
          entries += Math.abs(scale * at(q, row, c)) + Math.abs(at(k, b * s + j, c));
        }
        max = Math.max(max, p[j]!);
        const sub = ETA * (2 * d + 6 + entries);
        delta = Math.max(
          delta,
          (6 * U * (1 + 8 * U) + (Math.ceil(d / 4) + 1) * 2 ** -24) * magnitude + sub,
        );
      }
      let sum = 0;
      for (let j = 0; j < visible; j++) sum += Math.exp(p[j]! - max);
      for (let j = 0; j < visible; j++) p[j] = Math.exp(p[j]! - max) / sum;
      const growth = Math.exp(2 * delta);
      const kappa = Math.exp(delta) - 1;
      let deltaError = 0; // bound on |δ̂ − δ|
      let rowDot = 0; // δ = Σ_j P_j·dP_j
      const dP = new Float64Array(visible);
      for (let c = 0; c < d; c++) {
        let weighted = 0;
        let subnormal = 0;
        for (let j = 0; j < visible; j++) {
          const vj = at(v, b * s + j, c);
          weighted += p[j]! * Math.abs(vj);
          subnormal += 1.01 * Math.abs(vj) + 2.01;
          dP[j]! += at(dO, row, c) * vj;
        }
        const bound = (growth - 1 + 3.01 * U * growth) * weighted + ETA * subnormal;
        o[row * d + c] = bound + F32_TOLERANCE;
        deltaError += Math.abs(at(dO, row, c)) * (bound + F32_TOLERANCE);
      }
      for (let j = 0; j < visible; j++) rowDot += p[j]! * dP[j]!;
      for (let j = 0; j < visible; j++) {
        const dS = kappa * p[j]! * Math.abs(dP[j]! - rowDot) + (1 + kappa) * p[j]! * deltaError;
        for (let c = 0; c < d; c++) {
          dv[(b * s + j) * d + c]! += kappa * p[j]! * Math.abs(at(dO, row, c));
          dq[row * d + c]! += scale * dS * Math.abs(at(k, b * s + j, c));
          dk[(b * s + j) * d + c]! += scale * dS * Math.abs(at(q, row, c));
        }
      }
    }
  }
  return { o, dq, dk, dv };
}

/** Fails at the first element off by more than its bound (plus the f32 relative tolerance). */
function expectWithin(
  actual: Float32Array,
  expected: Float64Array,
  bound: Float64Array,
  label: string,
): void {
  for (let e = 0; e < expected.length; e++) {
    const error = Math.abs(actual[e]! - expected[e]!);
    const limit = bound[e]! + F32_TOLERANCE * (1 + Math.abs(expected[e]!));
    if (!(error <= limit)) {
      expect.fail(
        `${label}[${e}] = ${actual[e]} differs from ${expected[e]} by ${error} > ${limit}`,
      );
    }
  }
}

function randomInputs(seed: number, { bh, t, s, d }: AttentionDims): Inputs {
  const rng = new Random(seed);
  const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 1));
  return { q: draw(bh * t * d), k: draw(bh * s * d), v: draw(bh * s * d), dO: draw(bh * t * d) };
}

/** o and its gradients in q, k, v of Σ dO ∘ o, read asynchronously (WebGPU). */
async function run({ q, k, v, dO }: Inputs, dims: AttentionDims): Promise<Float32Array[]> {
  const { bh, t, s, d } = dims;
  const inputs = [ops.tensor(q, [bh, t, d]), ops.tensor(k, [bh, s, d]), ops.tensor(v, [bh, s, d])];
  const upstream = ops.tensor(dO, [bh, t, d]);
  const outputs = scope(() => [
    causalAttention(inputs[0]!, inputs[1]!, inputs[2]!),
    ...ops.grads((a: Tensor, b: Tensor, c: Tensor) =>
      ops.sum(ops.mul(causalAttention(a, b, c), upstream)),
    )(inputs),
  ]);
  const values = await Promise.all(outputs.map((x) => x.data() as Promise<Float32Array>));
  for (const x of [...outputs, ...inputs, upstream]) x.dispose();
  return values;
}

const unavailable = await webGpuUnavailable();
const f16 =
  unavailable === '' &&
  (await initCompute({ backend: 'webgpu', precision: 'f16' })).precision === 'f16';
const skipped = unavailable || (f16 ? '' : 'the WebGPU device here has no shader-f16');

describe.skipIf(skipped !== '')(
  `causalAttention in f16 on webgpu${skipped ? ` — skipped: ${skipped}` : ''}`,
  () => {
    // The kernels run at any size here; by default they take over only from the composition's
    // size limit.
    beforeAll(() => setFusedAttentionAbove(0));
    afterAll(() => setFusedAttentionAbove(undefined));

    // [bh, T, S, D]: one element; D not a multiple of 4 (6, 2); T not a multiple of the 32-row
    // block; S crossing the 64-key tile of D = 64 and T < S (a KV cache); D = 128 (32-key
    // tiles) and 256 (16-key tiles), the largest head the kernels take.
    it.each([
      [1, 1, 1, 1],
      [2, 33, 33, 8],
      [1, 17, 23, 6],
      [3, 5, 9, 2],
      [1, 40, 41, 64],
      [2, 70, 150, 64],
      [1, 45, 45, 128],
      [1, 20, 37, 256],
    ] as const)(
      'agrees with the float64 reference, value and gradients, within the f16 bounds at [bh, T, S, D] = [%i, %i, %i, %i]',
      async (bh, t, s, d) => {
        await initCompute({ backend: 'webgpu', precision: 'f16' });
        const dims = { bh, t, s, d };
        const inputs = randomInputs(100 * t + d, dims);
        const { q, k, v, dO } = inputs;
        const scale = 1 / Math.sqrt(d);
        const [o, dq, dk, dv] = await run(inputs, dims);
        const reference = causalAttentionGradReference(dO, q, k, v, dims, scale);
        const bounds = f16Bounds(inputs, dims, scale);
        expectWithin(o!, causalAttentionReference(q, k, v, dims, scale), bounds.o, 'o');
        expectWithin(dq!, reference.dq, bounds.dq, 'dq');
        expectWithin(dk!, reference.dk, bounds.dk, 'dk');
        expectWithin(dv!, reference.dv, bounds.dv, 'dv');
      },
      60_000,
    );

    it('computes in f16 (further from the reference than the f32 kernel) until switched back', async () => {
      const dims = { bh: 2, t: 64, s: 64, d: 64 };
      const inputs = randomInputs(1, dims);
      const reference = causalAttentionReference(inputs.q, inputs.k, inputs.v, dims, 1 / 8);
      const maxError = (o: Float32Array) =>
        o.reduce((worst, x, e) => Math.max(worst, Math.abs(x - reference[e]!)), 0);
      await initCompute({ backend: 'webgpu' });
      const f32Error = maxError((await run(inputs, dims))[0]!);
      await initCompute({ backend: 'webgpu', precision: 'f16' });
      const f16Error = maxError((await run(inputs, dims))[0]!);
      expect(f32Error).toBeLessThan(1e-5);
      expect(f16Error).toBeGreaterThan(10 * f32Error);
      await initCompute({ backend: 'webgpu' }); // back to the f32 kernel
      expect(maxError((await run(inputs, dims))[0]!)).toBe(f32Error);
    }, 60_000);
  },
);

describe('precision in ComputeInfo', () => {
  it("is 'f32' by default and on backends without f16 kernels, saying why", async () => {
    expect((await initCompute({ backend: 'cpu' })).precision).toBe('f32');
    const info = await initCompute({ backend: 'cpu', precision: 'f16' });
    expect(info.precision).toBe('f32');
    expect(info.notes).toContain(
      "precision 'f16' applies to llmkit's WebGPU kernels; the cpu backend computes in f32",
    );
  });

  it('refuses an unknown precision', () => {
    expect(() => initCompute({ precision: 'bf16' as never })).toThrow(
      /initCompute\(options\.precision\): expected 'f32' or 'f16', received "bf16"/,
    );
  });
});
