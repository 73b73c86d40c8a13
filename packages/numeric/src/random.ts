/**
 * A seeded pseudo-random generator: xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", 2021; reference C at https://prng.di.unimi.it/xoshiro128starstar.c).
 *
 * 128 bits of state, period 2^128 − 1, 32-bit outputs from `Math.imul`, so it is fast in any
 * JavaScript engine and gives the same stream everywhere. The state is seeded from the seed
 * with SplitMix64, as the authors recommend. `split()` uses the generator's jump function to
 * hand out non-overlapping streams of 2^64 draws; `fork(key)` derives a child stream from the
 * current state and a key without drawing, so parallel work (bootstrap round i) can be
 * reproduced in any order. Not for cryptography.
 */

import { NumericError } from './errors.js';
import { check } from './internal/check.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const MASK_64 = (1n << 64n) - 1n;
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

/** The serialisable state of a {@link Random}, for checkpoints. @public */
export interface RandomState {
  /** Format tag. */
  readonly algorithm: 'xoshiro128**';
  /** The four 32-bit state words. */
  readonly words: readonly [number, number, number, number];
  /** A cached second normal deviate from Box–Muller, or null. */
  readonly spareNormal: number | null;
}

/** SplitMix64 (Steele, Lea & Flood 2014), used only to expand seeds into state words. */
function splitMix64Words(seed: bigint, count: number): number[] {
  const words: number[] = [];
  let state = seed & MASK_64;
  while (words.length < count) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    z ^= z >> 31n;
    words.push(Number(z & 0xffffffffn), Number(z >> 32n));
  }
  return words;
}

