/**
 * Hand-written scanners that reproduce the pre-tokenizer regexes of tiktoken exactly.
 *
 * Each scanner returns the end of the piece that the regex's leftmost-first match would produce
 * at position `i` (the patterns match at every position, so pieces tile the text). The
 * backtracking of each alternative is worked out by hand in the comments; the generic regex path
 * (`tiktokenRegex.ts`) is checked against these scanners by property tests. Patterns, as shipped
 * in the `pat_str` of tiktoken's encodings (`tiktoken_ext/openai_public.py`):
 *
 * - GPT-2 (r50k, p50k): `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
 * - cl100k and Llama 3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
 * - o200k: see {@link scanO200k}.
 */
import {
  classAt,
  LETTER,
  LOWER,
  NUMBER,
  OTHER,
  PREFIX,
  runOf,
  SPACE,
  UPPER,
  widthAt,
} from './unicode.js';

/** A scanner: the end of the piece that starts at `i` (`i < end`). */
export type Scanner = (text: string, i: number, end: number) => number;

const APOSTROPHE = 39;
const SPACE_CHAR = 32;

/**
 * Length of the contraction `'s|'t|'re|'ve|'m|'ll|'d` at `i` (0 when none). Case-insensitive
 * matching follows Unicode simple case folding as Rust's `regex` does, so `'ſ` (U+017F) matches.
 */
function contraction(text: string, i: number, end: number, ignoreCase: boolean): number {
  if (text.charCodeAt(i) !== APOSTROPHE || i + 1 >= end) return 0;
  let c = text.charCodeAt(i + 1);
  if (ignoreCase) {
    if (c === 0x17f) return 2;
    if (c >= 65 && c <= 90) c += 32;
  }
  // s t m d
  if (c === 115 || c === 116 || c === 109 || c === 100) return 2;
  if (i + 2 >= end) return 0;
  let d = text.charCodeAt(i + 2);
  if (ignoreCase && d >= 65 && d <= 90) d += 32;
  // re ve ll
  if ((c === 114 && d === 101) || (c === 118 && d === 101) || (c === 108 && d === 108)) return 3;
  return 0;
}

/** `\s+(?!\S)|\s+` at a whitespace character. */
function whitespace(text: string, i: number, end: number): number {
  const j = runOf(text, i, end, SPACE);
  // All White_Space characters are in the BMP, so code units count characters.
  return j === end || j - i < 2 ? j : j - 1;
}

/** `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace character. */
function whitespaceWithNewlines(text: string, i: number, end: number): number {
  const j = runOf(text, i, end, SPACE);
  // `\s*[\r\n]+` backtracks to just after the run's last CR or LF.
  for (let k = j - 1; k >= i; k--) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13) return k + 1;
  }
  return j === end || j - i < 2 ? j : j - 1;
}

/** Extends `j` over `[\r\n]*` (and `/` too when `slash`). */
function newlines(text: string, j: number, end: number, slash: boolean): number {
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c !== 10 && c !== 13 && !(slash && c === 47)) break;
    j++;
  }
  return j;
}

/** At most three code points of `\p{N}`. */
function digits(text: string, i: number, end: number): number {
  for (let n = 0; n < 3 && i < end && (classAt(text, i) & NUMBER) !== 0; n++) {
    i += widthAt(text, i);
  }
  return i;
}

