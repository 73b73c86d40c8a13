/**
 * A JSONL format for multiple-choice tasks, and seeded few-shot prompts.
 *
 * One JSON object per line (blank lines skipped):
 * `{"id": "astro-1", "subject": "astronomy", "question": "…", "choices": ["…", "…"], "answer": 1}`
 * - `id` (string, unique; defaults to the line number), `subject` (optional),
 * - `question` (or `context`): the prompt text,
 * - `choices`: the answer texts,
 * - `answer`: a 0-based index, a letter `"A"`–`"Z"`, the text of one choice, or an array of
 *   indices when several answers are accepted.
 * The README documents the same format.
 */
import { describeValue, Random } from '@llmkit/numeric';
import { EvalMetricsError } from './errors.js';
import { check, invalid, nonEmptyArray, string } from './internal/check.js';
import type { MultipleChoiceItem } from './multipleChoice.js';

/** A question as read from the JSONL format (before any prompt formatting). @public */
export interface MultipleChoiceQuestion extends MultipleChoiceItem {
  /** The bare question text (`context` is the same until a template is applied). */
  readonly question: string;
}

/**
 * Parses the JSONL task format.
 * @throws EvalMetricsError naming the line of any malformed record or duplicate id.
 * @public
 */
export function parseMultipleChoiceJsonl(text: string): MultipleChoiceQuestion[] {
  const fn = 'parseMultipleChoiceJsonl';
  const lines = string(fn, 'text', text).split('\n');
  const out: MultipleChoiceQuestion[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      return invalid(fn, where, `is not valid JSON: ${describeValue(line)}.`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      invalid(fn, where, 'expected a JSON object.');
    }
    const id = record.id === undefined ? String(i + 1) : string(fn, `${where}: id`, record.id);
    if (ids.has(id)) invalid(fn, `${where}: id`, `duplicate id ${JSON.stringify(id)}.`);
    ids.add(id);
    const question = string(fn, `${where}: question`, record.question ?? record.context);
    const choices = nonEmptyArray<string>(fn, `${where}: choices`, record.choices);
    for (const [j, c] of choices.entries()) string(fn, `${where}: choices[${j}]`, c);
    const gold = answerOf(fn, where, record.answer, choices);
    out.push({
      id,
      question,
      context: question,
      choices,
      gold,
      ...(record.subject === undefined
        ? {}
        : { subject: string(fn, `${where}: subject`, record.subject) }),
    });
  }
  if (out.length === 0) {
    throw new EvalMetricsError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'text',
      detail: 'no records found.',
    });
  }
  return out;
}

function answerOf(
  fn: string,
  where: string,
  answer: unknown,
  choices: readonly string[],
): number | number[] {
  const argument = `${where}: answer`;
  if (Array.isArray(answer)) {
    return nonEmptyArray<number>(fn, argument, answer).map((a) =>
      check.integer(fn, argument, a, { min: 0, max: choices.length - 1 }),
    );
  }
  if (typeof answer === 'number')
    return check.integer(fn, argument, answer, { min: 0, max: choices.length - 1 });
  if (typeof answer === 'string') {
    const byText = choices.indexOf(answer);
    if (byText !== -1) return byText;
    if (/^[A-Z]$/.test(answer) && answer.charCodeAt(0) - 65 < choices.length)
      return answer.charCodeAt(0) - 65;
  }
  return invalid(
    fn,
    argument,
    `expected an index, a letter A–Z within the choices, a choice's text or an array of indices, received ${describeValue(answer)}.`,
  );
}

/** Options of {@link fewShotContext}. @public */
export interface FewShotOptions {
  /** Examples to include. */
  readonly shots: number;
  /** Seed; each item draws its examples from `new Random(seed).fork(item.id)`. @defaultValue 1234 */
  readonly seed?: number;
  /** Text before the examples (e.g. "The following are questions about astronomy."). @defaultValue '' */
  readonly description?: string;
  /** Between examples and before the question. @defaultValue '\n\n' */
  readonly exampleSeparator?: string;
  /** Between an example's question and its answer. @defaultValue ' ' */
  readonly targetDelimiter?: string;
  /** How a question is written. @defaultValue the question text */
  readonly format?: (question: MultipleChoiceQuestion) => string;
}

/**
 * The item with `context` replaced by a few-shot prompt, the harness's layout:
 * description + Σ (format(example) + delimiter + its answer + separator) + format(item).
 * Examples come from `pool` (the item itself excluded), drawn without replacement from a stream
 * keyed by the item's id, so each prompt is reproducible regardless of order.
 * @public
 */
export function fewShotContext(
  item: MultipleChoiceQuestion,
  pool: readonly MultipleChoiceQuestion[],
  options: FewShotOptions,
): MultipleChoiceQuestion {
  const fn = 'fewShotContext';
  const shots = check.integer(fn, 'options.shots', options?.shots, { min: 0 });
  const candidates = pool.filter((p) => p.id !== item.id);
  if (shots > candidates.length) {
    invalid(
      fn,
      'options.shots',
      `asks for ${shots} examples but the pool has ${candidates.length} other items.`,
    );
  }
  const format = options.format ?? ((q: MultipleChoiceQuestion) => q.question);
  const separator = options.exampleSeparator ?? '\n\n';
  const delimiter = options.targetDelimiter ?? ' ';
  const rng = new Random(check.integer(fn, 'options.seed', options.seed ?? 1234, { min: 0 })).fork(
    item.id,
  );
  const order = rng.permutation(candidates.length);
  let prompt = options.description ?? '';
  for (let s = 0; s < shots; s++) {
    const example = candidates[order[s] as number] as MultipleChoiceQuestion;
    const gold = typeof example.gold === 'number' ? example.gold : (example.gold[0] as number);
    prompt += `${format(example)}${delimiter}${example.choices[gold]}${separator}`;
  }
  return { ...item, context: prompt + format(item) };
}
