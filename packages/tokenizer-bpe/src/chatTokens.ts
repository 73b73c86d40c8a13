/**
 * Token budgets for chat messages: counting a conversation with the per-message overhead that
 * chat formats add, and truncating text or a conversation to fit a budget.
 *
 * The default overhead is OpenAI's published accounting for its chat models
 * (openai-cookbook `examples/How_to_count_tokens_with_tiktoken.ipynb`,
 * `num_tokens_from_messages`): 3 tokens per message (`<|start|>{role}\n … <|end|>` framing
 * around the encoded role and content), 1 more when a message has a `name`, and 3 for the
 * assistant reply's priming (`<|start|>assistant<|message|>`). Other chat templates have other
 * overheads: pass your own {@link ChatFormat}.
 */
import type { Tokenizer } from './tokenizer.js';
import { TokenizerError } from './tokenizerError.js';

/** One chat message. @public */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
  readonly name?: string;
}

/** The token overhead of a chat template. @public */
export interface ChatFormat {
  /** Tokens added around every message. */
  readonly tokensPerMessage: number;
  /** Tokens added when a message has a `name`. */
  readonly tokensPerName: number;
  /** Tokens that prime the reply, counted once per conversation. */
  readonly replyPriming: number;
}

/** OpenAI's accounting for cl100k/o200k chat models (see the file header). @public */
export const OPENAI_CHAT_FORMAT: ChatFormat = Object.freeze({
  tokensPerMessage: 3,
  tokensPerName: 1,
  replyPriming: 3,
});

// Message text is user content: special-token strings in it are counted as plain text.
const asText = { disallowedSpecial: [] as string[] };

function messageTokens(tokenizer: Tokenizer, m: ChatMessage, format: ChatFormat): number {
  let n =
    format.tokensPerMessage + tokenizer.count(m.role, asText) + tokenizer.count(m.content, asText);
  if (m.name !== undefined) n += format.tokensPerName + tokenizer.count(m.name, asText);
  return n;
}

function checkMessages(fn: string, messages: readonly ChatMessage[]): void {
  if (!Array.isArray(messages)) {
    throw new TokenizerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'messages',
      detail: 'expected an array of {role, content, name?}.',
    });
  }
  messages.forEach((m, i) => {
    if (
      m === null ||
      typeof m !== 'object' ||
      typeof m.role !== 'string' ||
      typeof m.content !== 'string' ||
      (m.name !== undefined && typeof m.name !== 'string')
    ) {
      throw new TokenizerError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: `messages[${i}]`,
        detail: 'expected {role: string, content: string, name?: string}.',
      });
    }
  });
}

/**
 * Tokens a conversation takes as a prompt, overhead included.
 * @example
 * ```ts
 * countChatTokens(tokenizer, [{ role: 'user', content: 'Hello!' }]); // 3 + 1 + 2 + 3 = 9 (cl100k)
 * ```
 * @public
 */
export function countChatTokens(
  tokenizer: Tokenizer,
  messages: readonly ChatMessage[],
  format: ChatFormat = OPENAI_CHAT_FORMAT,
): number {
  checkMessages('countChatTokens', messages);
  let n = format.replyPriming;
  for (const m of messages) n += messageTokens(tokenizer, m, format);
  return n;
}

/** Options of {@link truncateToTokens}. @public */
export interface TruncateOptions {
  /**
   * Which end to keep: `'start'` keeps the beginning (cuts the end), `'end'` keeps the end.
   * @defaultValue `'start'`
   */
  readonly keep?: 'start' | 'end';
}

function checkBudget(fn: string, maxTokens: number): void {
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0) {
    throw new TokenizerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'maxTokens',
      detail: `expected a non-negative integer, received ${String(maxTokens)}.`,
    });
  }
}

/**
 * The longest prefix (or suffix) of `text` that takes at most `maxTokens` tokens, cut at a token
 * boundary and never inside a character. Special-token strings count as plain text.
 * @public
 */
export function truncateToTokens(
  tokenizer: Tokenizer,
  text: string,
  maxTokens: number,
  options: TruncateOptions = {},
): string {
  checkBudget('truncateToTokens', maxTokens);
  const ids = tokenizer.encode(text, asText);
  if (ids.length <= maxTokens) return text;
  const keepEnd = options.keep === 'end';
  // Re-encoding a cut text can merge differently; shrink until it fits.
  for (let take = maxTokens; take > 0; take--) {
    const bytes = tokenizer.decodeBytes(
      keepEnd ? ids.subarray(ids.length - take) : ids.subarray(0, take),
    );
    let start = 0;
    let end = bytes.length;
    if (keepEnd) while (start < end && (bytes[start]! & 0xc0) === 0x80) start++;
    else {
      // Drop an incomplete final character: back up to its lead byte when it lacks bytes.
      let lead = end - 1;
      while (lead > 0 && (bytes[lead]! & 0xc0) === 0x80 && end - lead < 4) lead--;
      const b = bytes[lead] ?? 0;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (end - lead < need) end = lead;
    }
    const cut = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(start, end));
    if (tokenizer.count(cut, asText) <= maxTokens) return cut;
  }
  return '';
}

/**
 * The conversation cut to fit `maxTokens` (overhead included): system messages are kept, then
 * the most recent other messages that fit; the oldest are dropped first. When not even the
 * newest message fits, its content is cut from the start to fit.
 * @public
 */
export function truncateMessages(
  tokenizer: Tokenizer,
  messages: readonly ChatMessage[],
  maxTokens: number,
  format: ChatFormat = OPENAI_CHAT_FORMAT,
): ChatMessage[] {
  checkMessages('truncateMessages', messages);
  checkBudget('truncateMessages', maxTokens);
  let used = format.replyPriming;
  const keep = new Array<boolean>(messages.length).fill(false);
  messages.forEach((m, i) => {
    if (m.role === 'system') {
      used += messageTokens(tokenizer, m, format);
      keep[i] = true;
    }
  });
  let partial: ChatMessage | undefined;
  let partialAt = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (keep[i]) continue;
    const n = messageTokens(tokenizer, m, format);
    if (used + n <= maxTokens) {
      used += n;
      keep[i] = true;
      continue;
    }
    if (!keep.some((k, j) => k && messages[j]!.role !== 'system')) {
      const frame = n - tokenizer.count(m.content, asText);
      const room = maxTokens - used - frame;
      if (room > 0) {
        partial = { ...m, content: truncateToTokens(tokenizer, m.content, room, { keep: 'end' }) };
        partialAt = i;
      }
    }
    break;
  }
  return messages.flatMap((m, i) => (i === partialAt && partial ? [partial] : keep[i] ? [m] : []));
}