/** GPT-2's pattern, used by r50k_base and p50k_base. */
export const scanGpt2: Scanner = (text, i, end) => {
  const n = contraction(text, i, end, false);
  if (n !== 0) return i + n;
  if (text.charCodeAt(i) === SPACE_CHAR && i + 1 < end) {
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+` with the space taken.
    const k = classAt(text, i + 1);
    if ((k & LETTER) !== 0) return runOf(text, i + 1, end, LETTER);
    if ((k & NUMBER) !== 0) return runOf(text, i + 1, end, NUMBER);
    if ((k & OTHER) !== 0) return runOf(text, i + 1, end, OTHER);
  }
  const c = classAt(text, i);
  if ((c & LETTER) !== 0) return runOf(text, i, end, LETTER);
  if ((c & NUMBER) !== 0) return runOf(text, i, end, NUMBER);
  if ((c & OTHER) !== 0) return runOf(text, i, end, OTHER);
  return whitespace(text, i, end);
};

/** cl100k_base's pattern; Llama 3 uses the same one. */
export const scanCl100k: Scanner = (text, i, end) => {
  const n = contraction(text, i, end, true);
  if (n !== 0) return i + n;
  const c = classAt(text, i);
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if ((c & LETTER) !== 0) return runOf(text, i, end, LETTER);
  const w = widthAt(text, i);
  if ((c & PREFIX) !== 0 && i + w < end && (classAt(text, i + w) & LETTER) !== 0) {
    return runOf(text, i + w, end, LETTER);
  }
  // \p{N}{1,3}
  if ((c & NUMBER) !== 0) return digits(text, i, end);
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  if ((c & OTHER) !== 0) return newlines(text, runOf(text, i, end, OTHER), end, false);
  if (text.charCodeAt(i) === SPACE_CHAR && i + 1 < end && (classAt(text, i + 1) & OTHER) !== 0) {
    return newlines(text, runOf(text, i + 1, end, OTHER), end, false);
  }
  return whitespaceWithNewlines(text, i, end);
};

/**
 * The start of `[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` after `U*` ran from `start` to `u`, backtracking
 * `U*` as a regex engine would: the largest position `≤ u` whose code point is in the lower set,
 * or -1.
 */
function lowerStart(text: string, start: number, u: number, end: number): number {
  if (u < end && (classAt(text, u) & LOWER) !== 0) return u;
  for (let k = u - 1; k >= start; k--) {
    // Step back over a low surrogate to the start of its pair.
    if ((text.charCodeAt(k) & 0xfc00) === 0xdc00 && k > start) {
      if ((text.charCodeAt(k - 1) & 0xfc00) === 0xd800) k--;
    }
    if ((classAt(text, k) & LOWER) !== 0) return k;
  }
  return -1;
}

/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` from `start`, or -1. */
function upperThenLower(text: string, start: number, end: number): number {
  const u = runOf(text, start, end, UPPER);
  const k = lowerStart(text, start, u, end);
  if (k < 0) return -1;
  // Past `u` the lower run continues greedily; before `u` it stops after one code point, since
  // every later code point of the upper run is outside the lower set.
  return k === u ? runOf(text, u, end, LOWER) : k + widthAt(text, k);
}

/**
 * o200k_base's pattern:
 * `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
 * \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
 */
export const scanO200k: Scanner = (text, i, end) => {
  const c = classAt(text, i);
  const w = widthAt(text, i);
  const prefixed = (c & PREFIX) !== 0 && i + w < end;
  // Alternative 1, first with the optional prefix taken, then without it.
  let e = prefixed ? upperThenLower(text, i + w, end) : -1;
  if (e < 0) e = upperThenLower(text, i, end);
  // Alternative 2: upper run (required), then lower run (optional); no backtracking needed.
  if (e < 0 && prefixed) {
    const u = runOf(text, i + w, end, UPPER);
    if (u > i + w) e = runOf(text, u, end, LOWER);
  }
  if (e < 0) {
    const u = runOf(text, i, end, UPPER);
    if (u > i) e = runOf(text, u, end, LOWER);
  }
  if (e >= 0) return e + (e < end ? contraction(text, e, end, true) : 0);
  if ((c & NUMBER) !== 0) return digits(text, i, end);
  if ((c & OTHER) !== 0) return newlines(text, runOf(text, i, end, OTHER), end, true);
  if (text.charCodeAt(i) === SPACE_CHAR && i + 1 < end && (classAt(text, i + 1) & OTHER) !== 0) {
    return newlines(text, runOf(text, i + 1, end, OTHER), end, true);
  }
  return whitespaceWithNewlines(text, i, end);
};
