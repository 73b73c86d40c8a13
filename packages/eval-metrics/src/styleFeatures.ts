/**
 * The style features of Chatbot Arena's style control (Li, Angelopoulos & Chiang, "Does style
 * matter? Disentangling style and substance in Chatbot Arena", LMSYS blog, 2024): per answer, its
 * length in tokens and its counts of markdown headers, list items and bold spans; per battle, the
 * normalised difference (a − b) / (a + b + 1) of each count.
 *
 * The counts restate FastChat's `count_markdown_elements` and `remove_pattern`
 * (`fastchat/serve/monitor/add_markdown_info.py`; the same code computes arena-hard-auto's
 * `conv_metadata` in `gen_answer.py`), Python regex semantics included: `^` is a line start after
 * "\n" only (not "\r"), `\s` is Python's whitespace, `\d` any Unicode decimal digit. The
 * difference is `preprocess_for_style` (`fastchat/serve/monitor/rating_systems.py`,
 * `add_one=True`, ratio on all four); its standardisation across battles happens in
 * `styleControlledRatings`. Token counting is the caller's: FastChat counts with tiktoken's
 * cl100k_base.
 */
import { describeValue } from '@llmkit/numeric';
import { check, invalid } from './internal/check.js';
import { PY_SPACE } from './internal/text.js';

/** The four counts FastChat's style control takes from one answer. @public */
export interface StyleAttributes {
  /** Tokens, summed over the answer's turns (`sum_assistant_{a,b}_tokens`). */
  readonly tokens: number;
  /** Markdown headers `#` … `######` + whitespace at a line start (`header_count`, h1–h6 summed). */
  readonly headers: number;
  /** List items `1. ` and `- `/`* `/`+ ` at a line start, indentation allowed (`list_count`). */
  readonly lists: number;
  /** Bold spans `**…**` and `__…__` within one line (`bold_count`). */
  readonly bold: number;
}

/** One battle's style features: (a − b) / (a + b + 1) per attribute, each in (−1, 1). @public */
export interface StyleFeatures {
  readonly tokens: number;
  readonly headers: number;
  readonly lists: number;
  readonly bold: number;
}

/** Options of {@link styleAttributes} and {@link styleFeatures}. @public */
export interface StyleAttributeOptions {
  /**
   * Tokens in one turn of an answer. FastChat counts
   * `len(tiktoken.get_encoding("cl100k_base").encode(text, disallowed_special=()))`; with
   * `@llmkit/tokenizer-bpe` loaded with cl100k_base that is `(text) => tokenizer.count(text)`.
   */
  readonly countTokens: (text: string) => number;
}

/** An answer: its text, or the texts of its assistant turns (joined by "\n" for the markdown counts). @public */
export type StyleAnswer = string | readonly string[];

const ATTRIBUTES = ['tokens', 'headers', 'lists', 'bold'] as const;

