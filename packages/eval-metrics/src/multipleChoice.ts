/**
 * Multiple-choice scoring by log-likelihood, as lm-evaluation-harness's `multiple_choice` output
 * type (`lm_eval/api/task.py`, `process_results`): each choice is scored as the continuation
 * `targetDelimiter + choice` of the item's context; the prediction is the argmax (first on ties) of
 * - `acc`: the log-likelihood,
 * - `accNorm`: the log-likelihood divided by the choice's length in characters (code points,
 *   Python's `len`, delimiter excluded),
 * - `accBytes`: divided by its UTF-8 length,
 * - `accMutualInfo`: minus the unconditional log-likelihood of ("", delimiter + choice).
 * Scores are means over items with standard errors (sample standard deviation / √n); micro
 * averages pool all items, macro averages weigh subjects equally with the harness's
 * √(Σ seₛ²) / k. The micro standard error is computed over the pooled items (the harness
 * approximates it by pooling within-subject variances).
 */
import { describeValue, RunningMoments } from '@llmkit/numeric';
import { EvalMetricsError } from './errors.js';
import { check, invalid, nonEmptyArray, string, throwIfAborted } from './internal/check.js';
import { runPool } from './internal/pool.js';
import { codePointLength, utf8Length } from './internal/text.js';

/** One multiple-choice question. @public */
export interface MultipleChoiceItem {
  /** Unique id (duplicates are rejected). */
  readonly id: string;
  /** Group for macro averages (MMLU's subject). @defaultValue 'default' */
  readonly subject?: string;
  /** The prompt the choices continue. */
  readonly context: string;
  readonly choices: readonly string[];
  /** Index of the correct choice, or several accepted indices. */
  readonly gold: number | readonly number[];
}

/** One scoring request. @public */
export interface LoglikelihoodRequest {
  readonly context: string;
  readonly continuation: string;
}

/** Scores one request: log p(continuation | context), ≤ 0. @public */
export type LoglikelihoodFn = (context: string, continuation: string) => Promise<number> | number;

/** Scores requests in batches (one log-likelihood per request, in order). @public */
export interface LoglikelihoodBatchScorer {
  readonly batch: (requests: readonly LoglikelihoodRequest[]) => Promise<readonly number[]>;
}

