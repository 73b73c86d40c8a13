/**
 * Rolling-window log-likelihood for documents longer than a model's context, as
 * lm-evaluation-harness scores `loglikelihood_rolling` tasks (`get_rolling_token_windows` and
 * `make_disjoint_window` in `lm_eval/utils.py`): every token is predicted exactly once, the first
 * window from a prefix token (e.g. end-of-text), later windows conditioned on up to
 * `maxLength − predicted` preceding tokens.
 */
import { check, throwIfAborted } from './internal/check.js';

/** One scoring request: score `continuation` given `context`. @public */
export interface TokenWindow {
  /** Tokens the model conditions on (not scored). */
  readonly context: readonly number[];
  /** Tokens whose log-probabilities are summed; consecutive windows tile the document. */
  readonly continuation: readonly number[];
}

/** Options of {@link rollingTokenWindows}. @public */
export interface RollingWindowOptions {
  /** The model's maximum sequence length (context + continuation ≤ this + 1). */
  readonly maxLength: number;
  /**
   * Tokens predicted per window after the first is maxLength − contextLength + 1; 1 gives the
   * longest possible context (slowest, best), maxLength gives disjoint windows. @defaultValue 1
   */
  readonly contextLength?: number;
  /** Token the first window conditions on (the harness uses the end-of-text token). */
  readonly prefixToken: number;
}

/**
 * Splits a document's tokens into scoring windows, each `context` already disjoint from its
 * `continuation` (the harness's `make_disjoint_window`), so `context.concat(continuation)` is the
 * model input and only the continuation is scored.
 *
 * @example
 * ```ts
 * rollingTokenWindows([1, 2, 3, 4, 5], { maxLength: 3, prefixToken: 0 });
 * // [{context: [0], continuation: [1, 2, 3]}, {context: [2, 3], continuation: [4]}, …]
 * ```
 * @public
 */
export function rollingTokenWindows(
  tokens: ArrayLike<number>,
  options: RollingWindowOptions,
): TokenWindow[] {
  const fn = 'rollingTokenWindows';
  const list = Array.from(check.finiteArray(fn, 'tokens', tokens, 0));
  const maxLength = check.integer(fn, 'options.maxLength', options?.maxLength, { min: 1 });
  const contextLength = check.integer(fn, 'options.contextLength', options.contextLength ?? 1, {
    min: 1,
    max: maxLength,
  });
  const prefix = check.integer(fn, 'options.prefixToken', options.prefixToken, { min: 0 });
  const windows: TokenWindow[] = [];
  if (list.length === 0) return windows;
  const predictedPerWindow = maxLength - contextLength + 1;
  const firstLength = Math.min(maxLength, list.length);
  windows.push({
    context: [prefix],
    continuation: list.slice(0, firstLength),
  });
  let predicted = firstLength;
  while (predicted < list.length) {
    const count = Math.min(list.length - predicted, predictedPerWindow);
    const end = predicted + count;
    // The harness's window is list[end − maxLength − 1 : end − 1]; made disjoint, its context
    // keeps what precedes the continuation.
    const start = Math.max(end - maxLength - 1, 0);
    const input = list.slice(start, end - 1);
    windows.push({
      context: input.slice(0, input.length - (count - 1)),
      continuation: list.slice(end - count, end),
    });
    predicted = end;
  }
  return windows;
}

/** Scores one window: Σ log p(continuation | context), ≤ 0. @public */
export type WindowScorer = (window: TokenWindow) => Promise<number> | number;

/** The total of {@link rollingLoglikelihood}. @public */
export interface RollingLoglikelihood {
  /** Σ over windows of log p(continuation | context). */
  readonly logLikelihood: number;
  /** Tokens scored (= the document's length: each is predicted once). */
  readonly tokens: number;
  readonly windows: number;
}

/**
 * Scores a long document window by window with a user callback and sums the log-likelihoods;
 * pass the total to {@link PerplexityAccumulator.addTotal}.
 * @public
 */
export async function rollingLoglikelihood(
  tokens: ArrayLike<number>,
  score: WindowScorer,
  options: RollingWindowOptions & { readonly signal?: AbortSignal },
): Promise<RollingLoglikelihood> {
  const fn = 'rollingLoglikelihood';
  const windows = rollingTokenWindows(tokens, options);
  let total = 0;
  let count = 0;
  for (const [i, window] of windows.entries()) {
    throwIfAborted(fn, options.signal, `after ${i} of ${windows.length} windows`);
    const value = check.finite(fn, `score(windows[${i}])`, await score(window));
    if (value > 0) {
      check.nonNegative(fn, `-score(windows[${i}]) (a log-likelihood must be ≤ 0)`, -value);
    }
    total += value;
    count += window.continuation.length;
  }
  return { logLikelihood: total, tokens: count, windows: windows.length };
}
