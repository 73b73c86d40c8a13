/**
 * A runner around a user-supplied async pairwise judge (any LLM client): concurrency limit,
 * rate limit, retries with exponential backoff and jitter, cancellation, progress events, both
 * presentation orders to cancel position bias (Zheng et al. 2023, §3.4; Wang et al., "Large
 * Language Models are not Fair Evaluators", 2023), and a resumable append-only log: finished items
 * are written durably as they complete, and a rerun with the same log skips them.
 *
 * A judge that throws or returns something that is not a verdict is retried; once retries run
 * out the item is reported in `failed` (and not logged, so a resumed run tries it again) — the
 * run itself does not fail.
 */
import { describeValue } from '@llmkit/numeric';
import { EvalMetricsError } from './errors.js';
import { check, invalid, nonEmptyArray, string } from './internal/check.js';
import { runPool } from './internal/pool.js';
import { rateLimiter, sleep } from './internal/schedule.js';
import { JudgeLog, type JudgeLogStorage } from './judgeLog.js';
import {
  reconcileSwappedJudgments,
  type SwapReconciliation,
  type WinRateResult,
  winRate,
} from './winRate.js';

/** An item to judge: the model's output against a baseline's for one instruction. @public */
export interface PairwiseJudgeItem {
  readonly id: string;
  readonly instruction: string;
  readonly output: string;
  readonly baselineOutput: string;
}

/** What the judge is shown. @public */
export interface JudgeRequest {
  readonly itemId: string;
  readonly instruction: string;
  /** The answer shown first ("A"). */
  readonly first: string;
  /** The answer shown second ("B"). */
  readonly second: string;
  /** 'forward': first is the model's output; 'swapped': first is the baseline's. */
  readonly order: 'forward' | 'swapped';
}

/** A verdict: which shown answer is better, or P(first is better) in [0, 1]. @public */
export type JudgeVerdict = 'A' | 'B' | 'tie' | number;

/** The user's judge. Receives a signal that aborts with the run, and the attempt number (1-based). @public */
export type PairwiseJudge = (
  request: JudgeRequest,
  context: { readonly signal: AbortSignal; readonly attempt: number },
) => Promise<JudgeVerdict>;

/** A progress event. @public */
export interface JudgeProgress {
  readonly type: 'judged' | 'skipped' | 'retry' | 'failed';
  readonly itemId: string;
  /** Items finished (judged, skipped or failed) so far. */
  readonly done: number;
  readonly total: number;
  /** For 'retry' and 'failed': the attempt that failed and why. */
  readonly attempt?: number;
  readonly error?: unknown;
}

/** Options of {@link runPairwiseJudge}. @public */
export interface PairwiseJudgeOptions {
  /** Items judged at once (each makes one or two judge calls in turn). @defaultValue 4 */
  readonly concurrency?: number;
  /** Extra attempts per judge call after a failure or an invalid verdict. @defaultValue 3 */
  readonly retries?: number;
  /** Judge both orders and reconcile (position debiasing). @defaultValue true */
  readonly swap?: boolean;
  /** How the two orders combine. @defaultValue 'average' */
  readonly reconcile?: SwapReconciliation;
  /** At most this many judge calls start per minute. @defaultValue unlimited */
  readonly maxCallsPerMinute?: number;
  /** First retry delay; doubles each retry, with full jitter. @defaultValue 500 */
  readonly backoffMs?: number;
  /** Cap of the retry delay. @defaultValue 30000 */
  readonly maxBackoffMs?: number;
  /** Decides whether an error from the judge is worth retrying. @defaultValue every error */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Append-only result log for resuming (a storage, or an opened {@link JudgeLog}). */
  readonly log?: JudgeLogStorage | JudgeLog<JudgedItem>;
  readonly onProgress?: (event: JudgeProgress) => void;
  /** Stops the run: calls in flight see the signal, nothing new starts, the promise rejects `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Seed of the backoff jitter. @defaultValue Math.random */
  readonly random?: () => number;
}

