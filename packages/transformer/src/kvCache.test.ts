/**
 * Incremental decoding through the KV cache gives the logits of the full forward pass, and a
 * left-padded batch gives each row the logits it has alone.
 */
import { dispose, leakCheck, type Tensor } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maxAbsDiff,
  randomizeWeights,
  SMALL_GPT2,
  SMALL_LLAMA,
  startCompute,
} from '../test/models.js';
import { TransformerError } from './errors.js';
import { Transformer } from './transformer.js';

beforeAll(startCompute);

/** Logits of row `b` at position `t` of a [B, T, V] tensor. */
function row(logits: Tensor, b: number, t: number): Float32Array {
  const [, length, vocab] = logits.shape as [number, number, number];
  const values = logits.dataSync() as Float32Array;
  const start = (b * length + t) * vocab;
  return values.slice(start, start + vocab);
}

describe.each([
  ['GPT-2', SMALL_GPT2],
  ['Llama', SMALL_LLAMA],
])('KvCache (%s shape)', (_, config) => {
  let model: Transformer;
  let vocab: number;
  beforeAll(() => {
    model = new Transformer(config, { initialize: false });
    randomizeWeights(model.parameters(), 11);
    vocab = model.config.vocabSize;
  });
  afterAll(() => model.dispose());

  it('decodes chunk by chunk to the logits of the full forward pass', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: vocab - 1 }), { minLength: 2, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 20, maxLength: 20 }),
        (ids, chunks) => {
          const full = model.forward([ids]);
          const cache = model.createCache(1);
          let t = 0;
          for (const size of chunks) {
            if (t >= ids.length) break;
            const chunk = ids.slice(t, t + size);
            const logits = model.forward([chunk], { cache });
            for (let i = 0; i < chunk.length; i++) {
              expect(maxAbsDiff(row(logits, 0, i), row(full, 0, t + i))).toBeLessThan(2e-5);
            }
            logits.dispose();
            t += chunk.length;
          }
          expect(cache.length).toBe(ids.length);
          cache.dispose();
          full.dispose();
        },
      ),
      { numRuns: 15 },
    );
  });

  it('gives a left-padded batch the logits of each row alone, prefill and decoding', () => {
    const prompts = [[5, 1, 7, 2, 9], [3], [8, 8, 4]];
    const next = [
      [4, 6],
      [2, 0],
      [1, 1],
    ];
    const longest = 5;
    const padded = prompts.map((p) => [...new Array(longest - p.length).fill(0), ...p]);
    const mask = Uint8Array.from(
      prompts.flatMap((p) => [...new Array(longest - p.length).fill(0), ...p.map(() => 1)]),
    );
    const cache = model.createCache(3);
    const prefill = model.forward(padded, { cache, paddingMask: mask });
    const steps = [0, 1].map((s) =>
      model.forward(
        next.map((n) => [n[s]!]),
        { cache },
      ),
    );
    for (const [b, prompt] of prompts.entries()) {
      const alone = model.forward([[...prompt, ...next[b]!]]);
      for (let t = 0; t < prompt.length; t++) {
        expect(
          maxAbsDiff(row(prefill, b, longest - prompt.length + t), row(alone, 0, t)),
        ).toBeLessThan(2e-5);
      }
      for (const [s, step] of steps.entries()) {
        expect(maxAbsDiff(row(step, b, 0), row(alone, 0, prompt.length + s))).toBeLessThan(2e-5);
      }
      alone.dispose();
    }
    dispose([prefill, ...steps]);
    cache.dispose();
  });

  it('keeps only the cached keys and values, and frees them on dispose', () => {
    const cache = model.createCache(1);
    const layers = model.config.layers;
    // The first pass leaves keys and values per layer; later passes replace them.
    leakCheck(() => dispose(model.forward([[1, 2, 3]], { cache })), {
      allowTensors: 2 * layers,
      allowBytes: Number.POSITIVE_INFINITY,
    });
    leakCheck(() => dispose(model.forward([[4]], { cache })), {
      allowBytes: Number.POSITIVE_INFINITY,
    });
    leakCheck(() => dispose(model.forward([[5]], { cache })), {
      allowBytes: Number.POSITIVE_INFINITY,
    });
    // Disposing frees exactly those 2·L tensors.
    leakCheck(() => cache.dispose(), { allowTensors: -2 * layers });
    expect(cache.length).toBe(0);
  });

  it('leaves the cache unchanged when a step is rejected', () => {
    const cache = model.createCache(1);
    dispose(model.forward([[1, 2, 3]], { cache }));
    expect(() => model.forward([[vocab]], { cache })).toThrow(TransformerError);
    const tooLong = new Array(model.config.contextLength - 2).fill(1);
    expect(() => model.forward([tooLong], { cache })).toThrow(
      /3 cached \+ 22 tokens exceed the context length 24/,
    );
    expect(() => model.forward([[1], [2]], { cache })).toThrow(
      /cache holds 1 rows and the tokens have 2/,
    );
    expect(cache.length).toBe(3);
    const again = model.forward([[4]], { cache });
    const full = model.forward([[1, 2, 3, 4]]);
    expect(maxAbsDiff(row(again, 0, 0), row(full, 0, 3))).toBeLessThan(2e-5);
    dispose([again, full]);
    cache.dispose();
  });
});
