/**
 * Pairwise battles in the public Chatbot Arena log format (`{model_a, model_b, winner}` with
 * winner `'model_a' | 'model_b' | 'tie' | 'tie (bothbad)'`, as FastChat's `clean_battle_data.py`
 * writes them), and {@link BattleCounts}: a streaming, mergeable table of how often each unordered
 * pair ended each way. Bradley–Terry needs only these counts — the likelihood of a log is a sum
 * over identical rows — so a million battles among 100 models collapse to at most 4,950 × 3
 * cells, and a bootstrap resample is a multinomial draw over the cells (see `bootstrapRatings`).
 */
import { describeValue } from '@llmkit/numeric';
import type { ChunkedOptions } from './chunkedOptions.js';
import { EvalMetricsError } from './errors.js';
import { check, invalid } from './internal/check.js';
import { chunking, visitInChunks } from './internal/chunks.js';

/** A battle outcome in the arena log format. @public */
export type BattleWinner = 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';

/** One battle between two models. Extra fields (timestamps, judges, …) are ignored. @public */
export interface Battle {
  readonly model_a: string;
  readonly model_b: string;
  readonly winner: BattleWinner;
}

/** Serialised {@link BattleCounts}. @public */
export interface BattleCountsState {
  readonly version: 1;
  readonly models: readonly string[];
  /** [first, second, first wins, ties, second wins] with first < second (indices into `models`). */
  readonly cells: readonly (readonly [number, number, number, number, number])[];
}

/** Outcome counts of one unordered pair (`first` is the lower model index). @public */
export interface PairCounts {
  readonly first: number;
  readonly second: number;
  /** [first wins, ties, second wins]. */
  readonly counts: Float64Array;
}

const MAX_MODELS = 1 << 20;

/**
 * Counts of battle outcomes per unordered model pair; add battles as they arrive, merge tables
 * from several workers, and fit ratings from the counts.
 *
 * @example
 * ```ts
 * const table = new BattleCounts();
 * table.add({ model_a: 'gpt', model_b: 'llama', winner: 'model_a' });
 * table.add({ model_a: 'llama', model_b: 'gpt', winner: 'tie (bothbad)' });
 * table.battles; // 2
 * ```
 * @public
 */
export class BattleCounts {
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly cells = new Map<number, PairCounts>();
  private total = 0;

  /**
   * Builds a table from a list of battles, synchronously (about 0.1 µs per battle: a million
   * battles hold the thread for ~0.1 s). In a service, prefer {@link BattleCounts.fromAsync}.
   */
  static from(battles: readonly Battle[]): BattleCounts {
    if (!Array.isArray(battles)) {
      invalid(
        'BattleCounts.from',
        'battles',
        `expected an array of battles, received ${describeValue(battles)}.`,
      );
    }
    const table = new BattleCounts();
    for (let i = 0; i < battles.length; i++) table.record('BattleCounts.from', i, battles[i]);
    return table;
  }

  /**
   * Builds a table from an array, an iterable or an async iterable of battles (e.g. the parsed
   * lines of a log stream), giving the event loop a turn after every `chunkSize` battles.
   *
   * @example
   * ```ts
   * const table = await BattleCounts.fromAsync(battles, { signal, onProgress: (n) => log(n) });
   * ```
   * @throws EvalMetricsError on a malformed battle (naming its index), or `ABORTED`.
   */
  static async fromAsync(
    battles: Iterable<Battle> | AsyncIterable<Battle>,
    options: ChunkedOptions = {},
  ): Promise<BattleCounts> {
    const fn = 'BattleCounts.fromAsync';
    const table = new BattleCounts();
    const visit = (battle: Battle, i: number) => table.record(fn, i, battle);
    await visitInChunks(fn, 'battles', battles, visit, chunking(fn, options));
    return table;
  }

  /** Restores a table from {@link BattleCounts.toJSON}. */
  static fromJSON(state: BattleCountsState): BattleCounts {
    const fn = 'BattleCounts.fromJSON';
    if (state?.version !== 1 || !Array.isArray(state.models) || !Array.isArray(state.cells)) {
      invalid(fn, 'state', 'expected a state from toJSON() (version 1).');
    }
    const table = new BattleCounts();
    for (const name of state.models) table.modelIndex(fn, 'state.models', name);
    for (const [k, cell] of state.cells.entries()) {
      const [first, second, ...counts] = cell;
      const lo = check.integer(fn, `state.cells[${k}][0]`, first, {
        min: 0,
        max: table.names.length - 1,
      });
      const hi = check.integer(fn, `state.cells[${k}][1]`, second, {
        min: lo + 1,
        max: table.names.length - 1,
      });
      const target = table.cell(lo, hi);
      for (let o = 0; o < 3; o++) {
        const c = check.integer(fn, `state.cells[${k}][${o + 2}]`, counts[o], { min: 0 });
        target.counts[o] = (target.counts[o] as number) + c;
        table.total += c;
      }
    }
    return table;
  }

  /** Adds one battle. @throws EvalMetricsError on a malformed battle or a model battling itself. */
  add(battle: Battle): this {
    this.record('BattleCounts.add', 'battle', battle);
    return this;
  }

