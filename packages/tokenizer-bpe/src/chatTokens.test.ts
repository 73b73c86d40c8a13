import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ourEncoding } from '../test/references.js';
import {
  countChatTokens,
  OPENAI_CHAT_FORMAT,
  truncateMessages,
  truncateToTokens,
} from './chatTokens.js';
import { toWellFormed } from './internal/utf8.js';

const cl100k = ourEncoding('cl100k_base');

// The example conversation of openai-cookbook "How to count tokens with tiktoken", which reports
// 129 prompt tokens for it on gpt-3.5-turbo / gpt-4 (cl100k_base).
const cookbook = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  {
    role: 'system',
    name: 'example_user',
    content: 'New synergies will help drive top-line growth.',
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content:
      "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

describe('countChatTokens', () => {
  it("matches the OpenAI cookbook's count for its example conversation", () => {
    expect(countChatTokens(cl100k, cookbook)).toBe(129);
  });

  it('adds the documented overhead to the content tokens', () => {
    const n = countChatTokens(cl100k, [{ role: 'user', content: 'Hello <|endoftext|>' }]);
    const { tokensPerMessage, replyPriming } = OPENAI_CHAT_FORMAT;
    expect(n).toBe(
      replyPriming +
        tokensPerMessage +
        cl100k.count('user') +
        cl100k.count('Hello <|endoftext|>', { disallowedSpecial: [] }),
    );
    expect(
      countChatTokens(cl100k, [], { tokensPerMessage: 4, tokensPerName: -1, replyPriming: 2 }),
    ).toBe(2);
  });

  it('rejects malformed messages by position', () => {
    expect(() => countChatTokens(cl100k, [{ role: 'user' } as never])).toThrow(/messages\[0\]/);
  });
});

describe('truncateToTokens', () => {
  it('keeps a prefix or suffix within the budget, never splitting a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.nat({ max: 20 }),
        fc.boolean(),
        (text, max, keepEnd) => {
          const cut = truncateToTokens(cl100k, text, max, { keep: keepEnd ? 'end' : 'start' });
          expect(cl100k.count(cut, { disallowedSpecial: [] })).toBeLessThanOrEqual(max);
          expect(toWellFormed(cut)).toBe(cut);
          expect(keepEnd ? text.endsWith(cut) : text.startsWith(cut)).toBe(true);
        },
      ),
    );
  });

  it('returns short text unchanged and cuts emoji whole', () => {
    expect(truncateToTokens(cl100k, 'hello world', 5)).toBe('hello world');
    expect(truncateToTokens(cl100k, 'ab😀😀', 2)).toBe('ab');
    expect(() => truncateToTokens(cl100k, 'x', -1)).toThrow(/maxTokens/);
  });
});

describe('truncateMessages', () => {
  it('keeps system messages and the newest messages that fit', () => {
    const chat = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'one two three four five' },
      { role: 'assistant', content: 'six seven' },
      { role: 'user', content: 'eight' },
    ];
    const budget = countChatTokens(cl100k, [chat[0]!, chat[2]!, chat[3]!]);
    expect(truncateMessages(cl100k, chat, budget)).toEqual([chat[0], chat[2], chat[3]]);
    expect(truncateMessages(cl100k, chat, 10_000)).toEqual(chat);
  });

  it('cuts the newest message when nothing else fits', () => {
    const chat = [{ role: 'user', content: 'alpha beta gamma delta epsilon zeta eta theta' }];
    const kept = truncateMessages(cl100k, chat, 12);
    expect(countChatTokens(cl100k, kept)).toBeLessThanOrEqual(12);
    expect(kept[0]!.content.length).toBeGreaterThan(0);
    expect(chat[0]!.content.endsWith(kept[0]!.content)).toBe(true);
  });
});
