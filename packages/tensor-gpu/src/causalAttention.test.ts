/**
 * causalAttention: the float64 reference (forward and backward) against PyTorch; the WebGPU
 * kernels (FlashAttention-style WGSL) and the composed path on cpu and wasm against the
 * reference, value and the gradients in q, k and v, with T < S as under a KV cache; finite
 * differences. WebGPU cases skip, saying why, only where no adapter exists.
 */
import { Random } from '@llmkit/numeric';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferences,
  golden,
  HOST_MODES,
  useMode,
  webGpuUnavailable,
} from '../test/fusedTestKit.js';
import { causalAttention } from './causalAttention.js';
import { initCompute } from './compute.js';
import { setFusedAttentionAbove } from './internal/fusedAttention.js';
import {
  causalAttentionGradReference,
  causalAttentionReference,
} from './kernels/causalAttention.js';
import { leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

const g = golden.causal_attention!;
const [B, H, T, D] = g.inputs.q!.shape as [number, number, number, number];
const S = g.inputs.k!.shape[2]!;
const dims = { bh: B * H, t: T, s: S, d: D };
const values = (name: string): number[] => g.inputs[name]!.values;

describe('causalAttention reference', () => {
  it('matches PyTorch in float64: value and gradients in q, k, v', () => {
    const o = causalAttentionReference(values('q'), values('k'), values('v'), dims, g.scale!);
    expectClose(o, g.output.values, 1e-14, 1e-12, 'o');
    const { dq, dk, dv } = causalAttentionGradReference(
      g.dy,
      values('q'),
      values('k'),
      values('v'),
      dims,
      g.scale!,
    );
    expectClose(dq, g.grads.q!, 1e-14, 1e-12, 'dq');
    expectClose(dk, g.grads.k!, 1e-14, 1e-12, 'dk');
    expectClose(dv, g.grads.v!, 1e-14, 1e-12, 'dv');
  });
});

/** Value and gradients of Σ dO ∘ causalAttention(q, k, v), read asynchronously (WebGPU). */
async function run(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dO: Float32Array,
  shape: { lead: number[]; t: number; s: number; d: number },
) {
  const { lead, t, s, d } = shape;
  const tensors = [
    ops.tensor(q, [...lead, t, d]),
    ops.tensor(k, [...lead, s, d]),
    ops.tensor(v, [...lead, s, d]),
  ];
  const upstream = ops.tensor(dO, [...lead, t, d]);
  const [out, ...grads] = scope(() => [
    causalAttention(tensors[0]!, tensors[1]!, tensors[2]!),
    ...ops.grads((a: Tensor, b: Tensor, c: Tensor) =>
      ops.sum(ops.mul(causalAttention(a, b, c), upstream)),
    )(tensors),
  ]);
  const data = await Promise.all([out!, ...grads].map((x) => x.data() as Promise<Float32Array>));
  for (const x of [out!, ...grads, ...tensors, upstream]) x.dispose();
  return data;
}

function randomCase(seed: number, bh: number, t: number, s: number, d: number) {
  const rng = new Random(seed);
  const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 1));
  return { q: draw(bh * t * d), k: draw(bh * s * d), v: draw(bh * s * d), dO: draw(bh * t * d) };
}

const check = async (
  lead: number[],
  t: number,
  s: number,
  d: number,
  seed: number,
  tolerance: number,
) => {
  const bh = lead.reduce((a, b) => a * b, 1);
  const { q, k, v, dO } = randomCase(seed, bh, t, s, d);
  const [o, dq, dk, dv] = await run(q, k, v, dO, { lead, t, s, d });
  const scale = 1 / Math.sqrt(d);
  const ref = causalAttentionGradReference(dO, q, k, v, { bh, t, s, d }, scale);
  expectClose(
    o!,
    causalAttentionReference(q, k, v, { bh, t, s, d }, scale),
    tolerance,
    tolerance,
    'o',
  );
  expectClose(dq!, ref.dq, tolerance, tolerance, 'dq');
  expectClose(dk!, ref.dk, tolerance, tolerance, 'dk');
  expectClose(dv!, ref.dv, tolerance, tolerance, 'dv');
};