/** FNV-1a over a string's UTF-16 units, to turn a string key into a 32-bit number. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Seeded xoshiro128** generator with uniform, normal and integer draws, shuffling, sampling
 * and independent streams.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.uniform();            // 0.41… in [0, 1)
 * rng.int(6);               // a die roll in 0..5
 * const child = rng.fork('bootstrap-round-7');
 * ```
 * @public
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /**
   * @param seed - a non-negative safe integer or a bigint below 2^64; equal seeds give equal
   * streams on every platform.
   */
  constructor(seed: number | bigint) {
    const seedBig =
      typeof seed === 'bigint'
        ? seed
        : BigInt(check.integer('Random', 'seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER }));
    if (seedBig < 0n || seedBig > MASK_64) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'Random',
        argument: 'seed',
        detail: `expected a bigint in [0, 2^64), received ${seedBig}n.`,
      });
    }
    const [a, b, c, d] = splitMix64Words(seedBig, 4) as [number, number, number, number];
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
  }

  /** Restores a generator from {@link Random.getState}. */
  static fromState(state: RandomState): Random {
    const words = state?.words;
    const valid =
      state?.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) &&
      words.some((w) => w !== 0) &&
      (state.spareNormal === null || Number.isFinite(state.spareNormal));
    if (!valid) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'Random.fromState',
        argument: 'state',
        detail:
          'expected {algorithm: "xoshiro128**", words: four uint32 not all zero, spareNormal: number | null}, as returned by getState().',
      });
    }
    const rng = new Random(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words;
    rng.spare = state.spareNormal;
    return rng;
  }

  /** The full state, JSON-serialisable; `Random.fromState` resumes the exact stream. */
  getState(): RandomState {
    return {
      algorithm: 'xoshiro128**',
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spareNormal: this.spare,
    };
  }

  /** The next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** A uniform double in [low, high). */
  uniformRange(low: number, high: number): number {
    check.finite('Random.uniformRange', 'low', low);
    check.finite('Random.uniformRange', 'high', high);
    if (!(high > low)) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'Random.uniformRange',
        argument: 'high',
        detail: `expected high > low, received low = ${low}, high = ${high}.`,
      });
    }
    return low + (high - low) * this.uniform();
  }

  /**
   * A normal deviate by the Marsaglia polar method (the second deviate of each pair is kept
   * for the next call).
   * @param mean - @defaultValue 0
   * @param standardDeviation - must be ≥ 0. @defaultValue 1
   */
  normal(mean = 0, standardDeviation = 1): number {
    check.finite('Random.normal', 'mean', mean);
    check.nonNegative('Random.normal', 'standardDeviation', standardDeviation);
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + standardDeviation * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * factor;
    return mean + standardDeviation * u * factor;
  }

  /**
   * A uniform integer in [0, n), unbiased (rejection sampling).
   * @param n - a positive safe integer.
   */
  int(n: number): number {
    check.integer('Random.int', 'n', n, { min: 1 });
    if (n <= TWO_POW_32) {
      // Reject the top partial block of 2^32 so that every residue is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return x % n;
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let x = this.uniform() * TWO_POW_53;
    while (x >= limit) x = this.uniform() * TWO_POW_53;
    return x % n;
  }

  /** A uniform integer in [min, max], both inclusive. */
  integer(min: number, max: number): number {
    check.integer('Random.integer', 'min', min);
    check.integer('Random.integer', 'max', max, { min });
    return min + this.int(max - min + 1);
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    if (!Array.isArray(array)) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'Random.shuffle',
        argument: 'array',
        detail: 'expected an array; copy a typed array with Array.from() first.',
      });
    }
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i] as T;
      array[i] = array[j] as T;
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n−1. */
  permutation(n: number): Uint32Array {
    check.integer('Random.permutation', 'n', n, { min: 0, max: TWO_POW_32 - 1 });
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as number;
      out[i] = out[j] as number;
      out[j] = tmp;
    }
    return out;
  }

  /**
   * `count` indices drawn uniformly with replacement from 0..n−1 (a bootstrap resample).
   * @param n - population size, ≥ 1.
   * @param count - number of draws. @defaultValue n
   */
  sampleIndices(n: number, count: number = n): Uint32Array {
    check.integer('Random.sampleIndices', 'n', n, { min: 1, max: TWO_POW_32 });
    check.integer('Random.sampleIndices', 'count', count, { min: 0, max: TWO_POW_32 - 1 });
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.int(n);
    return out;
  }

  /** `count` elements of `items` drawn uniformly with replacement. */
  sampleWithReplacement<T>(items: readonly T[], count: number = items.length): T[] {
    if (!Array.isArray(items) || items.length === 0) {
      throw new NumericError({
        code: 'EMPTY_INPUT',
        fn: 'Random.sampleWithReplacement',
        argument: 'items',
        detail: 'expected a non-empty array to draw from.',
      });
    }
    const indices = this.sampleIndices(items.length, count);
    return Array.from(indices, (i) => items[i] as T);
  }

  /** One element of `items`, uniformly. */
  choice<T>(items: readonly T[]): T {
    return this.sampleWithReplacement(items, 1)[0] as T;
  }

  /**
   * Splits off an independent stream: the child continues from the current state and this
   * generator jumps 2^64 draws ahead, so the two never overlap within 2^64 draws each.
   */
  split(): Random {
    const child = Random.fromState(this.getState());
    this.spare = null;
    this.jump();
    return child;
  }

  /**
   * A child stream derived from the current state and `key`, without drawing from this
   * generator: the same state and key always give the same child, different keys give
   * unrelated streams (the mixed words seed SplitMix64 afresh).
   */
  fork(key: number | string): Random {
    const keyWord =
      typeof key === 'string'
        ? hashKey(key)
        : check.integer('Random.fork', 'key', key, { min: 0, max: TWO_POW_32 - 1 });
    let mixed = 0n;
    for (const w of [this.s0, this.s1, this.s2, this.s3]) {
      mixed = ((mixed * 0x100000001b3n) ^ BigInt(w >>> 0)) & MASK_64;
    }
    mixed = (mixed ^ (BigInt(keyWord) << 32n) ^ BigInt(typeof key === 'string' ? 1 : 0)) & MASK_64;
    return new Random(mixed);
  }

  /** Advances the state by 2^64 draws (the reference `jump()`). */
  private jump(): void {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.nextUint32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
