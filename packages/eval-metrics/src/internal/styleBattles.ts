/**
 * Battles and their feature rows laid out for the contextual Bradley–Terry fit: validated in
 * yielding chunks, model indices in order of first appearance, outcomes for side A, and the
 * features z-scored as FastChat's `preprocess_for_style` does (numpy's population std).
 */
import { describeValue } from '@llmkit/numeric';
import { type Battle, BattleCounts } from '../battles.js';
import { notIdentified, unidentifiedModel } from './btFit.js';
import { check, invalid } from './check.js';
import { chunking, visitInChunks } from './chunks.js';
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
  checkIdentified(l2: number, weights: Float64Array | undefined, context: string): void;
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
  const index = new Map<string, number>();
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n * s);
  const visit = (battle: Battle, i: number) => {
    const known = table.models.length;
    table.record(fn, `battles[${i}]`, battle);
    for (let k = known; k < table.models.length; k++) index.set(table.models[k] as string, k);
    a[i] = index.get(battle.model_a) as number;
    b[i] = index.get(battle.model_b) as number;
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
      z[i * s + k] = check.finite(fn, `features[${i}].${names[k]}`, row[names[k] as string]);
    }
  };
  const chunks = chunking(fn, {
    chunkSize: options.chunkSize,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  await visitInChunks(fn, 'battles', battles, visit, chunks);

  const mean = new Float64Array(s);
  const scale = new Float64Array(s).fill(1);
  const inactive: number[] = [];
  for (let k = 0; k < s; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += z[i * s + k] as number;
    let spread = 0;
    if (options.standardize) {
      mean[k] = sum / n;
      for (let i = 0; i < n; i++) spread += ((z[i * s + k] as number) - (mean[k] as number)) ** 2;
      scale[k] = Math.sqrt(spread / n);
    } else {
      for (let i = 0; i < n; i++) spread = Math.max(spread, Math.abs(z[i * s + k] as number));
    }
    const sd = scale[k] as number;
    if (!(spread > 0) || !(sd > 0)) {
      // A constant feature carries no information: its column is 0 and its coefficient stays 0.
      scale[k] = 0;
      inactive.push(k);
      for (let i = 0; i < n; i++) z[i * s + k] = 0;
    } else if (options.standardize) {
      for (let i = 0; i < n; i++)
        z[i * s + k] = ((z[i * s + k] as number) - (mean[k] as number)) / sd;
    }
  }

  const rms = new Float64Array(s);
  for (let k = 0; k < s; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (z[i * s + k] as number) ** 2;
    rms[k] = Math.sqrt(sum / n);
  }
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
    checkIdentified(l2, weights, context) {
      if (l2 > 0) return;
      const pairs = new Map<number, number>();
      const first: number[] = [];
      const second: number[] = [];
      const total: number[] = [];
      const score: number[] = [];
      for (let i = 0; i < n; i++) {
        const w = weights === undefined ? 1 : (weights[i] as number);
        if (w === 0) continue;
        const ai = a[i] as number;
        const bi = b[i] as number;
        const lo = Math.min(ai, bi);
        const key = lo * m + Math.max(ai, bi);
        let p = pairs.get(key);
        if (p === undefined) {
          p = first.length;
          pairs.set(key, p);
          first.push(lo);
          second.push(Math.max(ai, bi));
          total.push(0);
          score.push(0);
        }
        total[p] = (total[p] as number) + w;
        score[p] = (score[p] as number) + w * (ai === lo ? (y[i] as number) : 1 - (y[i] as number));
      }
      const bad = unidentifiedModel(
        {
          first: Int32Array.from(first),
          second: Int32Array.from(second),
          battles: Float64Array.from(total),
          score: Float64Array.from(score),
        },
        m,
      );
      if (bad !== -1) throw notIdentified(fn, table.models[bad] as string, context);
    },
  };
}
