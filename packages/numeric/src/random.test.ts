import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericError } from './errors.js';
import { Random } from './random.js';

// Reference outputs of the C code at https://prng.di.unimi.it/xoshiro128starstar.c, seeded with
// splitmix64(42) as s[0] = low32(a), s[1] = high32(a), s[2] = low32(b), s[3] = high32(b).
const SEED_42_STATE = [803958421, 3184996902, 2993090819, 686809907];
const SEED_42_FIRST_SIX = [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222];
const SEED_42_AFTER_SIX_THEN_JUMP = [522687129, 3947332612, 1291960882, 893356717];

describe('Random', () => {
  it('seeds with SplitMix64 and reproduces the reference xoshiro128** stream', () => {
    const rng = new Random(42);
    expect(rng.getState().words).toEqual(SEED_42_STATE);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual(SEED_42_FIRST_SIX);
  });

  it('split() hands the current stream to the child and jumps 2^64 ahead like the reference jump()', () => {
    const rng = new Random(42);
    for (let i = 0; i < 6; i++) rng.nextUint32();
    const child = rng.split();
    expect(Array.from({ length: 4 }, () => rng.nextUint32())).toEqual(SEED_42_AFTER_SIX_THEN_JUMP);
    const reference = new Random(42);
    for (let i = 0; i < 6; i++) reference.nextUint32();
    expect(child.nextUint32()).toBe(reference.nextUint32());
  });

  it('accepts bigint seeds equal to number seeds', () => {
    expect(new Random(42n).nextUint32()).toBe(new Random(42).nextUint32());
  });

  it('fork(key) is deterministic, does not draw, and differs by key', () => {
    const rng = new Random(7);
    const before = rng.getState();
    const a1 = rng.fork(3).uniform();
    const a2 = rng.fork(3).uniform();
    const b = rng.fork(4).uniform();
    const s = rng.fork('3').uniform();
    expect(rng.getState()).toEqual(before);
    expect(a1).toBe(a2);
    expect(new Set([a1, b, s]).size).toBe(3);
  });

  it('getState/fromState resume the exact stream, including a cached normal', () => {
    const rng = new Random(1);
    rng.normal();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const resumed = Random.fromState(saved);
    expect([resumed.normal(), resumed.uniform()]).toEqual([rng.normal(), rng.uniform()]);
  });

  it('uniform() covers [0, 1) with the right mean and variance', () => {
    const rng = new Random(123);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    // Mean 1/2 (sd of the estimate 0.00065), variance 1/12.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal() has mean, standard deviation and tails of N(μ, σ²)', () => {
    const rng = new Random(99);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let beyondTwo = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 2) beyondTwo++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.015);
    // P(|Z| > 2) = 0.0455.
    expect(Math.abs(beyondTwo / n - 0.0455)).toBeLessThan(0.003);
    expect(new Random(5).normal(10, 0)).toBe(10);
  });

  it('int(n) is unbiased: a chi-squared test over 7 buckets passes', () => {
    const rng = new Random(2024);
    const counts = new Array(7).fill(0);
    const draws = 70_000;
    for (let i = 0; i < draws; i++) counts[rng.int(7)]++;
    const expected = draws / 7;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-squared with 6 degrees of freedom is 22.46.
    expect(chi2).toBeLessThan(22.46);
  });

  it('int(n) handles ranges above 2^32', () => {
    const rng = new Random(3);
    const n = 2 ** 40 + 3;
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(n);
      expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
    }
  });

  it('shuffle and permutation give permutations; sampling stays in range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 50 }),
        (seed, n) => {
          const rng = new Random(seed);
          const items = Array.from({ length: n }, (_, i) => i);
          const shuffled = rng.shuffle([...items]);
          expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
          expect(Array.from(rng.permutation(n)).sort((a, b) => a - b)).toEqual(items);
          if (n > 0) {
            for (const i of rng.sampleIndices(n, 20)) expect(i).toBeLessThan(n);
            const k = rng.integer(-3, 3);
            expect(k >= -3 && k <= 3).toBe(true);
          }
        },
      ),
    );
  });

  it('rejects bad seeds and arguments with NumericError naming them', () => {
    expect(() => new Random(-1)).toThrow(/Random\(seed\).*received -1/);
    expect(() => new Random(1.5)).toThrow(NumericError);
    expect(() => new Random(2n ** 64n)).toThrow(/seed/);
    expect(() => new Random(1).int(0)).toThrow(/Random.int\(n\)/);
    expect(() => new Random(1).uniformRange(2, 1)).toThrow(/high > low/);
    expect(() => new Random(1).sampleWithReplacement([])).toThrow(/non-empty/);
    expect(() =>
      Random.fromState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0], spareNormal: null }),
    ).toThrow(/getState/);
  });
});
