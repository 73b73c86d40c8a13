/**
 * Character classes of the pre-tokenizer patterns, one bit per class, looked up per code point.
 *
 * The classes are those the tiktoken patterns name: `\p{L}`, `\p{N}`, `\s` (Unicode
 * `White_Space`, as in Rust's `regex` crate that tiktoken uses — not JavaScript's `\s`, which adds
 * U+FEFF and lacks U+0085), the "other" class `[^\s\p{L}\p{N}]`, and o200k's two letter sets
 * `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`. ASCII is computed at load,
 * the rest of the BMP on first sight into a 64 KiB table, astral code points into a small map.
 * The categories come from the JavaScript engine's Unicode tables (`\p{…}` regexes).
 */

/** `\p{L}` */
export const LETTER = 1;
/** `\p{N}` */
export const NUMBER = 2;
/** `\s`: Unicode White_Space */
export const SPACE = 4;
/** `[^\s\p{L}\p{N}]` */
export const OTHER = 8;
/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k's "upper" set) */
export const UPPER = 16;
/** `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k's "lower" set) */
export const LOWER = 32;
/** `[^\r\n\p{L}\p{N}]`: the optional one-character prefix of a word (not CR/LF, letter or digit) */
export const PREFIX = 64;
const KNOWN = 128;

const letter = /\p{L}/u;
const number = /\p{N}/u;
const space = /\p{White_Space}/u;
const upper = /[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]/u;
const lower = /[\p{Ll}\p{Lm}\p{Lo}\p{M}]/u;

/** The class bits of a code point, from the engine's Unicode tables. */
export function compute(cp: number): number {
  // Lone surrogates classify as U+FFFD (a symbol), the character tiktoken replaces them with.
  const ch = String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  let bits = 0;
  if (letter.test(ch)) bits |= LETTER;
  else if (number.test(ch)) bits |= NUMBER;
  else if (space.test(ch)) bits |= SPACE;
  else bits |= OTHER;
  if (upper.test(ch)) bits |= UPPER;
  if (lower.test(ch)) bits |= LOWER;
  if ((bits & (LETTER | NUMBER)) === 0 && cp !== 10 && cp !== 13) bits |= PREFIX;
  return bits | KNOWN;
}

/**
 * The class bits of an ASCII code point, written out: the same as {@link compute} (a test checks
 * all 128), without compiling the Unicode property regexes before text needs them.
 */
export function asciiClass(cp: number): number {
  let bits: number;
  if (cp >= 65 && cp <= 90) bits = LETTER | UPPER;
  else if (cp >= 97 && cp <= 122) bits = LETTER | LOWER;
  else if (cp >= 48 && cp <= 57) bits = NUMBER;
  else if (cp === 32 || (cp >= 9 && cp <= 13)) bits = SPACE;
  else bits = OTHER;
  if ((bits & (LETTER | NUMBER)) === 0 && cp !== 10 && cp !== 13) bits |= PREFIX;
  return bits | KNOWN;
}

const bmp = new Uint8Array(0x10000);
for (let cp = 0; cp < 128; cp++) bmp[cp] = asciiClass(cp);
const astral = new Map<number, number>();

/** The class bits of a BMP code unit (a lone surrogate counts as U+FFFD). */
export function bmpClass(unit: number): number {
  const bits = bmp[unit]!;
  if (bits !== 0) return bits;
  const computed = compute(unit);
  bmp[unit] = computed;
  return computed;
}

/** The class bits of any code point. */
export function codePointClass(cp: number): number {
  if (cp < 0x10000) return bmpClass(cp);
  let bits = astral.get(cp);
  if (bits === undefined) {
    bits = compute(cp);
    if (astral.size < 65536) astral.set(cp, bits);
  }
  return bits;
}

/**
 * The class bits of the code point that starts at `i` (a surrogate pair counts as one code
 * point; use {@link widthAt} for its length in code units).
 */
export function classAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if ((unit & 0xfc00) === 0xd800) {
    const next = text.charCodeAt(i + 1);
    if ((next & 0xfc00) === 0xdc00) {
      return codePointClass(0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
    }
  }
  return unit < 128 ? bmp[unit]! : bmpClass(unit);
}

/** 2 when a surrogate pair starts at `i`, else 1. */
export function widthAt(text: string, i: number): number {
  return (text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ? 2
    : 1;
}

/** The end of the longest run from `i` (before `end`) of code points whose class has `mask`. */
export function runOf(text: string, i: number, end: number, mask: number): number {
  while (i < end) {
    const unit = text.charCodeAt(i);
    if (unit < 128) {
      if ((bmp[unit]! & mask) === 0) return i;
      i++;
    } else if (
      (unit & 0xfc00) === 0xd800 &&
      i + 1 < end &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      if ((classAt(text, i) & mask) === 0) return i;
      i += 2;
    } else {
      if ((bmpClass(unit) & mask) === 0) return i;
      i++;
    }
  }
  return i;
}
