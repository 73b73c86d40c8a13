/**
 * Text measures shared by the metrics, defined as the Python references count them: lengths in
 * Unicode code points (Python's `len(str)`), bytes in UTF-8, and whitespace as Python's `\s` /
 * `str.split()` (which, unlike JavaScript's `\s`, includes U+001C–U+001F and U+0085 and excludes
 * U+FEFF).
 */

/** Python's `\s` for `str` patterns (equivalently `str.isspace()`), as a character class body. */
export const PY_SPACE: string =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** One run of Python whitespace. */
export const PYTHON_WHITESPACE_RUN: RegExp = new RegExp(`[${PY_SPACE}]+`, 'g');

const encoder = new TextEncoder();

/** Length in Unicode code points (what Python's `len()` returns for a `str`). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Length in UTF-8 bytes (lone surrogates count as U+FFFD, 3 bytes, as `TextEncoder` writes them). */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * `len(re.split(r"\s+", text))`: the number of pieces between whitespace runs, empty pieces at the
 * ends included — lm-evaluation-harness's `count_words` (`lm_eval/api/task.py`).
 */
export function harnessWordCount(text: string): number {
  const runs = text.match(PYTHON_WHITESPACE_RUN);
  return (runs?.length ?? 0) + 1;
}

/** Python's `str.split()` with no arguments: split on whitespace runs, no empty pieces. */
export function pythonSplit(text: string): string[] {
  return text.split(PYTHON_WHITESPACE_RUN).filter((piece) => piece.length > 0);
}

const TRAILING_PYTHON_WHITESPACE = new RegExp(`[${PY_SPACE}]+$`);

/** Python's `str.rstrip()` with no arguments. */
export function pythonRstrip(text: string): string {
  return text.replace(TRAILING_PYTHON_WHITESPACE, '');
}
