import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { type LengthControlledRow, lengthControlledWinRate } from './lengthControlledWinRate.js';

interface LcResult {
  winRate: number;
  standardError: number;
  lcWinRate: number;
  lcStandardError: number;
  weights: [number, number, number];
  C: number;
  predicted: number[];
}
interface LcCase {
  name: string;
  rows: (LengthControlledRow & { difficulty: number })[];
  gamed: {
    kind: 'verbose' | 'concise';
    preference: number;
    stdDeltaLen: number;
    instructionDifficulty: number;
  }[];
  alpacaDefault: LcResult;
  converged: LcResult;
  noRegularization: LcResult;
}

const { cases } = fixture<{ cases: LcCase[] }>('lc_winrate.json');

function run(c: LcCase, withGamed: boolean) {
  const gamed = c.gamed.map((g) => ({
    preference: g.preference,
    standardizedLengthDelta: g.stdDeltaLen,
    instructionDifficulty: g.instructionDifficulty,
  }));
  return lengthControlledWinRate(c.rows, {
    instructionDifficulty: c.rows.map((r) => r.difficulty),
    ...(withGamed
      ? {
          gamedBaselines: {
            verbose: gamed.filter((_, i) => c.gamed[i]?.kind === 'verbose'),
            concise: gamed.filter((_, i) => c.gamed[i]?.kind === 'concise'),
          },
        }
      : {}),
  });
}

describe('lengthControlledWinRate', () => {
  it.each(cases)(
    'matches alpaca_eval length_controlled_v1 (scikit-learn, converged) on $name',
    (c) => {
      const ours = run(c, true);
      const ref = c.converged;
      expect(ours.winRate).toBeCloseTo(ref.winRate, 14);
      expect(ours.standardError).toBeCloseTo(ref.standardError, 14);
      expect(ours.c).toBeCloseTo(ref.C, 10);
      expect(ours.lcWinRate).toBeCloseTo(ref.lcWinRate, 6);
      expect(ours.lcStandardError).toBeCloseTo(ref.lcStandardError, 6);
      expect(ours.weights.length).toBeCloseTo(ref.weights[0], 4);
      expect(ours.weights.instructionDifficulty).toBeCloseTo(ref.weights[1], 5);
      expect(ours.weights.notGamedBaseline).toBeCloseTo(ref.weights[2], 5);
      // alpaca_eval's own tolerance (liblinear tol 1e-4) moves the 5th digit at most.
      expect(Math.abs(ours.lcWinRate - c.alpacaDefault.lcWinRate)).toBeLessThan(1e-4);
    },
  );

  it.each(cases)('matches the unregularised variant (length_controlled_noreg) on $name', (c) => {
    const ours = run(c, false);
    expect(ours.lcWinRate).toBeCloseTo(c.noRegularization.lcWinRate, 6);
    expect(ours.c).toBeCloseTo(c.noRegularization.C, 10);
  });

  it('counts lengths in code points, not UTF-16 units', () => {
    // '🚀' is one code point but two UTF-16 units: 10 rockets and 10 letters are equally long.
    const rows: LengthControlledRow[] = Array.from({ length: 10 }, (_, i) => ({
      instruction: `q${i}`,
      output: i % 2 ? '🚀'.repeat(10 + i) : 'x'.repeat(10 + i),
      baselineOutput: 'y'.repeat(10 + i),
      preference: i % 3 === 0 ? 1 : 0,
    }));
    const result = lengthControlledWinRate(rows, { instructionDifficulty: rows.map(() => 0) });
    expect(result.weights.length).toBe(0); // every Δlen is 0
  });

  it('rejects bad rows and options with clear errors', () => {
    const row = { instruction: 'a', output: 'x', baselineOutput: 'y', preference: 0.5 };
    expect(() => lengthControlledWinRate([], { instructionDifficulty: [] })).toThrow(
      /at least one/,
    );
    expect(() =>
      lengthControlledWinRate([{ ...row, preference: 2 }], { instructionDifficulty: [0] }),
    ).toThrow(/rows\[0\]\.preference/);
    expect(() => lengthControlledWinRate([row], { instructionDifficulty: { b: 1 } })).toThrow(
      /no entry/,
    );
    expect(() => lengthControlledWinRate([row, row], { instructionDifficulty: [0, 0] })).toThrow(
      /folds/,
    );
    expect(() => lengthControlledWinRate([row], {} as never)).toThrow(/instructionDifficulty/);
  });
});
