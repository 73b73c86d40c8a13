/** Config defaults and the list of problems a config that cannot work is rejected with. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { TransformerError } from './errors.js';

const base = { vocabSize: 100, contextLength: 32, layers: 2, width: 64, heads: 4 };

describe('resolveConfig', () => {
  it("defaults to GPT-2's choices", () => {
    const config = resolveConfig(base);
    expect(config).toMatchObject({
      kvHeads: 4,
      headDim: 16,
      mlpWidth: 256,
      positions: 'learned',
      norm: 'layernorm',
      mlp: 'gelu',
      gelu: 'tanh',
      tieEmbeddings: true,
      bias: true,
      dropout: 0,
      naming: 'gpt2',
    });
  });

  it("sizes SwiGLU as Llama's model.py: ⌈(8/3·C)/256⌉·256, and names it the Llama way", () => {
    const config = resolveConfig({
      ...base,
      width: 4096,
      heads: 32,
      positions: 'rope',
      mlp: 'swiglu',
    });
    expect(config.mlpWidth).toBe(11008); // Llama 7B
    expect(config.naming).toBe('llama');
  });

  it('lists every problem at once', () => {
    const bad = { ...base, width: 30, heads: 4, kvHeads: 3, dropout: 1, vocabSize: 0, extra: 1 };
    let error: unknown;
    try {
      resolveConfig(bad as unknown as typeof base);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransformerError);
    const message = (error as Error).message;
    expect(message).toContain('unknown field "extra"');
    expect(message).toContain('vocabSize must be an integer ≥ 1, received 0');
    expect(message).toContain('dropout must be in [0, 1), received 1');
    expect(message).toContain('heads (4) must divide width (30)');
    expect(message).toContain('kvHeads (3) must divide heads (4)');
    expect((error as TransformerError).code).toBe('INVALID_ARGUMENT');
  });

  it('rejects an odd head size with RoPE and names that cannot hold the choices', () => {
    expect(() => resolveConfig({ ...base, width: 12, heads: 4, positions: 'rope' })).toThrow(
      /head size width\/heads must be even, received 3/,
    );
    expect(() => resolveConfig({ ...base, mlp: 'swiglu', naming: 'gpt2' })).toThrow(/SwiGLU/);
    expect(() => resolveConfig({ ...base, naming: 'llama' })).toThrow(/learned position/);
  });
});
