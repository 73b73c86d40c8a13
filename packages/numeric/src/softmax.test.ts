import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax } from './softmax.js';

describe('softmax', () => {
  it('sums to 1 and is positive for any finite logits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (xs) => {
          const p = softmax(xs);
          expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
          for (const pi of p) expect(pi).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('overflow: [100, 100] and [1e4, 1e4] give [0.5, 0.5]', () => {
    expect(Array.from(softmax([100, 100]))).toEqual([0.5, 0.5]);
    expect(Array.from(softmax([1e4, 1e4]))).toEqual([0.5, 0.5]);
  });

  it('underflow: a dominant logit takes all mass, −Infinity gets 0', () => {
    expect(Array.from(softmax([0, -1e4]))).toEqual([1, 0]);
    expect(Array.from(softmax([0, Number.NEGATIVE_INFINITY]))).toEqual([1, 0]);
  });

  it('logSoftmax is log of softmax and invariant to shifts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (xs, c) => {
          const a = logSoftmax(xs);
          const b = logSoftmax(xs.map((x) => x + c));
          const p = softmax(xs);
          a.forEach((v, i) => {
            expect(v).toBeCloseTo(b[i] as number, 9);
            expect(Math.exp(v)).toBeCloseTo(p[i] as number, 12);
          });
        },
      ),
    );
  });

  it('rejects inputs with no distribution', () => {
    expect(() => softmax([])).toThrow(/softmax\(values\): expected at least one value/);
    expect(() => softmax([Number.NEGATIVE_INFINITY])).toThrow(/every entry is -Infinity/);
    expect(() => logSoftmax([Number.POSITIVE_INFINITY, 0])).toThrow(
      /logSoftmax\(values\).*\+Infinity/,
    );
  });
});
