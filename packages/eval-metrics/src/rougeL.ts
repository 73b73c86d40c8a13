/**
 * ROUGE-L (Lin, "ROUGE: A Package for Automatic Evaluation of Summaries", 2004, §3) as Google's
 * `rouge_score` computes it (`rouge/rouge_scorer.py`, `rouge/tokenize.py`) without stemming:
 * lower-case, every run of characters outside [a-z0-9] becomes a space, tokens split on
 * whitespace; precision = LCS / prediction tokens, recall = LCS / target tokens, F = 2PR/(P+R).
 * `rougeLsum` splits both texts into sentences at newlines and scores the summary-level union LCS
 * (§3.2), counting each token at most as often as it occurs, as ROUGE-1.5.5 does.
 */
import { string } from './internal/check.js';

/** Precision, recall and F-measure, as rouge_score's `Score`. @public */
export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** rouge_score's tokenizer (no stemmer). @public */
export function rougeTokenize(text: string): string[] {
  return string('rougeTokenize', 'text', text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

/**
 * Sentence-level ROUGE-L of a prediction against a target.
 * @example
 * ```ts
 * rougeL('testing one two', 'testing two'); // { precision: 1, recall: 2/3, fmeasure: 0.8 }
 * ```
 * @public
 */
export function rougeL(target: string, prediction: string): RougeScore {
  const t = rougeTokenize(target);
  const p = rougeTokenize(prediction);
  if (t.length === 0 || p.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsTable(t, p)[t.length]?.[p.length] as number;
  return score(lcs / p.length, lcs / t.length);
}

/**
 * Summary-level ROUGE-L over newline-separated sentences (rouge_score's `rougeLsum`).
 * @public
 */
export function rougeLsum(target: string, prediction: string): RougeScore {
  const sentences = (text: string) =>
    text
      .split('\n')
      .filter((s) => s.length > 0)
      .map(rougeTokenize);
  const refs = sentences(string('rougeLsum', 'target', target));
  const cands = sentences(string('rougeLsum', 'prediction', prediction));
  const m = refs.reduce((s, r) => s + r.length, 0);
  const n = cands.reduce((s, c) => s + c.length, 0);
  if (m === 0 || n === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const refCounts = tokenCounts(refs);
  const candCounts = tokenCounts(cands);
  let hits = 0;
  for (const ref of refs) {
    const union = new Set<number>();
    for (const cand of cands) for (const i of lcsIndices(ref, cand)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const token = ref[i] as string;
      const c = candCounts.get(token) ?? 0;
      const r = refCounts.get(token) ?? 0;
      if (c > 0 && r > 0) {
        hits++;
        candCounts.set(token, c - 1);
        refCounts.set(token, r - 1);
      }
    }
  }
  return score(hits / n, hits / m);
}

function score(precision: number, recall: number): RougeScore {
  return {
    precision,
    recall,
    fmeasure: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
  };
}

function tokenCounts(sentences: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const t of s) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

function lcsTable(ref: readonly string[], can: readonly string[]): Int32Array[] {
  const table = Array.from({ length: ref.length + 1 }, () => new Int32Array(can.length + 1));
  for (let i = 1; i <= ref.length; i++) {
    const row = table[i] as Int32Array;
    const prev = table[i - 1] as Int32Array;
    for (let j = 1; j <= can.length; j++) {
      row[j] =
        ref[i - 1] === can[j - 1]
          ? (prev[j - 1] as number) + 1
          : Math.max(prev[j] as number, row[j - 1] as number);
    }
  }
  return table;
}

/** Indices into `ref` of one LCS, read back as rouge_score's `_backtrack_norec`. */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const t = lcsTable(ref, can);
  const out: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (((t[i] as Int32Array)[j - 1] as number) > ((t[i - 1] as Int32Array)[j] as number))
      j--;
    else i--;
  }
  return out.reverse();
}
