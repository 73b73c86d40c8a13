/**
 * BLEU (Papineni et al. 2002) exactly as sacreBLEU 2.x computes it (Post, "A Call for Clarity in
 * Reporting BLEU Scores", 2018; `sacrebleu/metrics/bleu.py`): the `13a` tokenizer of mteval-v13a
 * (`tokenizers/tokenizer_13a.py`, `tokenizer_re.py`), clipped n-gram counts against the maximum
 * count over references, the closest reference length (shorter on ties) for the brevity penalty,
 * and the smoothing methods of Chen & Cherry (2014) — `exp` by default. Scores are on 0–100.
 */
import { check, invalid, nonEmptyArray, string } from './internal/check.js';
import { pythonRstrip, pythonSplit } from './internal/text.js';

/** sacreBLEU's smoothing methods. @public */
export type BleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';

/** Options of {@link corpusBleu} and {@link sentenceBleu}. @public */
export interface BleuOptions {
  /** @defaultValue 'exp' */
  readonly smoothMethod?: BleuSmoothing;
  /** For 'floor' (default 0.1) and 'add-k' (default 1). */
  readonly smoothValue?: number;
  /** Lower-case hypotheses and references first. @defaultValue false */
  readonly lowercase?: boolean;
  /** `'13a'` (mteval-v13a) or `'none'` (split on whitespace only). @defaultValue '13a' */
  readonly tokenize?: '13a' | 'none';
  /** Highest n-gram order. @defaultValue 4 */
  readonly maxNgramOrder?: number;
  /** Average only over orders that have n-grams (default true for sentence BLEU, false for corpus). */
  readonly effectiveOrder?: boolean;
}

/** A BLEU score with its sufficient statistics, as sacreBLEU's `BLEUScore`. @public */
export interface BleuResult {
  /** 0–100. */
  readonly score: number;
  /** Clipped n-gram matches per order. */
  readonly counts: readonly number[];
  /** Hypothesis n-grams per order. */
  readonly totals: readonly number[];
  /** Per-order precisions (0–100), smoothed. */
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  readonly hypothesisLength: number;
  readonly referenceLength: number;
}

/**
 * The `13a` tokenization of one segment.
 * @example
 * ```ts
 * tokenize13a('Hello, world! It costs $3.50.'); // 'Hello , world ! It costs $ 3.50 .'
 * ```
 * @public
 */