// Python's `^` under re.MULTILINE: the start of the text or just after "\n".
const LINE_START = '(?<![^\\n])';
const S = `[${PY_SPACE}]`;
const HEADERS = [1, 2, 3, 4, 5, 6].map((k) => new RegExp(`${LINE_START}#{${k}}${S}`, 'gu'));
const ORDERED_ITEM = new RegExp(`${LINE_START}${S}*\\p{Nd}+\\.${S}`, 'gu');
const UNORDERED_ITEM = new RegExp(`${LINE_START}${S}*[-*+]${S}`, 'gu');
const BOLD_STARS = /\*\*[^*\n]+\*\*/gu;
const BOLD_UNDERSCORES = /__[^_\n]+__/gu;
const CODE_BLOCK = /```([^`]*)```/gu;

/**
 * Counts an answer's style attributes as FastChat does: tokens per turn (summed); markdown after
 * removing code blocks from the turns joined by "\n".
 *
 * @example
 * ```ts
 * styleAttributes('# Plan\n- **fast**\n- cheap', { countTokens: (t) => tokenizer.count(t) });
 * // { tokens: …, headers: 1, lists: 2, bold: 1 }
 * ```
 * @throws EvalMetricsError when the answer is not a string or list of strings, or `countTokens`
 * is missing or returns anything but a non-negative finite number.
 * @public
 */
export function styleAttributes(
  answer: StyleAnswer,
  options: StyleAttributeOptions,
): StyleAttributes {
  return attributesOf('styleAttributes', 'answer', answer, options);
}

/**
 * One battle's style features from its two answers (texts, turn lists, or counted
 * {@link StyleAttributes}, e.g. FastChat's `conv_metadata` with each dict summed).
 *
 * @example
 * ```ts
 * styleFeatures(
 *   { tokens: 300, headers: 2, lists: 6, bold: 4 },
 *   { tokens: 100, headers: 0, lists: 0, bold: 0 },
 * ); // { tokens: 200/401, headers: 2/3, lists: 6/7, bold: 4/5 }
 * ```
 * @throws EvalMetricsError on malformed answers or counts, or texts without `countTokens`.
 * @public
 */
export function styleFeatures(
  answerA: StyleAnswer | StyleAttributes,
  answerB: StyleAnswer | StyleAttributes,
  options?: StyleAttributeOptions,
): StyleFeatures {
  const fn = 'styleFeatures';
  const a = attributesOf(fn, 'answerA', answerA, options);
  const b = attributesOf(fn, 'answerB', answerB, options);
  const out = { tokens: 0, headers: 0, lists: 0, bold: 0 };
  for (const key of ATTRIBUTES) out[key] = (a[key] - b[key]) / (a[key] + b[key] + 1);
  return out;
}

function attributesOf(
  fn: string,
  argument: string,
  answer: unknown,
  options: StyleAttributeOptions | undefined,
): StyleAttributes {
  if (typeof answer === 'object' && answer !== null && !Array.isArray(answer)) {
    const given = answer as Record<string, unknown>;
    const out = { tokens: 0, headers: 0, lists: 0, bold: 0 };
    for (const key of ATTRIBUTES) {
      out[key] = check.nonNegative(fn, `${argument}.${key}`, given[key]);
    }
    return out;
  }
  const turns = typeof answer === 'string' ? [answer] : answer;
  if (!Array.isArray(turns) || !turns.every((t) => typeof t === 'string')) {
    return invalid(
      fn,
      argument,
      `expected an answer text, a list of turn texts or {tokens, headers, lists, bold}, received ${describeValue(answer)}.`,
    );
  }
  const countTokens = options?.countTokens;
  if (typeof countTokens !== 'function') {
    return invalid(
      fn,
      'options.countTokens',
      'texts need a token counter: pass { countTokens: (text) => tokenizer.count(text) } (FastChat counts cl100k_base tokens), or pass counted StyleAttributes instead of texts.',
    );
  }
  let tokens = 0;
  for (const [k, turn] of (turns as string[]).entries()) {
    tokens += check.nonNegative(fn, `options.countTokens(${argument}[${k}])`, countTokens(turn));
  }
  const text = withoutCodeBlocks((turns as string[]).join('\n'));
  let headers = 0;
  for (const pattern of HEADERS) headers += count(pattern, text);
  return {
    tokens,
    headers,
    lists: count(ORDERED_ITEM, text) + count(UNORDERED_ITEM, text),
    bold: count(BOLD_STARS, text) + count(BOLD_UNDERSCORES, text),
  };
}

/**
 * FastChat's `remove_pattern(answer, re.compile("```([^`]*)```"))`: `findall` returns the text
 * between each pair of fences, and every occurrence of that text is then deleted in turn — the
 * fences stay, and identical text elsewhere in the answer goes too. Kept as is, so the counts
 * match the arena's.
 */
function withoutCodeBlocks(text: string): string {
  let out = text;
  for (const match of text.matchAll(CODE_BLOCK)) out = out.replaceAll(match[1] as string, '');
  return out;
}

function count(pattern: RegExp, text: string): number {
  return text.match(pattern)?.length ?? 0;
}