/** Options of {@link evaluateMultipleChoice}. @public */
export interface MultipleChoiceOptions {
  /** Put between context and choice. @defaultValue ' ' */
  readonly targetDelimiter?: string;
  /** Also score the unconditional choices for `accMutualInfo`. @defaultValue false */
  readonly mutualInformation?: boolean;
  /** Calls (or batches) in flight at once. @defaultValue 8 */
  readonly concurrency?: number;
  /** Requests per call of a batch scorer. @defaultValue 32 */
  readonly batchSize?: number;
  /** Called as requests complete with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Cancels (in-flight calls finish, nothing new starts) with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** A mean over items with its standard error. @public */
export interface ScoreSummary {
  readonly mean: number;
  readonly standardError: number;
}

/** Accuracies of one group of items. @public */
export interface MultipleChoiceScores {
  readonly items: number;
  readonly acc: ScoreSummary;
  readonly accNorm: ScoreSummary;
  readonly accBytes: ScoreSummary;
  /** Present with `mutualInformation`. */
  readonly accMutualInfo?: ScoreSummary;
}

/** Per-item outcome. @public */
export interface MultipleChoiceItemResult {
  readonly id: string;
  readonly subject: string;
  readonly loglikelihoods: readonly number[];
  readonly unconditional?: readonly number[];
  readonly predicted: number;
  readonly predictedNorm: number;
  readonly predictedBytes: number;
  readonly predictedMutualInfo?: number;
}

/** The outcome of {@link evaluateMultipleChoice}. @public */
export interface MultipleChoiceResult {
  /** Micro averages over all items. */
  readonly micro: MultipleChoiceScores;
  /** Unweighted means over subjects. */
  readonly macro: MultipleChoiceScores;
  readonly subjects: Readonly<Record<string, MultipleChoiceScores>>;
  readonly items: readonly MultipleChoiceItemResult[];
  /** Distinct requests sent to the scorer (identical requests are scored once). */
  readonly requests: number;
}

/**
 * Scores multiple-choice items through a log-likelihood callback.
 *
 * @param scorer - `(context, continuation) => log p`, or `{ batch(requests) }`.
 * @example
 * ```ts
 * const result = await evaluateMultipleChoice(items, (ctx, cont) => api.loglikelihood(ctx, cont), {
 *   concurrency: 16,
 * });
 * result.micro.acc.mean;
 * ```
 * @throws EvalMetricsError on malformed or duplicate items, a scorer result that is not a finite
 * log-probability ≤ 0, or `ABORTED`; a scorer's own error is rethrown as is.
 * @public
 */
export async function evaluateMultipleChoice(
  items: readonly MultipleChoiceItem[],
  scorer: LoglikelihoodFn | LoglikelihoodBatchScorer,
  options: MultipleChoiceOptions = {},
): Promise<MultipleChoiceResult> {
  const fn = 'evaluateMultipleChoice';
  const list = nonEmptyArray<MultipleChoiceItem>(fn, 'items', items);
  const delimiter = string(fn, 'options.targetDelimiter', options.targetDelimiter ?? ' ');
  const mi = options.mutualInformation ?? false;
  const concurrency = check.integer(fn, 'options.concurrency', options.concurrency ?? 8, {
    min: 1,
  });
  const batchSize = check.integer(fn, 'options.batchSize', options.batchSize ?? 32, { min: 1 });
  const isBatch =
    typeof scorer === 'object' && scorer !== null && typeof scorer.batch === 'function';
  if (!isBatch && typeof scorer !== 'function') {
    invalid(
      fn,
      'scorer',
      `expected (context, continuation) => number or { batch(requests) }, received ${describeValue(scorer)}.`,
    );
  }

  // Requests, deduplicated.
  const requests: LoglikelihoodRequest[] = [];
  const requestIndex = new Map<string, number>();
  const request = (context: string, continuation: string): number => {
    const key = JSON.stringify([context, continuation]);
    let k = requestIndex.get(key);
    if (k === undefined) {
      k = requests.length;
      requests.push({ context, continuation });
      requestIndex.set(key, k);
    }
    return k;
  };
  const seen = new Set<string>();
  const plan = list.map((item, i) => {
    const where = `items[${i}]`;
    if (typeof item !== 'object' || item === null)
      invalid(fn, where, `expected an item, received ${describeValue(item)}.`);
    const id = string(fn, `${where}.id`, item.id);
    if (seen.has(id))
      invalid(fn, `${where}.id`, `duplicate id ${JSON.stringify(id)}; ids must be unique.`);
    seen.add(id);
    const context = string(fn, `${where}.context`, item.context);
    const choices = nonEmptyArray<string>(fn, `${where}.choices`, item.choices);
    for (const [j, c] of choices.entries()) string(fn, `${where}.choices[${j}]`, c);
    const golds =
      typeof item.gold === 'number'
        ? [item.gold]
        : nonEmptyArray<number>(fn, `${where}.gold`, item.gold);
    for (const [j, g] of golds.entries()) {
      check.integer(fn, `${where}.gold${typeof item.gold === 'number' ? '' : `[${j}]`}`, g, {
        min: 0,
        max: choices.length - 1,
      });
    }
    const subject =
      item.subject === undefined ? 'default' : string(fn, `${where}.subject`, item.subject);
    return {
      id,
      subject,
      choices,
      golds,
      conditional: choices.map((c) => request(context, `${delimiter}${c}`)),
      unconditional: mi ? choices.map((c) => request('', `${delimiter}${c}`)) : undefined,
    };
  });

  // Score.
  const scores = new Float64Array(requests.length);
  let done = 0;
  const accept = (k: number, value: unknown): void => {
    const r = requests[k] as LoglikelihoodRequest;
    if (
      typeof value !== 'number' ||
      Number.isNaN(value) ||
      value > 0 ||
      value === Number.POSITIVE_INFINITY
    ) {
      throw new EvalMetricsError({
        code: typeof value === 'number' ? 'NON_FINITE' : 'INVALID_ARGUMENT',
        fn,
        argument: 'scorer',
        detail: `returned ${describeValue(value)} for continuation ${describeValue(r.continuation)}; expected a log-probability ≤ 0 (−Infinity allowed for impossible continuations).`,
      });
    }
    scores[k] = value;
  };
  const tasks = isBatch ? Math.ceil(requests.length / batchSize) : requests.length;
  await runPool(
    tasks,
    concurrency,
    async (t) => {
      if (isBatch) {
        const slice = requests.slice(t * batchSize, (t + 1) * batchSize);
        const values = await (scorer as LoglikelihoodBatchScorer).batch(slice);
        if (!Array.isArray(values) || values.length !== slice.length) {
          invalid(
            fn,
            'scorer.batch',
            `returned ${describeValue(values)} for ${slice.length} requests; return one number per request.`,
          );
        }
        for (const [j, v] of values.entries()) accept(t * batchSize + j, v);
        done += slice.length;
      } else {
        const r = requests[t] as LoglikelihoodRequest;
        accept(t, await (scorer as LoglikelihoodFn)(r.context, r.continuation));
        done++;
      }
      options.onProgress?.(done, requests.length);
    },
    options.signal,
  );
  throwIfAborted(fn, options.signal, `after ${done} of ${requests.length} requests`);

  // Predict and aggregate.
  const groups = new Map<string, Accumulators>();
  const all = accumulators(mi);
  const results: MultipleChoiceItemResult[] = plan.map((p) => {
    const lls = p.conditional.map((k) => scores[k] as number);
    const predicted = argmax(lls);
    const predictedNorm = argmax(lls.map((ll, j) => ll / codePointLength(p.choices[j] as string)));
    const predictedBytes = argmax(lls.map((ll, j) => ll / utf8Length(p.choices[j] as string)));
    const unconditional = p.unconditional?.map((k) => scores[k] as number);
    const predictedMutualInfo =
      unconditional === undefined
        ? undefined
        : argmax(lls.map((ll, j) => ll - (unconditional[j] as number)));
    let group = groups.get(p.subject);
    if (group === undefined) {
      group = accumulators(mi);
      groups.set(p.subject, group);
    }
    for (const target of [all, group]) {
      target.acc.add(p.golds.includes(predicted) ? 1 : 0);
      target.accNorm.add(p.golds.includes(predictedNorm) ? 1 : 0);
      target.accBytes.add(p.golds.includes(predictedBytes) ? 1 : 0);
      if (predictedMutualInfo !== undefined)
        target.accMutualInfo?.add(p.golds.includes(predictedMutualInfo) ? 1 : 0);
    }
    return {
      id: p.id,
      subject: p.subject,
      loglikelihoods: lls,
      predicted,
      predictedNorm,
      predictedBytes,
      ...(unconditional === undefined
        ? {}
        : { unconditional, predictedMutualInfo: predictedMutualInfo as number }),
    };
  });
  const subjects: Record<string, MultipleChoiceScores> = {};
  for (const [name, group] of groups) subjects[name] = summarise(group);
  return {
    micro: summarise(all),
    macro: macroOf(Object.values(subjects)),
    subjects,
    items: results,
    requests: requests.length,
  };
}

interface Accumulators {
  readonly acc: RunningMoments;
  readonly accNorm: RunningMoments;
  readonly accBytes: RunningMoments;
  readonly accMutualInfo: RunningMoments | undefined;
}

function accumulators(mi: boolean): Accumulators {
  return {
    acc: new RunningMoments(),
    accNorm: new RunningMoments(),
    accBytes: new RunningMoments(),
    accMutualInfo: mi ? new RunningMoments() : undefined,
  };
}

function summary(m: RunningMoments): ScoreSummary {
  return { mean: m.mean, standardError: m.standardError };
}

function summarise(a: Accumulators): MultipleChoiceScores {
  return {
    items: a.acc.count,
    acc: summary(a.acc),
    accNorm: summary(a.accNorm),
    accBytes: summary(a.accBytes),
    ...(a.accMutualInfo === undefined ? {} : { accMutualInfo: summary(a.accMutualInfo) }),
  };
}

function macroOf(groups: readonly MultipleChoiceScores[]): MultipleChoiceScores {
  const k = groups.length;
  const mean = (pick: (g: MultipleChoiceScores) => ScoreSummary | undefined): ScoreSummary => {
    let m = 0;
    let v = 0;
    for (const g of groups) {
      const s = pick(g) as ScoreSummary;
      m += s.mean;
      v += s.standardError ** 2;
    }
    return { mean: m / k, standardError: Math.sqrt(v) / k };
  };
  const first = groups[0] as MultipleChoiceScores;
  return {
    items: groups.reduce((s, g) => s + g.items, 0),
    acc: mean((g) => g.acc),
    accNorm: mean((g) => g.accNorm),
    accBytes: mean((g) => g.accBytes),
    ...(first.accMutualInfo === undefined ? {} : { accMutualInfo: mean((g) => g.accMutualInfo) }),
  };
}

/** numpy.argmax: the first index of the maximum (−Infinity loses to any finite value). */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