export function tokenize13a(line: string): string {
  let s = string('tokenize13a', 'line', line)
    .replaceAll('<skipped>', '')
    .replaceAll('-\n', '')
    .replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  s = ` ${s} `
    .replace(/([{-~[-`\x20-&(-+:-@/])/g, ' $1 ')
    .replace(/([^0-9])([.,])/g, '$1 $2 ')
    .replace(/([.,])([^0-9])/g, ' $1 $2')
    .replace(/([0-9])(-)/g, '$1 $2 ');
  return pythonSplit(s).join(' ');
}

/**
 * Corpus BLEU of hypotheses against one or more reference streams (sacreBLEU's `corpus_bleu`):
 * `references[k][i]` is the k-th reference of segment i.
 * @example
 * ```ts
 * corpusBleu(['The dog bit the man.'], [['The dog bit the man.']]).score; // 100
 * ```
 * @public
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  const fn = 'corpusBleu';
  const hyps = nonEmptyArray<string>(fn, 'hypotheses', hypotheses);
  const streams = nonEmptyArray<readonly string[]>(fn, 'references', references);
  for (let k = 0; k < streams.length; k++) {
    const stream = streams[k];
    if (!Array.isArray(stream))
      invalid(fn, `references[${k}]`, 'expected an array of reference strings.');
    check.sameLength(fn, 'hypotheses', hyps.length, `references[${k}]`, stream.length);
  }
  const order = check.integer(fn, 'options.maxNgramOrder', options.maxNgramOrder ?? 4, { min: 1 });
  const prep = preprocessor(fn, options);
  const stats = new Float64Array(2 + 2 * order);
  for (let i = 0; i < hyps.length; i++) {
    const refs = streams.map((stream, k) =>
      prep(string(fn, `references[${k}][${i}]`, stream[i]), `references[${k}][${i}]`),
    );
    addSegment(stats, prep(hyps[i] as string, `hypotheses[${i}]`), refs, order);
  }
  return fromStats(fn, stats, order, options, options.effectiveOrder ?? false);
}

/**
 * Sentence BLEU (sacreBLEU's `sentence_bleu`: `exp` smoothing and effective order by default).
 * @public
 */
export function sentenceBleu(
  hypothesis: string,
  references: string | readonly string[],
  options: BleuOptions = {},
): BleuResult {
  const fn = 'sentenceBleu';
  const refs =
    typeof references === 'string'
      ? [references]
      : nonEmptyArray<string>(fn, 'references', references);
  const order = check.integer(fn, 'options.maxNgramOrder', options.maxNgramOrder ?? 4, { min: 1 });
  const prep = preprocessor(fn, options);
  const stats = new Float64Array(2 + 2 * order);
  addSegment(
    stats,
    prep(hypothesis, 'hypothesis'),
    refs.map((r, k) => prep(r, `references[${k}]`)),
    order,
  );
  return fromStats(fn, stats, order, options, options.effectiveOrder ?? true);
}

function preprocessor(
  fn: string,
  options: BleuOptions,
): (text: unknown, argument: string) => string {
  const tokenizer = options.tokenize ?? '13a';
  if (tokenizer !== '13a' && tokenizer !== 'none')
    invalid(fn, 'options.tokenize', "expected '13a' or 'none'.");
  return (text, argument) => {
    let s = string(fn, argument, text);
    if (options.lowercase) s = s.toLowerCase();
    s = pythonRstrip(s);
    return tokenizer === '13a' ? tokenize13a(s) : s;
  };
}

function ngrams(tokens: readonly string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= order; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens never contain whitespace (they come from a whitespace split), so a space joins
      // them unambiguously; the order prefix keeps orders apart.
      const key = `${n} ${tokens.slice(i, i + n).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function addSegment(
  stats: Float64Array,
  hypothesis: string,
  references: readonly string[],
  order: number,
): void {
  const hypTokens = pythonSplit(hypothesis);
  const refMax = new Map<string, number>();
  let closest = -1;
  let closestDiff = -1;
  for (const ref of references) {
    const tokens = pythonSplit(ref);
    for (const [key, count] of ngrams(tokens, order))
      refMax.set(key, Math.max(refMax.get(key) ?? 0, count));
    const diff = Math.abs(hypTokens.length - tokens.length);
    if (
      closestDiff === -1 ||
      diff < closestDiff ||
      (diff === closestDiff && tokens.length < closest)
    ) {
      closestDiff = diff;
      closest = tokens.length;
    }
  }
  stats[0] = (stats[0] as number) + hypTokens.length;
  stats[1] = (stats[1] as number) + closest;
  for (const [key, count] of ngrams(hypTokens, order)) {
    const n = Number(key.slice(0, key.indexOf(' '))) - 1;
    stats[2 + order + n] = (stats[2 + order + n] as number) + count;
    const ref = refMax.get(key);
    if (ref !== undefined) stats[2 + n] = (stats[2 + n] as number) + Math.min(count, ref);
  }
}

const SMOOTH_DEFAULTS: Readonly<Record<BleuSmoothing, number | undefined>> = {
  none: undefined,
  floor: 0.1,
  'add-k': 1,
  exp: undefined,
};

function fromStats(
  fn: string,
  stats: Float64Array,
  order: number,
  options: BleuOptions,
  effectiveOrder: boolean,
): BleuResult {
  const method = options.smoothMethod ?? 'exp';
  if (!(method in SMOOTH_DEFAULTS))
    invalid(fn, 'options.smoothMethod', "expected 'exp', 'floor', 'add-k' or 'none'.");
  const smoothValue =
    options.smoothValue === undefined
      ? SMOOTH_DEFAULTS[method]
      : check.nonNegative(fn, 'options.smoothValue', options.smoothValue);
  const sysLen = stats[0] as number;
  const refLen = stats[1] as number;
  const correct = Array.from(stats.subarray(2, 2 + order));
  const total = Array.from(stats.subarray(2 + order, 2 + 2 * order));
  const counts = [...correct];
  const totals = [...total];
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(order).fill(0);
  const result = (score: number): BleuResult => ({
    score,
    counts,
    totals,
    precisions,
    brevityPenalty: bp,
    hypothesisLength: sysLen,
    referenceLength: refLen,
  });
  if (!correct.some((c) => c > 0)) return result(0);
  let smoothMteval = 1;
  let effective = order;
  for (let n = 1; n <= order; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1] = (correct[n - 1] as number) + (smoothValue as number);
      total[n - 1] = (total[n - 1] as number) + (smoothValue as number);
    }
    if (total[n - 1] === 0) break;
    if (effectiveOrder) effective = n;
    if (correct[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * (total[n - 1] as number));
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * (smoothValue as number)) / (total[n - 1] as number);
      }
    } else {
      precisions[n - 1] = (100 * (correct[n - 1] as number)) / (total[n - 1] as number);
    }
  }
  // sacreBLEU floors log(0) at −9999999999 (`my_log`), which drives the score to 0.
  let logSum = 0;
  for (let n = 0; n < effective; n++) {
    const p = precisions[n] as number;
    logSum += p === 0 ? -9999999999 : Math.log(p);
  }
  return result(bp * Math.exp(logSum / effective));
}