describe.each(HOST_MODES)('causalAttention on %s, %s kernels', (backend, mode) => {
  it('matches the PyTorch golden case, value and gradients, leaking nothing', async () => {
    await useMode(backend, mode);
    const [o, dq, dk, dv] = await leakCheck(() =>
      run(
        Float32Array.from(values('q')),
        Float32Array.from(values('k')),
        Float32Array.from(values('v')),
        Float32Array.from(g.dy),
        { lead: [B, H], t: T, s: S, d: D },
      ),
    );
    expectClose(o!, g.output.values, 1e-5, 1e-5, 'o');
    expectClose(dq!, g.grads.q!, 1e-5, 1e-5, 'dq');
    expectClose(dk!, g.grads.k!, 1e-5, 1e-5, 'dk');
    expectClose(dv!, g.grads.v!, 1e-5, 1e-5, 'dv');
  });

  it('has gradients that match finite differences', async () => {
    await useMode(backend, mode);
    const { q, k, v, dO } = randomCase(5, 2, 3, 4, 2);
    const shapes = [
      [2, 3, 2],
      [2, 4, 2],
      [2, 4, 2],
    ];
    const [, ...grads] = await run(q, k, v, dO, { lead: [2], t: 3, s: 4, d: 2 });
    const f = (a: Tensor, b: Tensor, c: Tensor): Tensor => causalAttention(a, b, c);
    for (const which of [0, 1, 2]) {
      expectClose(
        grads[which]!,
        finiteDifferences(f, [q, k, v], shapes, which, dO),
        3e-3,
        3e-3,
        `fd ${which}`,
      );
    }
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `causalAttention on webgpu (WGSL kernels)${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    // The kernels run at any size here; by default they take over only from the composition's
    // size limit.
    beforeAll(() => setFusedAttentionAbove(0));
    afterAll(() => setFusedAttentionAbove(undefined));

    it('matches the PyTorch golden case, value and gradients', async () => {
      await initCompute({ backend: 'webgpu' });
      const [o, dq, dk, dv] = await run(
        Float32Array.from(values('q')),
        Float32Array.from(values('k')),
        Float32Array.from(values('v')),
        Float32Array.from(g.dy),
        { lead: [B, H], t: T, s: S, d: D },
      );
      expectClose(o!, g.output.values, 1e-5, 1e-5, 'o');
      expectClose(dq!, g.grads.q!, 1e-5, 1e-5, 'dq');
      expectClose(dk!, g.grads.k!, 1e-5, 1e-5, 'dk');
      expectClose(dv!, g.grads.v!, 1e-5, 1e-5, 'dv');
    }, 60_000);

    // [bh, T, S, D]: one element; a row block and a key tile crossed (32 rows, 32 keys);
    // T < S; D = 128, whose key tiles hold 16 keys. The backward's blocks hold 32 keys (dK, dV)
    // or 32 queries (dQ) up to D = 64, 16 up to 128 and 8 above, with 16-row tiles streamed
    // past them and head slices of 16 and 32 columns: D = 40 ends mid-slice, S − T = 35 lets the
    // last key block skip whole query tiles, D = 256 is the largest head the kernels take.
    it.each([
      [1, 1, 1, 1],
      [2, 33, 33, 8],
      [1, 17, 23, 24],
      [1, 40, 41, 64],
      [1, 20, 20, 128],
      [2, 35, 70, 40],
      [1, 10, 10, 256],
    ] as const)(
      'agrees with the reference at [bh, T, S, D] = [%i, %i, %i, %i]',
      async (bh, t, s, d) => {
        await initCompute({ backend: 'webgpu' });
        await check([bh], t, s, d, t + d, 2e-5);
      },
      60_000,
    );
  },
);

describe.skipIf(noWebGpu !== '')(
  `causalAttention's route on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    /** Names of the kernels one forward runs. */
    const kernelsOf = async (t: number): Promise<string[]> => {
      const [q, k, v] = [1, 2, 3].map((seed) =>
        ops.randomNormal([2, t, 16], 0, 1, 'float32', seed),
      );
      const info = await ops.profile(() => {
        const o = causalAttention(q!, k!, v!);
        o.dispose();
      });
      for (const x of [q, k, v]) x!.dispose();
      return info.kernelNames;
    };

    it('composes matMul and softmax where the scores fit the device, else runs the WGSL kernels', async () => {
      await initCompute({ backend: 'webgpu' });
      const composed = await kernelsOf(8);
      expect(composed).toContain('BatchMatMul');
      expect(composed).toContain('Softmax');
      expect(composed).not.toContain('LlmkitCausalAttention');
      // Scores of 2·8·8·4 = 512 bytes, beyond a threshold of 511: the kernels run.
      setFusedAttentionAbove(511);
      try {
        expect(await kernelsOf(8)).toContain('LlmkitCausalAttention');
        expect(await kernelsOf(7)).not.toContain('LlmkitCausalAttention');
      } finally {
        setFusedAttentionAbove(undefined);
      }
    }, 60_000);
  },
);

describe('causalAttention input checks', () => {
  it('refuses mismatched shapes and more queries than keys', async () => {
    await useMode('cpu', 'fast');
    const q = ops.zeros([2, 4, 8]);
    expect(() => causalAttention(q, ops.zeros([2, 4, 7]), ops.zeros([2, 4, 8]))).toThrow(
      /causalAttention\(k\): expected shape \[2, 4, 8\]/,
    );
    expect(() => causalAttention(q, ops.zeros([2, 3, 8]), ops.zeros([2, 3, 8]))).toThrow(
      /must not outnumber/,
    );
    q.dispose();
  });
});
