/**
 * Exact match and token F1 with the answer normalisation of the official SQuAD v1.1 evaluation
 * script (Rajpurkar et al. 2016; as vendored in lm-evaluation-harness,
 * `lm_eval/tasks/qasper/metrics.py`): lower-case, drop ASCII punctuation, drop the articles
 * a/an/the as whole words, collapse whitespace. Word boundaries and whitespace follow Python's
 * Unicode rules, so non-ASCII text normalises as it does there.
 */
import { invalid, nonEmptyArray, string } from './internal/check.js';
import { pythonSplit } from './internal/text.js';

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** Python's `\b(a|an|the)\b` on `str`: word characters are Unicode letters, numbers and `_`. */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * SQuAD's `normalize_answer`.
 * @example
 * ```ts
 * normalizeAnswer('The  Eiffel Tower!'); // 'eiffel tower'
 * ```
 * @public
 */
export function normalizeAnswer(text: string): string {
  const lower = string('normalizeAnswer', 'text', text).toLowerCase();
  let stripped = '';
  for (const ch of lower) if (!PUNCTUATION.has(ch)) stripped += ch;
  return pythonSplit(stripped.replace(ARTICLES, ' ')).join(' ');
}

/**
 * 1 when the normalised prediction equals a normalised reference, else 0 (max over references).
 * @public
 */
export function exactMatch(prediction: string, references: string | readonly string[]): number {
  const refs = referencesOf('exactMatch', references);
  const p = normalizeAnswer(prediction);
  return refs.some((r) => normalizeAnswer(r) === p) ? 1 : 0;
}

/**
 * Token F1 between normalised prediction and reference (bag of words), the max over references.
 * @example
 * ```ts
 * tokenF1('the cat sat', 'a cat sat down'); // 0.8
 * ```
 * @public
 */
export function tokenF1(prediction: string, references: string | readonly string[]): number {
  const refs = referencesOf('tokenF1', references);
  const predicted = pythonSplit(normalizeAnswer(prediction));
  let best = 0;
  for (const ref of refs) {
    const gold = pythonSplit(normalizeAnswer(ref));
    const counts = new Map<string, number>();
    for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
    let same = 0;
    for (const t of predicted) {
      const c = counts.get(t) ?? 0;
      if (c > 0) {
        same++;
        counts.set(t, c - 1);
      }
    }
    if (same === 0) continue;
    const precision = same / predicted.length;
    const recall = same / gold.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

function referencesOf(fn: string, references: string | readonly string[]): readonly string[] {
  if (typeof references === 'string') return [references];
  const refs = nonEmptyArray<string>(fn, 'references', references);
  for (let i = 0; i < refs.length; i++) {
    if (typeof refs[i] !== 'string') invalid(fn, `references[${i}]`, 'expected a string.');
  }
  return refs;
}
