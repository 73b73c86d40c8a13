/**
 * Parameter counts of every preset against the published models (Hugging Face transformers'
 * `num_parameters()` in `test/fixtures/parameter_counts.json`, from `parameter_counts.py`) and
 * nanoGPT's arithmetic for the benchmark configs; names and shapes in Hugging Face's layouts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type TransformerConfig } from './config.js';
import { countParameters, parameterSpecs } from './parameterSpecs.js';
import {
  BABY_GPT,
  GPT2_LARGE,
  GPT2_MEDIUM,
  GPT2_SMALL,
  GPT2_XL,
  SMOLLM_135M,
  TINY_GPT,
  TINYLLAMA_1_1B,
} from './presets.js';

const presets = {
  BABY_GPT,
  GPT2_LARGE,
  GPT2_MEDIUM,
  GPT2_SMALL,
  GPT2_XL,
  SMOLLM_135M,
  TINY_GPT,
  TINYLLAMA_1_1B,
};

const published = JSON.parse(
  readFileSync(new URL('../test/fixtures/parameter_counts.json', import.meta.url), 'utf8'),
) as { counts: Record<keyof typeof presets, number> };

describe('countParameters', () => {
  it.each(Object.entries(published.counts))('%s has the published count %i', (name, count) => {
    expect(countParameters(presets[name as keyof typeof presets]).total).toBe(count);
  });

  it('GPT-2 small has 124,439,808 parameters with tied embeddings', () => {
    expect(countParameters(presets.GPT2_SMALL).total).toBe(124_439_808);
    // Untied, the output projection adds a second 50257 × 768 matrix.
    expect(countParameters({ ...presets.GPT2_SMALL, tieEmbeddings: false }).total).toBe(
      124_439_808 + 50257 * 768,
    );
  });

  it('counts the benchmark configs as nanoGPT does (12·C² + 2·C per block without biases)', () => {
    const nano = (v: number, t: number, l: number, c: number): number =>
      v * c + t * c + l * (12 * c * c + 2 * c) + c;
    expect(countParameters(presets.TINY_GPT).total).toBe(nano(65, 256, 4, 128));
    expect(countParameters(presets.BABY_GPT).total).toBe(nano(65, 256, 6, 384));
    // nanoGPT's printed 10.65M leaves out position embeddings.
    expect(countParameters(presets.BABY_GPT).total - 256 * 384).toBe(10_646_784);
  });

  it('matmul parameters (the N of 6·N FLOPs) leave out lookups, biases and norms', () => {
    const count = countParameters(presets.GPT2_SMALL);
    // Per block: norms 2·2C, biases 3C + C + 4C + C; then the final norm 2C.
    expect(count.matmul).toBe(count.total - count.positionEmbedding - 12 * 13 * 768 - 2 * 768);
  });

  it('sums the spec sizes for any valid config', () => {
    fc.assert(
      fc.property(
        fc.record({
          vocabSize: fc.integer({ min: 1, max: 300 }),
          contextLength: fc.integer({ min: 1, max: 64 }),
          layers: fc.integer({ min: 1, max: 4 }),
          kvHeads: fc.integer({ min: 1, max: 4 }),
          group: fc.integer({ min: 1, max: 3 }),
          headDim: fc.integer({ min: 1, max: 8 }).map((h) => 2 * h),
          llama: fc.boolean(),
          tieEmbeddings: fc.boolean(),
          bias: fc.boolean(),
        }),
        ({ kvHeads, group, headDim, llama, ...rest }) => {
          const heads = kvHeads * group;
          const llamaFields = { positions: 'rope', mlp: 'swiglu', norm: 'rmsnorm' } as const;
          const config: TransformerConfig = {
            ...rest,
            width: heads * headDim,
            heads,
            kvHeads,
            ...(llama ? llamaFields : {}),
          };
          const resolved = resolveConfig(config);
          const specs = parameterSpecs(config);
          const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
          expect(countParameters(config).total).toBe(total);
          expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
          const c = resolved.width;
          const kv = kvHeads * headDim;
          const f = resolved.mlpWidth;
          const b = rest.bias ? 1 : 0;
          const norms = (llama ? 1 : 1 + b) * c;
          const attention = c * (c + 2 * kv) + c * c + b * (2 * c + 2 * kv);
          const mlp = (llama ? 3 : 2) * c * f + b * ((llama ? 2 : 1) * f + c);
          const embeddings = (rest.tieEmbeddings ? 1 : 2) * rest.vocabSize * c;
          const positions = llama ? 0 : rest.contextLength * c;
          expect(total).toBe(
            embeddings + positions + rest.layers * (2 * norms + attention + mlp) + norms,
          );
        },
      ),
    );
  });
});

describe('parameterSpecs', () => {
  it("uses GPT-2's names and Conv1D layout [in, out]", () => {
    const specs = new Map(parameterSpecs(presets.GPT2_SMALL).map((s) => [s.name, s.shape]));
    expect(specs.get('transformer.wte.weight')).toEqual([50257, 768]);
    expect(specs.get('transformer.wpe.weight')).toEqual([1024, 768]);
    expect(specs.get('transformer.h.0.attn.c_attn.weight')).toEqual([768, 2304]);
    expect(specs.get('transformer.h.0.attn.c_attn.bias')).toEqual([2304]);
    expect(specs.get('transformer.h.11.mlp.c_fc.weight')).toEqual([768, 3072]);
    expect(specs.get('transformer.h.11.mlp.c_proj.weight')).toEqual([3072, 768]);
    expect(specs.get('transformer.ln_f.bias')).toEqual([768]);
    expect(specs.has('lm_head.weight')).toBe(false);
    expect(specs.size).toBe(2 + 12 * 12 + 2);
  });

  it("uses Llama's names and nn.Linear layout [out, in]", () => {
    const specs = new Map(parameterSpecs(presets.TINYLLAMA_1_1B).map((s) => [s.name, s.shape]));
    expect(specs.get('model.embed_tokens.weight')).toEqual([32000, 2048]);
    expect(specs.get('model.layers.0.self_attn.q_proj.weight')).toEqual([2048, 2048]);
    expect(specs.get('model.layers.0.self_attn.k_proj.weight')).toEqual([256, 2048]);
    expect(specs.get('model.layers.21.mlp.gate_proj.weight')).toEqual([5632, 2048]);
    expect(specs.get('model.layers.21.mlp.down_proj.weight')).toEqual([2048, 5632]);
    expect(specs.get('model.norm.weight')).toEqual([2048]);
    expect(specs.get('lm_head.weight')).toEqual([32000, 2048]);
    expect(specs.size).toBe(1 + 22 * 9 + 1 + 1);
  });

  it('scales the residual projections by 1/√(2L) (GPT-2 §2.3)', () => {
    const specs = new Map(parameterSpecs(presets.GPT2_SMALL).map((s) => [s.name, s.init]));
    const residual = { kind: 'normal', std: 0.02 / Math.sqrt(24) };
    expect(specs.get('transformer.h.3.attn.c_proj.weight')).toEqual(residual);
    expect(specs.get('transformer.h.3.mlp.c_proj.weight')).toEqual(residual);
    expect(specs.get('transformer.h.3.mlp.c_fc.weight')).toEqual({ kind: 'normal', std: 0.02 });
    expect(specs.get('transformer.h.3.ln_1.weight')).toEqual({ kind: 'ones' });
    expect(specs.get('transformer.h.3.attn.c_attn.bias')).toEqual({ kind: 'zeros' });
  });
});