/** One judged item. @public */
export interface JudgedItem {
  /** The model's preference in [0, 1] after reconciling the orders. */
  readonly preference: number;
  /** P(model better) from the forward order. */
  readonly forward: number;
  /** P(model better) from the swapped order (with `swap`). */
  readonly swapped?: number;
  /** Judge calls made, retries included. */
  readonly calls: number;
}

/** The outcome of {@link runPairwiseJudge}. @public */
export interface PairwiseJudgeResult {
  /** Per item id, in item order; missing for failed items. */
  readonly judged: ReadonlyMap<string, JudgedItem>;
  /** Preferences aligned with the items (null where judging failed): feed to `winRate` or `lengthControlledWinRate`. */
  readonly preferences: readonly (number | null)[];
  /** Items whose judging failed after all retries. */
  readonly failed: readonly { readonly itemId: string; readonly error: unknown }[];
  /** Items taken from the log instead of being judged. */
  readonly resumed: number;
  /** Win rate over the judged items (undefined when none was judged). */
  readonly winRate: WinRateResult | undefined;
}

/**
 * Judges every item against its baseline with a user-supplied async judge.
 * @example
 * ```ts
 * const { winRate } = await runPairwiseJudge(items, async (req, { signal }) => askMyJudge(req, signal), {
 *   concurrency: 8, retries: 3, swap: true, log: new FileJudgeLogStorage('judge-log.jsonl'),
 * });
 * ```
 * @throws EvalMetricsError on malformed or duplicate items, bad options, a corrupt log, or
 * `ABORTED` (what was judged before is in the log).
 * @public
 */
