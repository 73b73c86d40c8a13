/**
 * Translation of a pre-tokenizer pattern in tiktoken's regex syntax (Rust `fancy-regex` over the
 * `regex` crate) into an equivalent JavaScript `RegExp` with the `u` flag.
 *
 * What differs, and how it is translated:
 * - `\s`, `\d`, `\w` are Unicode in Rust (White_Space, Nd, Alphabetic+M+Nd+Pc+Join_Control); JS's
 *   are not (`\s` adds U+FEFF and lacks U+0085): written out as property classes.
 * - `.` excludes only `\n` in Rust (JS also excludes `\r`, U+2028, U+2029): `[^\n]`.
 * - Possessive quantifiers (`x++`) and atomic groups (`(?>x)`), absent from JS, become the
 *   equivalent `(?=(?<a1>x+))\k<a1>`: a lookahead is atomic, and the backreference consumes it.
 * - `(?i:…)` groups (JS 20 has no inline modifiers): each literal letter becomes the class of its
 *   simple case-folding orbit (`s` → `[sSſ]`), which is what Rust's case-insensitive match uses.
 *   A leading `(?i)` applies to the whole pattern.
 * - Capturing and named groups become non-capturing (only the whole match matters here).
 *
 * What JS cannot express is rejected with a clear error: backreferences, `\W` inside a class,
 * POSIX and nested classes, class set operations, case-insensitive classes, and inline flags other
 * than `i` and `u`.
 */
import { TokenizerError } from '../tokenizerError.js';

const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const JS_SYNTAX = '^$\\.*+?()[]{}|/';
/** Letters whose simple case-folding orbit has more than the lower and upper case forms. */
const EXTRA_FOLDS: Record<string, string> = {
  s: 'ſ',
  k: '\u212a',
  å: '\u212b',
  ß: 'ẞ',
  µ: 'μ',
  μ: 'µ',
  ω: '\u2126',
  θ: 'ϑϴ',
  ι: '\u0345ι',
  β: 'ϐ',
  ε: 'ϵ',
  κ: 'ϰ',
  π: 'ϖ',
  ρ: 'ϱ',
  σ: 'ς',
  φ: 'ϕ',
};

class Translator {
  readonly #src: string;
  #i = 0;
  #atoms = 0;

  constructor(src: string) {
    this.#src = src;
  }

  fail(detail: string): never {
    throw new TokenizerError({
      code: 'UNSUPPORTED',
      fn: 'preTokenizer',
      argument: 'pattern',
      detail: `${detail} at offset ${this.#i} of ${JSON.stringify(this.#src)}; JavaScript regexes cannot express it, so write the pattern without it.`,
    });
  }

