/**
 * Special tokens with tiktoken's semantics (`tiktoken/core.py` `Encoding.encode` and
 * `src/lib.rs` `CoreBPE::encode`): the text is searched for special-token strings; one that is
 * disallowed throws, one that is allowed becomes its id, and the text between special tokens is
 * pre-tokenized and merged on its own. Where two special tokens could match at one position, the
 * longest wins (tiktoken leaves that order to a hash map).
 */
import type { EncodeOptions } from '../tokenizer.js';
import { TokenizerError } from '../tokenizerError.js';

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** A regex matching any of `tokens`, longest first; `null` for none. */
function anyOf(tokens: Iterable<string>): RegExp | null {
  const list = [...tokens].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return list.length === 0 ? null : new RegExp(list.map(escapeRegExp).join('|'), 'gu');
}

/** A call's resolved policy. */
export interface SpecialPolicy {
  /** Matches the special tokens to split on (those allowed), or null. */
  readonly allowed: RegExp | null;
  /** Matches the special tokens that make the call throw, or null. */
  readonly disallowed: RegExp | null;
}

export class SpecialTokens {
  readonly tokens: ReadonlyMap<string, number>;
  readonly #defaultPolicy: SpecialPolicy;
  readonly #allPolicy: SpecialPolicy;

  constructor(tokens: ReadonlyMap<string, number>) {
    this.tokens = tokens;
    this.#defaultPolicy = { allowed: null, disallowed: anyOf(tokens.keys()) };
    this.#allPolicy = { allowed: anyOf(tokens.keys()), disallowed: null };
  }

  /** Resolves `allowedSpecial` / `disallowedSpecial`, validating the names. */
  policy(fn: string, options: EncodeOptions | undefined): SpecialPolicy {
    const allowed = options?.allowedSpecial;
    const disallowed = options?.disallowedSpecial ?? 'all';
    if (allowed === undefined && disallowed === 'all') return this.#defaultPolicy;
    if (allowed === 'all' && disallowed === 'all') return this.#allPolicy;
    const allowedSet =
      allowed === 'all'
        ? new Set(this.tokens.keys())
        : this.#names(fn, 'options.allowedSpecial', allowed ?? []);
    const disallowedSet =
      disallowed === 'all'
        ? new Set([...this.tokens.keys()].filter((t) => !allowedSet.has(t)))
        : this.#names(fn, 'options.disallowedSpecial', disallowed);
    return { allowed: anyOf(allowedSet), disallowed: anyOf(disallowedSet) };
  }

  #names(fn: string, argument: string, names: Iterable<string>): Set<string> {
    if (typeof names === 'string' || typeof names?.[Symbol.iterator] !== 'function') {
      throw new TokenizerError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail: `expected 'all' or an iterable of special-token strings, received ${typeof names === 'string' ? JSON.stringify(names) : typeof names}.`,
      });
    }
    const set = new Set<string>();
    for (const name of names) {
      if (!this.tokens.has(name)) {
        const known = [...this.tokens.keys()].slice(0, 5).join(', ');
        throw new TokenizerError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument,
          detail: `${JSON.stringify(name)} is not a special token of this tokenizer (it has ${this.tokens.size}${known ? `: ${known}${this.tokens.size > 5 ? ', …' : ''}` : ''}).`,
        });
      }
      set.add(name);
    }
    return set;
  }
}

/** Throws when `text` contains a special token the policy disallows. */
export function checkDisallowed(fn: string, text: string, policy: SpecialPolicy): void {
  const re = policy.disallowed;
  if (re === null) return;
  re.lastIndex = 0;
  const m = re.exec(text);
  if (m === null) return;
  throw new TokenizerError({
    code: 'DISALLOWED_SPECIAL_TOKEN',
    fn,
    argument: 'text',
    detail:
      `the text contains the special token ${JSON.stringify(m[0])} at index ${m.index}, which this call does not allow. ` +
      `Pass { allowedSpecial: [${JSON.stringify(m[0])}] } to encode it as the special token, ` +
      `or { disallowedSpecial: [] } to encode it as ordinary text.`,
  });
}
