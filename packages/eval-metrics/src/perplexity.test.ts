import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { EvalMetricsError } from './errors.js';
import { harnessWordCount, utf8Length } from './internal/text.js';
import { PerplexityAccumulator } from './perplexity.js';

interface LikelihoodFixture {
  documents: { text: string; logprobs: number[] }[];
  words: number[];
  bytes: number[];
  aggregates: Record<string, number>;
}

const golden = fixture<LikelihoodFixture>('likelihood.json');

describe('PerplexityAccumulator', () => {
  it('counts words and bytes as lm-evaluation-harness does', () => {
    expect(golden.documents.map((d) => harnessWordCount(d.text))).toEqual(golden.words);
    expect(golden.documents.map((d) => utf8Length(d.text))).toEqual(golden.bytes);
  });

  it('matches the harness aggregations (perplexity, word/byte perplexity, bits per byte)', () => {
    const acc = new PerplexityAccumulator();
    for (const d of golden.documents) acc.add(d.logprobs, { text: d.text });
    const r = acc.result();
    const a = golden.aggregates;
    expect(r.perplexity).toBeCloseTo(a.perplexity as number, 10);
    expect(r.documentPerplexity / (a.documentPerplexity as number)).toBeCloseTo(1, 12);
    expect(r.wordPerplexity).toBeCloseTo(a.wordPerplexity as number, 10);
    expect(r.bytePerplexity).toBeCloseTo(a.bytePerplexity as number, 12);
    expect(r.bitsPerByte).toBeCloseTo(a.bitsPerByte as number, 12);
    expect(r.bitsPerToken).toBeCloseTo(Math.log2(r.perplexity), 12);
    expect(r.tokens).toBe(golden.documents.reduce((s, d) => s + d.logprobs.length, 0));
  });

  it('reads base-2 log-probabilities when asked', () => {
    const e = new PerplexityAccumulator().add([Math.log(0.5), Math.log(0.25)]);
    const two = new PerplexityAccumulator({ logBase: 2 }).add([-1, -2]);
    expect(two.result().perplexity).toBeCloseTo(e.result().perplexity, 14);
    expect(two.result().bitsPerToken).toBeCloseTo(1.5, 14);
    // The base survives serialisation: later adds are still read as log2.
    const restored = PerplexityAccumulator.fromJSON(JSON.parse(JSON.stringify(two)));
    expect(restored.base).toBe(2);
  });

  it('gives delta-method standard errors that shrink with more documents', () => {
    const small = new PerplexityAccumulator();
    const large = new PerplexityAccumulator();
    for (let i = 0; i < 400; i++) {
      const doc = [-(1 + (i % 7) / 3), -(0.5 + (i % 5) / 4), -(i % 3)];
      if (i < 20) small.add(doc, { bytes: 10 + (i % 4), words: 3 });
      large.add(doc, { bytes: 10 + (i % 4), words: 3 });
    }
    const s = small.result();
    const l = large.result();
    expect(l.crossEntropyStandardError).toBeLessThan(s.crossEntropyStandardError);
    expect(l.bitsPerByteStandardError).toBeGreaterThan(0);
    expect(l.perplexityStandardError).toBeCloseTo(l.perplexity * l.crossEntropyStandardError, 12);
    expect(new PerplexityAccumulator().add([-1]).result().crossEntropyStandardError).toBeNaN();
  });

  it('rejects bad log-probabilities, empty documents and mixed sizes with clear errors', () => {
    const acc = new PerplexityAccumulator();
    expect(() => acc.add([-1, Number.NaN])).toThrow(/tokenLogprobs\[1\]/);
    expect(() => acc.add([-1, Number.NEGATIVE_INFINITY])).toThrow(EvalMetricsError);
    expect(() => acc.add([0.2])).toThrow(/log-probability ≤ 0/);
    expect(() => acc.add([])).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
    expect(() => acc.result()).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
    acc.add([-1], { text: 'a b' });
    expect(() => acc.add([-1])).toThrow(/every document its size/);
    expect(() => acc.addTotal(-3, 0)).toThrow(/tokenCount/);
    expect(() => PerplexityAccumulator.fromJSON({} as never)).toThrow(/toJSON/);
  });

  it('merges to the single-pass result for any split (property)', () => {
    const doc = fc.record({
      logprobs: fc.array(fc.double({ min: -30, max: 0, noNaN: true }), {
        minLength: 1,
        maxLength: 8,
      }),
      bytes: fc.integer({ min: 1, max: 500 }),
      words: fc.integer({ min: 1, max: 80 }),
    });
    fc.assert(
      fc.property(
        fc.array(doc, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat()),
        (docs, cuts) => {
          const whole = new PerplexityAccumulator();
          for (const d of docs) whole.add(d.logprobs, d);
          // Split into shards at arbitrary points, accumulate each, ship as JSON, merge.
          const points = [...new Set(cuts.map((c) => c % (docs.length + 1)))].sort((a, b) => a - b);
          const bounds = [0, ...points, docs.length];
          const merged = new PerplexityAccumulator();
          for (let s = 0; s + 1 < bounds.length; s++) {
            const shard = new PerplexityAccumulator();
            for (const d of docs.slice(bounds[s], bounds[s + 1])) shard.add(d.logprobs, d);
            merged.merge(PerplexityAccumulator.fromJSON(JSON.parse(JSON.stringify(shard))));
          }
          const a = whole.result();
          const b = merged.result();
          expect(b.documents).toBe(a.documents);
          expect(b.tokens).toBe(a.tokens);
          expect(b.bytes).toBe(a.bytes);
          for (const key of ['crossEntropy', 'bitsPerByte', 'documentPerplexity'] as const) {
            const x = a[key] as number;
            expect(Math.abs((b[key] as number) - x)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(x)));
          }
        },
      ),
    );
  });
});