  /** Adds many battles. */
  addAll(battles: Iterable<Battle>): this {
    let i = 0;
    for (const battle of battles) this.record('BattleCounts.addAll', i++, battle);
    return this;
  }

  /** Folds another table into this one (model names are matched, not indices). */
  merge(other: BattleCounts): this {
    if (!(other instanceof BattleCounts)) {
      invalid(
        'BattleCounts.merge',
        'other',
        'expected a BattleCounts; restore JSON with fromJSON().',
      );
    }
    for (const cell of other.cells.values()) {
      const a = this.modelIndex('BattleCounts.merge', 'other', other.names[cell.first] as string);
      const b = this.modelIndex('BattleCounts.merge', 'other', other.names[cell.second] as string);
      const target = a < b ? this.cell(a, b) : this.cell(b, a);
      const c = cell.counts;
      target.counts[0] =
        (target.counts[0] as number) + (a < b ? (c[0] as number) : (c[2] as number));
      target.counts[1] = (target.counts[1] as number) + (c[1] as number);
      target.counts[2] =
        (target.counts[2] as number) + (a < b ? (c[2] as number) : (c[0] as number));
    }
    for (const name of other.names) this.modelIndex('BattleCounts.merge', 'other', name);
    this.total += other.total;
    return this;
  }

  /** Battles added. */
  get battles(): number {
    return this.total;
  }

  /** Model names in order of first appearance. */
  get models(): readonly string[] {
    return this.names;
  }

  /** The non-empty pair cells. */
  pairs(): PairCounts[] {
    return [...this.cells.values()];
  }

  /** Battles each model took part in, by name. */
  battlesPerModel(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.names) out[name] = 0;
    for (const cell of this.cells.values()) {
      const n =
        (cell.counts[0] as number) + (cell.counts[1] as number) + (cell.counts[2] as number);
      out[this.names[cell.first] as string] = (out[this.names[cell.first] as string] as number) + n;
      out[this.names[cell.second] as string] =
        (out[this.names[cell.second] as string] as number) + n;
    }
    return out;
  }

  /** A plain snapshot for another worker or storage. */
  toJSON(): BattleCountsState {
    return {
      version: 1,
      models: [...this.names],
      cells: this.pairs().map((c) => [
        c.first,
        c.second,
        c.counts[0] as number,
        c.counts[1] as number,
        c.counts[2] as number,
      ]),
    };
  }

  /**
   * @internal Adds a battle, naming `fn(argument)` in errors; a number i stands for `battles[i]`
   * (the name is only built for an error). Returns the battle's pair cell.
   */
  record(fn: string, argument: string | number, battle: Battle | undefined): PairCounts {
    if (typeof battle !== 'object' || battle === null) {
      invalid(
        fn,
        argumentName(argument),
        `expected {model_a, model_b, winner}, received ${describeValue(battle)}.`,
      );
    }
    const a = battle.model_a;
    const b = battle.model_b;
    if (typeof a !== 'string' || a === '' || typeof b !== 'string' || b === '') {
      invalid(fn, argumentName(argument), 'expected model_a and model_b to be non-empty strings.');
    }
    if (a === b) {
      invalid(
        fn,
        argumentName(argument),
        `model ${JSON.stringify(a)} battles itself; drop self-battles before rating.`,
      );
    }
    const outcome = OUTCOME[battle.winner as string];
    if (outcome === undefined) {
      invalid(
        fn,
        `${argumentName(argument)}.winner`,
        `expected 'model_a', 'model_b', 'tie' or 'tie (bothbad)', received ${describeValue(battle.winner)}.`,
      );
    }
    const i = this.modelIndex(fn, argument, a);
    const j = this.modelIndex(fn, argument, b);
    const cell = i < j ? this.cell(i, j) : this.cell(j, i);
    // Outcome from the first (lower-index) model's side: 0 first wins, 1 tie, 2 second wins.
    const slot = outcome === 1 ? 1 : (outcome === 0) === i < j ? 0 : 2;
    cell.counts[slot] = (cell.counts[slot] as number) + 1;
    this.total++;
    return cell;
  }

  private modelIndex(fn: string, argument: string | number, name: unknown): number {
    if (typeof name !== 'string' || name === '') {
      invalid(
        fn,
        argumentName(argument),
        `expected a non-empty model name, received ${describeValue(name)}.`,
      );
    }
    let i = this.index.get(name);
    if (i === undefined) {
      if (this.names.length >= MAX_MODELS) {
        throw new EvalMetricsError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument: argumentName(argument),
          detail: `more than ${MAX_MODELS} models.`,
        });
      }
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }

  private cell(lo: number, hi: number): PairCounts {
    const key = lo * MAX_MODELS + hi;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { first: lo, second: hi, counts: new Float64Array(3) };
      this.cells.set(key, cell);
    }
    return cell;
  }
}

function argumentName(argument: string | number): string {
  return typeof argument === 'number' ? `battles[${argument}]` : argument;
}

/** 0: model_a won, 1: tie, 2: model_b won. */
const OUTCOME: Readonly<Record<string, number>> = {
  model_a: 0,
  tie: 1,
  'tie (bothbad)': 1,
  model_b: 2,
};
