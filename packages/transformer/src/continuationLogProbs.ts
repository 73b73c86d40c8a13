/**
 * Log-probabilities of given continuations: log p(continuation | context) = Σᵢ log p(cᵢ | context,
 * c₍<ᵢ₎), and whether greedy decoding would have produced the continuation — what
 * lm-evaluation-harness's `loglikelihood` requests return (`lm_eval/models/huggingface.py`,
 * `_loglikelihood_tokens`), and what `@llmkit/eval-metrics`' multiple-choice scorer calls.
 *
 * As there, a pair longer than the context keeps its last contextLength + 1 tokens (the
 * earliest context tokens are dropped), and requests are run in batches, right-padded (causal
 * attention never looks right, so padding after a row changes nothing before it).
 */
import { dispose, ops, scope } from '@llmkit/tensor-gpu';
import { TransformerError } from './errors.js';
import { check, invalid } from './internal/check.js';
import type { Transformer } from './transformer.js';

/** One scoring request, as token ids. @public */
export interface ContinuationRequest {
  /** The conditioning tokens; at least one (start with a beginning-of-text token if needed). */
  readonly context: readonly number[];
  /** The tokens whose log-probability is wanted; at least one. */
  readonly continuation: readonly number[];
}

/** The score of one continuation. @public */
export interface ContinuationScore {
  /** log p(continuation | context) in nats, ≤ 0. */
  readonly logProb: number;
  /** Whether every continuation token is the argmax of its position (greedy decoding reproduces it). */
  readonly isGreedy: boolean;
  /** Per-token log-probabilities. */
  readonly tokenLogProbs: Float64Array;
}

/** Options of {@link continuationLogProbs}. @public */
export interface ContinuationLogProbsOptions {
  /** Requests per forward pass. @defaultValue 8 */
  readonly batchSize?: number;
  /** Called after each batch with (requests done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Cancels between batches with a `TransformerError` of code `ABORTED`. */
  readonly signal?: AbortSignal;
}

/**
 * Scores continuations of contexts under the model.
 * @example
 * ```ts
 * const [score] = await continuationLogProbs(model, [{ context: encode('The capital of France is'), continuation: encode(' Paris') }]);
 * score.logProb; // e.g. -1.2
 * ```
 * @public
 */
export async function continuationLogProbs(
  model: Transformer,
  requests: readonly ContinuationRequest[],
  options: ContinuationLogProbsOptions = {},
): Promise<ContinuationScore[]> {
  const fn = 'continuationLogProbs';
  if (!Array.isArray(requests))
    invalid(fn, 'requests', 'expected an array of { context, continuation }.');
  const batchSize = check.integer(fn, 'options.batchSize', options.batchSize ?? 8, { min: 1 });
  const limit = model.config.contextLength;
  const windows = requests.map((request, i) => {
    const { context, continuation } = request ?? {};
    if (!Array.isArray(context) || context.length === 0) {
      invalid(
        fn,
        `requests[${i}].context`,
        'expected at least one token; start an empty context with a beginning-of-text token.',
      );
    }
    if (!Array.isArray(continuation) || continuation.length === 0) {
      invalid(fn, `requests[${i}].continuation`, 'expected at least one token.');
    }
    if (continuation.length > limit) {
      invalid(
        fn,
        `requests[${i}].continuation`,
        `has ${continuation.length} tokens; at most the context length ${limit} can be scored.`,
      );
    }
    const whole = [...context, ...continuation].slice(-(limit + 1));
    return { inputs: whole.slice(0, -1), targets: whole.slice(1), scored: continuation.length };
  });
  const scores: ContinuationScore[] = [];
  for (let start = 0; start < windows.length; start += batchSize) {
    if (options.signal?.aborted) {
      throw new TransformerError({
        code: 'ABORTED',
        fn,
        argument: 'options.signal',
        detail: 'scoring was cancelled.',
      });
    }
    const batch = windows.slice(start, start + batchSize);
    const length = Math.max(...batch.map((w) => w.inputs.length));
    const rows = batch.map((w) => [
      ...w.inputs,
      ...new Array<number>(length - w.inputs.length).fill(w.inputs[0]!),
    ]);
    const v = model.config.vocabSize;
    // Flat indices of (row, position, target) for every scored token.
    const picks: number[] = [];
    for (const [b, w] of batch.entries()) {
      for (let t = w.inputs.length - w.scored; t < w.inputs.length; t++)
        picks.push((b * length + t) * v + w.targets[t]!);
    }
    const [logProbs, argmax] = scope(() => {
      const logits = model.forward(rows);
      const flat = ops.reshape(ops.logSoftmax(logits), [batch.length * length * v]);
      return [
        ops.gather(flat, ops.tensor1d(Int32Array.from(picks), 'int32')),
        ops.argMax(logits, -1),
      ];
    });
    const values = await logProbs.data();
    const best = await argmax.data();
    dispose([logProbs, argmax]);
    let k = 0;
    for (const [b, w] of batch.entries()) {
      const tokenLogProbs = new Float64Array(w.scored);
      let isGreedy = true;
      for (let i = 0; i < w.scored; i++) {
        const t = w.inputs.length - w.scored + i;
        tokenLogProbs[i] = values[k++]!;
        if (best[b * length + t] !== w.targets[t]) isGreedy = false;
      }
      scores.push({ logProb: tokenLogProbs.reduce((a, x) => a + x, 0), isGreedy, tokenLogProbs });
    }
    options.onProgress?.(scores.length, windows.length);
  }
  return scores;
}
