/**
 * Online Elo for streams of battles (Elo, "The Rating of Chessplayers", 1978), exactly as
 * FastChat's `compute_elo` (`fastchat/serve/monitor/elo_analysis.py`): both expected scores from
 * the ratings before the battle, ties score ½, every new model starts at `init`. Order-dependent
 * by design — prefer {@link bradleyTerry} for a leaderboard; use this for a live ticker.
 */
import { describeValue } from '@llmkit/numeric';
import type { Battle } from './battles.js';
import { check, invalid } from './internal/check.js';

/** Options of {@link OnlineElo}. @public */
export interface OnlineEloOptions {
  /** Update step. FastChat uses 4. @defaultValue 4 */
  readonly k?: number;
  /** @defaultValue 400 */
  readonly scale?: number;
  /** @defaultValue 10 */
  readonly base?: number;
  /** Rating of a model's first appearance. @defaultValue 1000 */
  readonly init?: number;
}

/** Serialised {@link OnlineElo}. @public */
export interface OnlineEloState {
  readonly version: 1;
  readonly k: number;
  readonly scale: number;
  readonly base: number;
  readonly init: number;
  readonly ratings: Readonly<Record<string, number>>;
  readonly battles: number;
}

const SCORE: Readonly<Record<string, number>> = {
  model_a: 1,
  model_b: 0,
  tie: 0.5,
  'tie (bothbad)': 0.5,
};

/**
 * Streaming Elo ratings: `update` one battle at a time, read `ratings` at any moment.
 * @example
 * ```ts
 * const elo = new OnlineElo({ k: 4 });
 * elo.update({ model_a: 'a', model_b: 'b', winner: 'model_a' });
 * elo.ratings; // { a: 1002, b: 998 }
 * ```
 * @public
 */
export class OnlineElo {
  private readonly k: number;
  private readonly scale: number;
  private readonly base: number;
  private readonly init: number;
  private readonly values = new Map<string, number>();
  private count = 0;

  constructor(options: OnlineEloOptions = {}) {
    const fn = 'OnlineElo';
    this.k = check.positive(fn, 'options.k', options.k ?? 4);
    this.scale = check.positive(fn, 'options.scale', options.scale ?? 400);
    this.base = check.positive(fn, 'options.base', options.base ?? 10);
    this.init = check.finite(fn, 'options.init', options.init ?? 1000);
  }

  /** Restores ratings from {@link OnlineElo.toJSON}. */
  static fromJSON(state: OnlineEloState): OnlineElo {
    if (state?.version !== 1 || typeof state.ratings !== 'object' || state.ratings === null) {
      invalid('OnlineElo.fromJSON', 'state', 'expected a state from toJSON() (version 1).');
    }
    const elo = new OnlineElo(state);
    for (const [name, value] of Object.entries(state.ratings)) {
      elo.values.set(name, check.finite('OnlineElo.fromJSON', `state.ratings.${name}`, value));
    }
    elo.count = check.integer('OnlineElo.fromJSON', 'state.battles', state.battles, { min: 0 });
    return elo;
  }

  /** Applies one battle. */
  update(battle: Battle): this {
    const fn = 'OnlineElo.update';
    const a = battle?.model_a;
    const b = battle?.model_b;
    if (typeof a !== 'string' || typeof b !== 'string' || a === '' || b === '' || a === b) {
      invalid(
        fn,
        'battle',
        `expected two different non-empty model names, received ${describeValue(a)} and ${describeValue(b)}.`,
      );
    }
    const sa = SCORE[battle.winner as string];
    if (sa === undefined) {
      invalid(
        fn,
        'battle.winner',
        `expected 'model_a', 'model_b', 'tie' or 'tie (bothbad)', received ${describeValue(battle.winner)}.`,
      );
    }
    const ra = this.values.get(a) ?? this.init;
    const rb = this.values.get(b) ?? this.init;
    const ea = 1 / (1 + this.base ** ((rb - ra) / this.scale));
    const eb = 1 / (1 + this.base ** ((ra - rb) / this.scale));
    this.values.set(a, ra + this.k * (sa - ea));
    this.values.set(b, rb + this.k * (1 - sa - eb));
    this.count++;
    return this;
  }

  /** Current rating per model, in order of first appearance. */
  get ratings(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  /** Battles applied. */
  get battles(): number {
    return this.count;
  }

  /** A plain snapshot. */
  toJSON(): OnlineEloState {
    return {
      version: 1,
      k: this.k,
      scale: this.scale,
      base: this.base,
      init: this.init,
      ratings: this.ratings,
      battles: this.count,
    };
  }
}

/**
 * Elo ratings after playing `battles` in order (FastChat's `compute_elo`).
 * @public
 */
export function onlineElo(
  battles: Iterable<Battle>,
  options: OnlineEloOptions = {},
): Record<string, number> {
  const elo = new OnlineElo(options);
  for (const battle of battles) elo.update(battle);
  return elo.ratings;
}
