/**
 * fast-check arbitraries for hostile text: the inputs on which tokenizers have been seen to
 * differ or break — astral characters, combining marks, ZWJ emoji, lone surrogates, right-to-left
 * scripts and bidi controls, long whitespace and digit runs, and near misses of special tokens.
 */
import fc from 'fast-check';

const pick = (items: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...items);

/** Characters outside the BMP (surrogate pairs in UTF-16, 4 bytes in UTF-8). @public */
export function astralText(): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
        pick(['𝐀', '𝐚', '𝟏', '𠀋', '𓀀', '😀', '🂡', '𝄞', '\u{E0041}']),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((cs) => cs.join(''));
}

/** Base letters followed by stacks of combining marks (Zalgo text, decomposed accents). @public */
export function combiningText(): fc.Arbitrary<string> {
  const marks = fc.integer({ min: 0x300, max: 0x36f }).map((cp) => String.fromCodePoint(cp));
  const base = pick(['a', 'e', 'Z', 'क', 'ก', 'ᄀ', ' ', '1']);
  return fc
    .array(fc.tuple(base, fc.array(marks, { maxLength: 6 })), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.map(([b, m]) => b + m.join('')).join(''));
}

/** Emoji: ZWJ sequences, skin tones, flags, keycaps, variation selectors. @public */
export function emojiText(): fc.Arbitrary<string> {
  return fc
    .array(
      pick([
        '👨‍👩‍👧‍👦',
        '🧑🏿‍🚀',
        '👍🏽',
        '🇫🇷',
        '🇯🇵',
        '🏳️‍🌈',
        '❤️‍🔥',
        '1️⃣',
        '#️⃣',
        '✔︎',
        '✔️',
        '😀',
        '\u200d',
        '\ufe0f',
        '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
      ]),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => parts.join(''));
}

/** Unpaired UTF-16 surrogates, alone or next to other text (not valid Unicode). @public */
export function loneSurrogates(): fc.Arbitrary<string> {
  const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));
  return fc
    .array(fc.oneof(surrogate, pick(['a', ' ', '😀', 'é'])), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(''));
}

/** Arabic and Hebrew text, mixed with digits and bidi control characters. @public */
export function rtlText(): fc.Arbitrary<string> {
  return fc
    .array(
      pick([
        'مرحبا',
        ' بالعالم',
        'שלום',
        ' עולם',
        '١٢٣',
        '123',
        '\u202e',
        '\u202c',
        '\u200f',
        '\u200e',
        '\u2067',
        '\u2069',
        'ـ',
        'ﷺ',
        'ّ',
        '،',
        '؟',
      ]),
      { minLength: 1, maxLength: 8 },
    )
    .map((parts) => parts.join(''));
}

/** Runs of one whitespace character (space, tab, newlines, NBSP, ideographic space, …). @public */
export function whitespaceRuns(): fc.Arbitrary<string> {
  return fc
    .array(
      fc.tuple(
        pick([' ', '\t', '\n', '\r\n', '\r', '\u00a0', '\u3000', '\u2003', '\u0085', '\u000b']),
        fc.integer({ min: 1, max: 200 }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .chain((runs) =>
      fc
        .constantFrom('', 'a', 'x.')
        .map((tail) => runs.map(([c, n]) => c.repeat(n)).join('') + tail),
    );
}

/** Long runs of digits, in several scripts. @public */
export function digitRuns(): fc.Arbitrary<string> {
  return fc
    .tuple(
      pick(['0123456789', '٠١٢٣٤٥٦٧٨٩', '०१२३४५६७८९', '𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗']),
      fc.integer({ min: 1, max: 80 }),
    )
    .chain(([digits, n]) => {
      const chars = [...digits];
      return fc
        .array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n })
        .map((ds) => ds.map((d) => chars[d]).join(''));
    });
}

/**
 * Strings that almost are special tokens: one character dropped, changed in case, split by a
 * space, or doubled — the text a policy must not mistake for the token.
 * @public
 */
export function specialTokenLookalikes(specialTokens: Iterable<string>): fc.Arbitrary<string> {
  const tokens = [...specialTokens];
  const base = tokens.length > 0 ? tokens : ['<|endoftext|>', '<s>', '[INST]'];
  return fc
    .tuple(fc.constantFrom(...base), fc.nat(), fc.constantFrom('drop', 'case', 'space', 'prefix'))
    .map(([token, at, how]) => {
      const i = at % token.length;
      switch (how) {
        case 'drop':
          return token.slice(0, i) + token.slice(i + 1);
        case 'case':
          return token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase();
        case 'space':
          return `${token.slice(0, i)} ${token.slice(i)}`;
        default:
          return token.slice(0, i);
      }
    });
}

/** Options of {@link hostileText}. @public */
export interface HostileTextOptions {
  /**
   * Include lone surrogates (text that is not valid Unicode).
   * @defaultValue false
   */
  readonly loneSurrogates?: boolean;
  /** Special tokens to imitate (near misses only; the tokens themselves are never produced). */
  readonly specialTokens?: Iterable<string>;
  /**
   * Most fragments joined into one string.
   * @defaultValue 8
   */
  readonly maxFragments?: number;
}

/** Everything above mixed with plain words, punctuation and code. @public */
export function hostileText(options: HostileTextOptions = {}): fc.Arbitrary<string> {
  const fragments: fc.Arbitrary<string>[] = [
    astralText(),
    combiningText(),
    emojiText(),
    rtlText(),
    whitespaceRuns(),
    digitRuns(),
    specialTokenLookalikes(options.specialTokens ?? []),
    pick([
      'hello',
      ' world',
      "it's",
      " DON'T",
      'HELLOworld',
      'ſ',
      "'ſ",
      'x=1;',
      '{}',
      '日本語',
      '한국어',
      'ß',
    ]),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
  ];
  if (options.loneSurrogates === true) fragments.push(loneSurrogates());
  const specials = [...(options.specialTokens ?? [])];
  return fc
    .array(fc.oneof(...fragments), { maxLength: options.maxFragments ?? 8 })
    .map((parts) => parts.join(''))
    .filter((text) => !specials.some((s) => text.includes(s)));
}