  /** Translates the whole pattern. */
  translate(): string {
    const out = this.sequence(false);
    if (this.#i < this.#src.length) this.fail('an unmatched )');
    return out;
  }

  /** Translates an alternation up to an unmatched `)` or the end. */
  sequence(ignoreCase: boolean): string {
    const src = this.#src;
    let out = '';
    let atomStart = -1;
    while (this.#i < src.length) {
      const c = src[this.#i]!;
      if (c === ')') break;
      if (c === '|') {
        out += '|';
        this.#i++;
        atomStart = -1;
        continue;
      }
      if (
        c === '*' ||
        c === '+' ||
        c === '?' ||
        (c === '{' && /^\{\d*(,\d*)?\}/.test(src.slice(this.#i)))
      ) {
        if (atomStart < 0) this.fail('a quantifier with nothing to repeat');
        let q: string;
        if (c === '{') {
          const close = src.indexOf('}', this.#i);
          q = src.slice(this.#i, close + 1).replace(/^\{,/, '{0,');
          this.#i = close + 1;
        } else {
          q = c;
          this.#i++;
        }
        if (src[this.#i] === '+') {
          this.#i++;
          const atom = out.slice(atomStart);
          out = out.slice(0, atomStart) + this.#atomic(atom + q);
        } else {
          if (src[this.#i] === '?') {
            q += '?';
            this.#i++;
          }
          out += q;
        }
        continue;
      }
      atomStart = out.length;
      if (c === '(') {
        const group = this.#group(ignoreCase);
        if (group === null) {
          // A flag-only group `(?i)` changes the rest of this sequence.
          ignoreCase = true;
          atomStart = -1;
        } else out += group;
      } else if (c === '[') out += this.#class(ignoreCase);
      else if (c === '\\') out += this.#escape(false, ignoreCase);
      else if (c === '.') {
        out += '[^\\n]';
        this.#i++;
      } else if (c === '^' || c === '$') {
        out += c;
        this.#i++;
        atomStart = -1;
      } else {
        const cp = src.codePointAt(this.#i)!;
        const ch = String.fromCodePoint(cp);
        this.#i += ch.length;
        out += this.#literal(ch, ignoreCase);
      }
    }
    return out;
  }

  #atomic(inner: string): string {
    const name = `a${++this.#atoms}`;
    return `(?:(?=(?<${name}>${inner}))\\k<${name}>)`;
  }

  #literal(ch: string, ignoreCase: boolean): string {
    const escaped = JS_SYNTAX.includes(ch) ? `\\${ch}` : ch;
    if (!ignoreCase) return escaped;
    const lower = ch.toLowerCase();
    const candidates = new Set([ch, lower, ch.toUpperCase(), ...(EXTRA_FOLDS[lower] ?? '')]);
    for (const c of [...candidates]) for (const f of EXTRA_FOLDS[c] ?? '') candidates.add(f);
    const same = new RegExp(`^${escaped}$`, 'iu');
    const orbit = [...candidates].filter((c) => [...c].length === 1 && same.test(c));
    return orbit.length === 1
      ? escaped
      : `[${orbit.map((c) => (JS_SYNTAX.includes(c) || c === '-' ? `\\${c}` : c)).join('')}]`;
  }

  /** A group at `(`; returns null for a flag-only group `(?i)` (and records nothing else). */
  #group(ignoreCase: boolean): string | null {
    const rest = this.#src.slice(this.#i);
    const lookaround = /^\(\?(=|!|<=|<!)/.exec(rest);
    if (lookaround !== null) {
      this.#i += lookaround[0].length;
      return this.#close(lookaround[0], ignoreCase, false);
    }
    const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
    if (named !== null || rest.startsWith('(?:') || !rest.startsWith('(?')) {
      this.#i += named !== null ? named[0].length : rest.startsWith('(?:') ? 3 : 1;
      return this.#close('(?:', ignoreCase, false);
    }
    if (rest.startsWith('(?>')) {
      this.#i += 3;
      return this.#close('', ignoreCase, true);
    }
    const flagged = /^\(\?([a-zA-Z-]*)(:|\))/.exec(rest);
    if (flagged === null) return this.fail('this group syntax');
    const flags = flagged[1]!;
    if (!/^(i|u|iu|ui|-i|u-i|)$/.test(flags)) this.fail(`the inline flags (?${flags})`);
    const off = flags.includes('-i');
    this.#i += flagged[0].length;
    if (flagged[2] === ')') {
      if (off) this.fail('turning case-insensitivity off with (?-i)');
      return flags.includes('i') ? null : '';
    }
    return this.#close('(?:', off ? false : ignoreCase || flags.includes('i'), false);
  }

  #close(open: string, ignoreCase: boolean, atomic: boolean): string {
    const body = this.sequence(ignoreCase);
    if (this.#src[this.#i] !== ')') this.fail('an unclosed group');
    this.#i++;
    return atomic ? this.#atomic(body) : `${open}${body})`;
  }

  #class(ignoreCase: boolean): string {
    const src = this.#src;
    this.#i++;
    let out = '[';
    if (src[this.#i] === '^') {
      out += '^';
      this.#i++;
    }
    let first = true;
    while (this.#i < src.length && (src[this.#i] !== ']' || first)) {
      const c = src[this.#i]!;
      first = false;
      if (c === '[') this.fail('a nested or POSIX character class');
      if ((c === '&' || c === '-' || c === '~') && src[this.#i + 1] === c) {
        this.fail('a class set operation');
      }
      if (c === '\\') {
        out += this.#escape(true, false);
        continue;
      }
      if (ignoreCase && c.toLowerCase() !== c.toUpperCase()) {
        this.fail('a case-insensitive character class');
      }
      const ch = String.fromCodePoint(src.codePointAt(this.#i)!);
      this.#i += ch.length;
      out += ch === ']' || ch === '/' || ch === '\\' || ch === '[' ? `\\${ch}` : ch;
    }
    if (src[this.#i] !== ']') this.fail('an unclosed character class');
    this.#i++;
    return `${out}]`;
  }

  #escape(inClass: boolean, ignoreCase: boolean): string {
    const src = this.#src;
    const c = src[this.#i + 1];
    if (c === undefined) this.fail('a trailing backslash');
    this.#i += 2;
    switch (c) {
      case 's':
        return '\\p{White_Space}';
      case 'S':
        return '\\P{White_Space}';
      case 'd':
        return '\\p{Nd}';
      case 'D':
        return '\\P{Nd}';
      case 'w':
        return inClass ? WORD : `[${WORD}]`;
      case 'W':
        if (inClass) this.fail('\\W inside a character class');
        return `[^${WORD}]`;
      case 'b':
      case 'B': {
        if (inClass) this.fail(`\\${c} inside a character class`);
        const w = `[${WORD}]`;
        const boundary = `(?<=${w})(?!${w})|(?<!${w})(?=${w})`;
        return c === 'b' ? `(?:${boundary})` : `(?!${boundary})`;
      }
      case 'A':
        return '^';
      case 'z':
        return '$';
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 'e':
        return '\\x1b';
      case 'p':
      case 'P':
        return this.#property(c);
      case 'x':
      case 'u':
      case 'U': {
        const m = /^\{([0-9a-fA-F]{1,8})\}|^[0-9a-fA-F]{2,8}/.exec(src.slice(this.#i));
        const len = c === 'x' ? 2 : c === 'u' ? 4 : 8;
        const hex = m?.[1] ?? src.slice(this.#i, this.#i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff)
          this.fail('a malformed \\x escape');
        this.#i += m?.[1] !== undefined ? m[0].length : len;
        const ch = String.fromCodePoint(Number.parseInt(hex, 16));
        return inClass ? `\\u{${hex}}` : this.#literal(ch, ignoreCase);
      }
      default: {
        if (/[0-9]/.test(c)) this.fail('a backreference');
        if (/[A-Za-z]/.test(c)) this.fail(`the escape \\${c}`);
        // An escaped symbol stands for itself.
        const ch = String.fromCodePoint(src.codePointAt(this.#i - 1)!);
        this.#i += ch.length - 1;
        if (inClass) return ch === '-' || JS_SYNTAX.includes(ch) ? `\\${ch}` : ch;
        return this.#literal(ch, ignoreCase);
      }
    }
  }

  #property(p: string): string {
    const src = this.#src;
    let name: string;
    if (src[this.#i] === '{') {
      const close = src.indexOf('}', this.#i);
      if (close < 0) this.fail('an unclosed \\p{');
      name = src.slice(this.#i + 1, close);
      this.#i = close + 1;
    } else {
      name = src[this.#i] ?? '';
      this.#i++;
    }
    name = name.replace(/\s+/g, '');
    const negate = name.startsWith('^');
    if (negate) name = name.slice(1);
    const sign = negate !== (p === 'P') ? 'P' : 'p';
    for (const candidate of [
      name,
      `Script=${name}`,
      name.replace(/^(sc|script)[=:]/i, 'Script='),
    ]) {
      try {
        new RegExp(`\\p{${candidate}}`, 'u');
        return `\\${sign}{${candidate}}`;
      } catch {
        // try the next spelling
      }
    }
    return this.fail(`the Unicode property ${JSON.stringify(name)}`);
  }
}

/**
 * The JavaScript source (for flags `gu`) equivalent to a tiktoken-syntax pattern.
 * @throws TokenizerError `UNSUPPORTED` for syntax JavaScript cannot express.
 */
export function translateTiktokenRegex(pattern: string): string {
  const t = new Translator(pattern);
  const out = t.translate();
  try {
    new RegExp(out, 'gu');
  } catch (error) {
    t.fail(`syntax (${(error as Error).message})`);
  }
  return out;
}
