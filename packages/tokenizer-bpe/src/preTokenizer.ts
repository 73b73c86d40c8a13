/**
 * Pre-tokenization: splitting text into the pieces that BPE merges within (never across).
 *
 * The five named patterns run on hand-written scanners that reproduce tiktoken's regexes exactly
 * (`internal/scanners.ts`); any other pattern in tiktoken's regex syntax is translated to a
 * JavaScript regex (`internal/tiktokenRegex.ts`). A trainer splits its corpus with the same
 * {@link PreTokenizer} that the tokenizer it builds will use.
 */
import { type Scanner, scanCl100k, scanGpt2, scanO200k } from './internal/scanners.js';
import { translateTiktokenRegex } from './internal/tiktokenRegex.js';
import { toWellFormed } from './internal/utf8.js';
import { TokenizerError } from './tokenizerError.js';

/** The pre-tokenizer patterns with built-in scanners. @public */
export type PatternName = 'r50k' | 'p50k' | 'cl100k' | 'o200k' | 'llama3';

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const CL100K =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K = [
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  '\\p{N}{1,3}',
  ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
  '\\s*[\\r\\n]+',
  '\\s+(?!\\S)',
  '\\s+',
].join('|');

/**
 * The patterns of the named encodings, in tiktoken's regex syntax, as tiktoken ships them
 * (`tiktoken_ext/openai_public.py`; Llama 3's from Meta's `llama/tokenizer.py`, identical to
 * cl100k's).
 * @public
 */
export const PATTERNS: Readonly<Record<PatternName, string>> = Object.freeze({
  r50k: GPT2,
  p50k: GPT2,
  cl100k: CL100K,
  o200k: O200K,
  llama3: CL100K,
});

const SCANNERS: Record<PatternName, Scanner> = {
  r50k: scanGpt2,
  p50k: scanGpt2,
  cl100k: scanCl100k,
  o200k: scanO200k,
  llama3: scanCl100k,
};

/** js-tiktoken spells `(?i:'s|…)` out as case variants; it names the same encodings. */
const CASE_VARIANTS = "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)";
const KNOWN = new Map<string, PatternName>([
  [GPT2, 'r50k'],
  [CL100K, 'cl100k'],
  [O200K, 'o200k'],
  [CL100K.replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", CASE_VARIANTS), 'cl100k'],
  [O200K.replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", CASE_VARIANTS), 'o200k'],
]);

/** Options of a {@link PreTokenizer}. @public */
export interface PreTokenizerOptions {
  /**
   * What happens to text the pattern does not match: `'drop'` it (tiktoken's `find_iter`), or
   * `'keep'` it as pieces of its own (Hugging Face's `Split` with `Isolated` behavior). The
   * named patterns match everywhere, so this only matters for custom ones.
   * @defaultValue `'drop'`
   */
  readonly gaps?: 'drop' | 'keep';
}

function regexScanner(source: string, keepGaps: boolean): Scanner {
  const re = new RegExp(source, 'gu');
  let cachedStart = -1;
  let cachedEnd = -1;
  let cachedText = '';
  return (text, i, end) => {
    // The caller passes whole segments (end === text.length), so lookarounds and `$` see the
    // segment's end as tiktoken's core does.
    if (i === cachedStart && text === cachedText) return cachedEnd;
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) return keepGaps ? end : ~end;
    const start = m.index;
    let stop = start + m[0].length;
    if (stop === start) {
      // An empty match: step over one code point as unmatched text.
      stop = start + ((text.charCodeAt(start) & 0xfc00) === 0xd800 ? 2 : 1);
      if (start === i) return keepGaps ? stop : ~stop;
      return keepGaps ? start : ~start;
    }
    if (start > i) {
      cachedText = text;
      cachedStart = start;
      cachedEnd = stop;
      return keepGaps ? start : ~start;
    }
    return stop;
  };
}

/**
 * Splits text into pre-tokens by a named pattern or one in tiktoken's regex syntax.
 * @example
 * ```ts
 * new PreTokenizer('cl100k').split("Hello world's  end"); // ['Hello', ' world', "'s", ' ', ' end']
 * ```
 * @public
 */
export class PreTokenizer {
  /** The pattern in tiktoken's regex syntax. */
  readonly pattern: string;
  /** The named pattern this is, when it is one. */
  readonly name: PatternName | undefined;
  /** What happens to unmatched text. */
  readonly gaps: 'drop' | 'keep';
  /** Whether pieces come from a JavaScript regex (else from an exact built-in scanner). */
  readonly usesRegex: boolean;
  /**
   * @internal The scanner: the end of the piece at `i`, or `~end` of unmatched text to skip.
   * Regex scanners need `end === text.length`.
   */
  readonly scan: Scanner;

  /**
   * @param pattern - a {@link PatternName} or a pattern in tiktoken's regex syntax
   * @throws TokenizerError `UNSUPPORTED` for regex syntax JavaScript cannot express
   */
  constructor(pattern: PatternName | string, options: PreTokenizerOptions = {}) {
    if (typeof pattern !== 'string' || pattern.length === 0) {
      throw new TokenizerError({
        code: 'INVALID_ARGUMENT',
        fn: 'PreTokenizer',
        argument: 'pattern',
        detail: `expected one of ${Object.keys(PATTERNS).join(', ')} or a non-empty regex string, received ${typeof pattern === 'string' ? 'an empty string' : typeof pattern}.`,
      });
    }
    this.gaps = options.gaps ?? 'drop';
    const name = pattern in PATTERNS ? (pattern as PatternName) : KNOWN.get(pattern);
    if (name !== undefined) {
      this.name = name;
      this.pattern = PATTERNS[name];
      this.scan = SCANNERS[name];
      this.usesRegex = false;
    } else {
      this.name = undefined;
      this.pattern = pattern;
      this.scan = regexScanner(translateTiktokenRegex(pattern), this.gaps === 'keep');
      this.usesRegex = true;
    }
  }

  /**
   * Calls `onPiece(start, end)` for each piece of `text` (lone surrogates count as U+FFFD, as
   * tiktoken sees them; pass text through `toWellFormed()` first to index the same string).
   */
  forEachPiece(text: string, onPiece: (start: number, end: number) => void): void {
    const scan = this.scan;
    const end = text.length;
    for (let i = 0; i < end; ) {
      const j = scan(text, i, end);
      if (j < 0) {
        i = ~j;
        continue;
      }
      onPiece(i, j);
      i = j;
    }
  }

  /** The pieces of `text`, lone surrogates replaced by U+FFFD. */
  split(text: string): string[] {
    const wellFormed = toWellFormed(text);
    const pieces: string[] = [];
    this.forEachPiece(wellFormed, (s, e) => pieces.push(wellFormed.slice(s, e)));
    return pieces;
  }
}
