/**
 * Logit processing against Hugging Face's logits processors (golden outputs from
 * `test/fixtures/sampling_golden.py`), and properties of sampling.
 */
import { readFileSync } from 'node:fs';
import { Random, softmax } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { processLogits, type SamplingOptions, sampleToken } from './sampling.js';

interface GoldenCase {
  readonly options: SamplingOptions;
  readonly logits: number[];
  readonly previous: number[];
  readonly processed: (number | null)[];
}
const golden = JSON.parse(
  readFileSync(new URL('../test/fixtures/sampling_golden.json', import.meta.url), 'utf8'),
) as { cases: GoldenCase[] };

describe('processLogits', () => {
  it.each(golden.cases.map((c) => [JSON.stringify(c.options), c] as const))(
    'matches transformers for %s',
    (_, { options, logits, previous, processed }) => {
      const ours = processLogits(Float32Array.from(logits), previous, options);
      for (const [i, expected] of processed.entries()) {
        if (expected === null) expect(ours[i], `token ${i}`).toBe(Number.NEGATIVE_INFINITY);
        else expect(ours[i]!, `token ${i}`).toBeCloseTo(expected, 5);
      }
    },
  );

  const logitsArb = fc.array(fc.float({ min: -20, max: 20, noNaN: true }), {
    minLength: 1,
    maxLength: 40,
  });

  it('never removes the most likely token, and removes what top-k must', () => {
    fc.assert(
      fc.property(
        logitsArb,
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (logits, topK, topP, minP) => {
          const processed = processLogits(logits, [], { topK, topP, minP });
          // One of the most likely tokens survives unchanged (which one, among ties, is open).
          const top = Math.max(...logits);
          expect(processed.some((x, i) => logits[i] === top && x === top)).toBe(true);
          const kept = processed.filter((x) => x > Number.NEGATIVE_INFINITY).length;
          const distinct = [...logits].sort((a, b) => b - a);
          // Ties with the k-th largest are kept, so more than k survive only through ties.
          if (kept > topK) expect(distinct[topK]).toBe(distinct[topK - 1]);
        },
      ),
    );
  });

  it('keeps a nucleus that reaches p', () => {
    fc.assert(
      fc.property(logitsArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (logits, topP) => {
        const before = softmax(logits);
        const processed = processLogits(logits, [], { topP });
        let mass = 0;
        for (const [i, p] of before.entries())
          if (processed[i]! > Number.NEGATIVE_INFINITY) mass += p;
        expect(mass).toBeGreaterThan(topP - 1e-9);
      }),
    );
  });
});

describe('sampleToken', () => {
  it('is greedy at temperature 0 (first of ties, as torch.argmax)', () => {
    expect(sampleToken([1, 3, 3, 2], [], { temperature: 0 }, new Random(1))).toBe(1);
    // The repetition penalty still applies: 3/2 < 2.
    expect(
      sampleToken([1, 3, 1, 2], [1], { temperature: 0, repetitionPenalty: 2 }, new Random(1)),
    ).toBe(3);
  });

  it('draws tokens with the softmax probabilities, reproducibly from a seed', () => {
    const finite = [0, Math.log(2), Math.log(3), -50, -50];
    const rng = new Random(42);
    const counts = [0, 0, 0, 0, 0];
    const n = 30_000;
    for (let i = 0; i < n; i++) counts[sampleToken(finite, [], {}, rng)]!++;
    const p = softmax(finite);
    for (const [i, c] of counts.entries()) {
      // Within 4.5 binomial standard deviations.
      expect(Math.abs(c - n * p[i]!)).toBeLessThanOrEqual(
        4.5 * Math.sqrt(n * p[i]! * (1 - p[i]!)) + 1,
      );
    }
    const a = Array.from({ length: 20 }, (_, i) => sampleToken(finite, [], {}, new Random(i)));
    const b = Array.from({ length: 20 }, (_, i) => sampleToken(finite, [], {}, new Random(i)));
    expect(a).toEqual(b);
  });

  it('rejects bad options and logits by name', () => {
    const rng = new Random(0);
    expect(() => sampleToken([1, 2], [], { topP: 1.5 }, rng)).toThrow(/options.topP/);
    expect(() => sampleToken([1, 2], [], { topK: -1 }, rng)).toThrow(/options.topK/);
    expect(() => sampleToken([1, 2], [], { temperature: -1 }, rng)).toThrow(/options.temperature/);
    expect(() => sampleToken([1, Number.NaN], [], {}, rng)).toThrow(/logits/);
  });
});