export async function runPairwiseJudge(
  items: readonly PairwiseJudgeItem[],
  judge: PairwiseJudge,
  options: PairwiseJudgeOptions = {},
): Promise<PairwiseJudgeResult> {
  const fn = 'runPairwiseJudge';
  const list = nonEmptyArray<PairwiseJudgeItem>(fn, 'items', items);
  if (typeof judge !== 'function')
    invalid(fn, 'judge', `expected an async function, received ${describeValue(judge)}.`);
  const ids = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as PairwiseJudgeItem;
    const id = string(fn, `items[${i}].id`, item?.id);
    if (ids.has(id))
      invalid(
        fn,
        `items[${i}].id`,
        `duplicate id ${JSON.stringify(id)}; ids key the resumable log, so they must be unique.`,
      );
    ids.add(id);
    string(fn, `items[${i}].instruction`, item.instruction);
    string(fn, `items[${i}].output`, item.output);
    string(fn, `items[${i}].baselineOutput`, item.baselineOutput);
  }
  const concurrency = check.integer(fn, 'options.concurrency', options.concurrency ?? 4, {
    min: 1,
  });
  const retries = check.integer(fn, 'options.retries', options.retries ?? 3, { min: 0 });
  const swap = options.swap ?? true;
  const mode = options.reconcile ?? 'average';
  const backoff = check.nonNegative(fn, 'options.backoffMs', options.backoffMs ?? 500);
  const maxBackoff = check.nonNegative(fn, 'options.maxBackoffMs', options.maxBackoffMs ?? 30_000);
  const perMinute =
    options.maxCallsPerMinute === undefined
      ? undefined
      : check.positive(fn, 'options.maxCallsPerMinute', options.maxCallsPerMinute);
  const random = options.random ?? Math.random;
  const retryable = options.isRetryable ?? (() => true);
  const log =
    options.log === undefined
      ? undefined
      : options.log instanceof JudgeLog
        ? options.log
        : await JudgeLog.open<JudgedItem>(options.log);

  const controller = new AbortController();
  const outer = options.signal;
  const forward = () => controller.abort();
  outer?.addEventListener('abort', forward, { once: true });
  if (outer?.aborted) controller.abort();
  const signal = controller.signal;
  const aborted = () =>
    new EvalMetricsError({
      code: 'ABORTED',
      fn,
      detail: `aborted after ${done} of ${list.length} items; finished items are in the log.`,
    });
  const acquire = rateLimiter(perMinute);

  const judged = new Map<string, JudgedItem>();
  const failed: { itemId: string; error: unknown }[] = [];
  let done = 0;
  let resumed = 0;
  const emit = (event: Omit<JudgeProgress, 'done' | 'total'>) =>
    options.onProgress?.({ ...event, done, total: list.length });

  /** One judge call with retries; returns P(model better) and the calls used. */
  const call = async (
    item: PairwiseJudgeItem,
    order: 'forward' | 'swapped',
  ): Promise<{ p: number; calls: number }> => {
    const request: JudgeRequest = {
      itemId: item.id,
      instruction: item.instruction,
      first: order === 'forward' ? item.output : item.baselineOutput,
      second: order === 'forward' ? item.baselineOutput : item.output,
      order,
    };
    for (let attempt = 1; ; attempt++) {
      await acquire(signal, aborted);
      if (signal.aborted) throw aborted();
      let error: unknown;
      try {
        const verdict = await judge(request, { signal, attempt });
        const pFirst = verdictProbability(verdict);
        if (pFirst !== undefined)
          return { p: order === 'forward' ? pFirst : 1 - pFirst, calls: attempt };
        error = new EvalMetricsError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument: 'judge',
          detail: `returned ${describeValue(verdict)} for item ${JSON.stringify(item.id)}; expected 'A', 'B', 'tie' or a probability in [0, 1].`,
        });
      } catch (thrown) {
        if (signal.aborted) throw aborted();
        error = thrown;
      }
      const canRetry =
        attempt <= retries && (error instanceof EvalMetricsError || retryable(error));
      if (!canRetry) throw new JudgeFailure(error, attempt);
      emit({ type: 'retry', itemId: item.id, attempt, error });
      const delay = Math.min(maxBackoff, backoff * 2 ** (attempt - 1)) * random();
      await sleep(delay, signal, aborted);
    }
  };

  try {
    await runPool(
      list.length,
      concurrency,
      async (index) => {
        const item = list[index] as PairwiseJudgeItem;
        const previous = log?.completed.get(item.id);
        if (previous !== undefined) {
          judged.set(item.id, previous);
          resumed++;
          done++;
          emit({ type: 'skipped', itemId: item.id });
          return;
        }
        try {
          const f = await call(item, 'forward');
          const s = swap ? await call(item, 'swapped') : undefined;
          const record: JudgedItem = {
            preference: s === undefined ? f.p : reconcileSwappedJudgments(f.p, 1 - s.p, mode),
            forward: f.p,
            ...(s === undefined ? {} : { swapped: s.p }),
            calls: f.calls + (s?.calls ?? 0),
          };
          await log?.append(item.id, record);
          judged.set(item.id, record);
          done++;
          emit({ type: 'judged', itemId: item.id });
        } catch (error) {
          if (!(error instanceof JudgeFailure)) throw error;
          failed.push({ itemId: item.id, error: error.cause });
          done++;
          emit({ type: 'failed', itemId: item.id, attempt: error.attempts, error: error.cause });
        }
      },
      signal,
    );
  } finally {
    outer?.removeEventListener('abort', forward);
  }
  if (signal.aborted) throw aborted();

  const ordered = new Map<string, JudgedItem>();
  for (const item of list) {
    const r = judged.get(item.id);
    if (r !== undefined) ordered.set(item.id, r);
  }
  const preferences = list.map((item) => judged.get(item.id)?.preference ?? null);
  return {
    judged: ordered,
    preferences,
    failed,
    resumed,
    winRate: ordered.size === 0 ? undefined : winRate(preferences, { rounds: 0 }),
  };
}

/** A judge call that failed for good. */
class JudgeFailure {
  readonly cause: unknown;
  readonly attempts: number;
  constructor(cause: unknown, attempts: number) {
    this.cause = cause;
    this.attempts = attempts;
  }
}

function verdictProbability(verdict: unknown): number | undefined {
  if (verdict === 'A') return 1;
  if (verdict === 'B') return 0;
  if (verdict === 'tie') return 0.5;
  if (typeof verdict === 'number' && verdict >= 0 && verdict <= 1) return verdict;
  return undefined;
}
