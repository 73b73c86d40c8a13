/**
 * Battles and their feature rows laid out for the contextual Bradley–Terry fit: validated in
 * yielding chunks, model indices in order of first appearance, outcomes for side A, and the
 * features z-scored as FastChat's `preprocess_for_style` does (numpy's population std).
 */
import { describeValue } from '@llmkit/numeric';
import { type Battle, BattleCounts, type PairCounts } from '../battles.js';
import { notIdentified, unidentifiedModel } from './btFit.js';
import { check, invalid } from './check.js';
import { chunking, forEachRange, visitInChunks } from './chunks.js';
import type { ContextualData } from './contextualFit.js';

export interface StyleBattles extends ContextualData {
  readonly table: BattleCounts;
  /** Feature names, from the first row's keys. */
  readonly names: readonly string[];
  /** Subtracted per feature. */
  readonly mean: Float64Array;
  /** Divided per feature; 0 for a constant feature. */
  readonly scale: Float64Array;
  /** Root mean square of each feature column as fitted (1 when z-scored, 0 when constant). */
  readonly rms: Float64Array;
  /** Throws unless the (weighted) battle graph identifies every rating, when `l2` is 0. */
  checkIdentified(l2: number, weights: Float64Array | undefined, context: string): Promise<void>;
}

const SCORE: Readonly<Record<string, number>> = {
  model_a: 1,
  model_b: 0,
  tie: 0.5,
  'tie (bothbad)': 0.5,
};

export async function styleBattles(
  fn: string,
  battles: readonly Battle[],
  features: readonly object[],
  options: { standardize: boolean; chunkSize: number; signal: AbortSignal | undefined },
): Promise<StyleBattles> {
  const first = features[0];
  const names = typeof first === 'object' && first !== null ? Object.keys(first) : [];
  if (names.length === 0) {
    invalid(
      fn,
      'features[0]',
      `expected an object of named numbers such as styleFeatures() returns, received ${describeValue(first)}.`,
    );
  }
  const n = battles.length;
  const s = names.length;
  const table = new BattleCounts();
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n * s);
  // Unordered pair of each battle, for the identifiability check of resamples.
  const pairOf = new Int32Array(n);
  const pairIndex = new Map<PairCounts, number>();
  const pairFirst: number[] = [];
  const pairSecond: number[] = [];
  const visit = (battle: Battle, i: number) => {
    const cell = table.record(fn, i, battle);
    let pair = pairIndex.get(cell);
    if (pair === undefined) {
      pair = pairFirst.length;
      pairIndex.set(cell, pair);
      pairFirst.push(cell.first);
      pairSecond.push(cell.second);
    }
    pairOf[i] = pair;
    const aFirst = table.models[cell.first] === battle.model_a;
    a[i] = aFirst ? cell.first : cell.second;
    b[i] = aFirst ? cell.second : cell.first;
    y[i] = SCORE[battle.winner] as number;
    const row = features[i] as Record<string, unknown> | undefined;
    if (typeof row !== 'object' || row === null) {
      invalid(
        fn,
        `features[${i}]`,
        `expected an object like features[0], received ${describeValue(row)}.`,
      );
    }
    for (let k = 0; k < s; k++) {
      const value = row[names[k] as string];
      // The argument's name is only built for the error.
      z[i * s + k] =
        typeof value === 'number' && Number.isFinite(value)
          ? value
          : check.finite(fn, `features[${i}].${names[k]}`, value);
    }
  };
  const chunks = chunking(fn, {
    chunkSize: options.chunkSize,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  await visitInChunks(fn, 'battles', battles, visit, chunks);

  // Row-wise passes in yielding chunks: sums and extremes, squared deviations, then the transform.
  const range = (body: (begin: number, end: number) => void) =>
    forEachRange(fn, n, options.chunkSize, options.signal, body);
  const sum = new Float64Array(s);
  const largest = new Float64Array(s);
  // 1 once a value differs from the first battle's.
  const varies = new Uint8Array(s);
  await range((begin, end) => {
    for (let i = begin; i < end; i++) {
      for (let k = 0; k < s; k++) {
        const v = z[i * s + k] as number;
        sum[k] = (sum[k] as number) + v;
        largest[k] = Math.max(largest[k] as number, Math.abs(v));
        if (v !== z[k]) varies[k] = 1;
      }
    }
  });
  const mean = new Float64Array(s);
  const scale = new Float64Array(s).fill(1);
  if (options.standardize) {
    for (let k = 0; k < s; k++) mean[k] = (sum[k] as number) / n;
    const squares = new Float64Array(s);
    await range((begin, end) => {
      for (let i = begin; i < end; i++) {
        for (let k = 0; k < s; k++) {
          squares[k] =
            (squares[k] as number) + ((z[i * s + k] as number) - (mean[k] as number)) ** 2;
        }
      }
    });
    for (let k = 0; k < s; k++) scale[k] = Math.sqrt((squares[k] as number) / n);
  }
  // A feature without information gets a zero column and keeps coefficient 0: when z-scoring, one
  // equal in every battle (tested exactly: the rounding of its mean would leave deviations of
  // ~1e-17 that z-scoring blows up to ±1, as numpy does); without, an all-zero one (a nonzero
  // constant is then an advantage for side A, which the fit estimates).
  const inactive: number[] = [];
  const off = new Uint8Array(s);
  for (let k = 0; k < s; k++) {
    const informative = options.standardize
      ? varies[k] === 1 && (scale[k] as number) > 0
      : (largest[k] as number) > 0;
    if (!informative) {
      scale[k] = 0;
      off[k] = 1;
      inactive.push(k);
    }
  }
  const squares = new Float64Array(s);
  await range((begin, end) => {
    for (let i = begin; i < end; i++) {
      for (let k = 0; k < s; k++) {
        let v = z[i * s + k] as number;
        if (off[k]) v = 0;
        else if (options.standardize) v = (v - (mean[k] as number)) / (scale[k] as number);
        z[i * s + k] = v;
        squares[k] = (squares[k] as number) + v * v;
      }
    }
  });
  const rms = squares.map((q) => Math.sqrt(q / n));
  const m = table.models.length;
  return {
    models: m,
    features: s,
    a,
    b,
    y,
    z,
    inactive,
    table,
    names,
    mean,
    scale,
    rms,
    async checkIdentified(l2, weights, context) {
      if (l2 > 0) return;
      const total = new Float64Array(pairFirst.length);
      const score = new Float64Array(pairFirst.length);
      await range((begin, end) => {
        for (let i = begin; i < end; i++) {
          const w = weights === undefined ? 1 : (weights[i] as number);
          if (w === 0) continue;
          const p = pairOf[i] as number;
          const yi = y[i] as number;
          total[p] = (total[p] as number) + w;
          score[p] = (score[p] as number) + w * (a[i] === pairFirst[p] ? yi : 1 - yi);
        }
      });
      const bad = unidentifiedModel(
        {
          first: Int32Array.from(pairFirst),
          second: Int32Array.from(pairSecond),
          battles: total,
          score,
        },
        m,
      );
      if (bad !== -1) throw notIdentified(fn, table.models[bad] as string, context);
    },
  };
}
