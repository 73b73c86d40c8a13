/**
 * Training batches drawn from one long token stream, as nanoGPT's `get_batch` draws them:
 * each row is a window of T tokens starting at a uniformly random offset, and its targets are
 * the same window shifted by one. The sampler's position is its generator's state, so a
 * checkpoint that stores {@link TokenBatches.state} resumes the exact sequence of batches.
 */
import { Random, type RandomState } from '@llmkit/numeric';
import { check, invalid } from './internal/check.js';
import type { TrainBatch } from './trainStep.js';

/** Options of {@link TokenBatches}. @public */
export interface TokenBatchesOptions {
  /** Rows per batch (B). */
  readonly batchSize: number;
  /** Tokens per row (T). */
  readonly sequenceLength: number;
  /** Seed of the window offsets. @defaultValue 0 */
  readonly seed?: number;
}

/** Where a {@link TokenBatches} stands, JSON-serialisable. @public */
export interface TokenBatchesState {
  /** Batches drawn so far. */
  readonly batches: number;
  readonly random: RandomState;
}

/**
 * Random windows of a token stream as training batches.
 * @example
 * ```ts
 * const data = new TokenBatches(tokens, { batchSize: 8, sequenceLength: 128, seed: 1 });
 * await trainStep(model, optimizer, data.next());
 * ```
 * @public
 */
export class TokenBatches {
  private readonly tokens: Int32Array;
  private readonly batchSize: number;
  private readonly sequenceLength: number;
  private random: Random;
  private count = 0;

  constructor(tokens: ArrayLike<number>, options: TokenBatchesOptions) {
    const fn = 'TokenBatches';
    this.batchSize = check.integer(fn, 'options.batchSize', options.batchSize, { min: 1 });
    this.sequenceLength = check.integer(fn, 'options.sequenceLength', options.sequenceLength, {
      min: 1,
    });
    if (tokens?.length === undefined || tokens.length < this.sequenceLength + 1) {
      invalid(
        fn,
        'tokens',
        `expected at least sequenceLength + 1 = ${this.sequenceLength + 1} tokens, received ${tokens?.length}.`,
      );
    }
    this.tokens = Int32Array.from(tokens);
    this.random = new Random(check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 }));
  }

  /** The next batch of inputs and next-token targets, [B, T] each. */
  next(): TrainBatch {
    const t = this.sequenceLength;
    const inputs: Int32Array[] = [];
    const targets: Int32Array[] = [];
    for (let b = 0; b < this.batchSize; b++) {
      const start = this.random.int(this.tokens.length - t);
      inputs.push(this.tokens.subarray(start, start + t));
      targets.push(this.tokens.subarray(start + 1, start + t + 1));
    }
    this.count++;
    return { inputs, targets };
  }

  /** The position in the stream of batches. */
  state(): TokenBatchesState {
    return { batches: this.count, random: this.random.getState() };
  }

  /** Continues from a {@link TokenBatches.state} (of a sampler over the same tokens). */
  restore(state: TokenBatchesState): void {
    this.count = check.integer('TokenBatches.restore', 'state.batches', state?.batches, { min: 0 });
    this.random = Random.fromState(state.random);
  }
}
