/** Strict standard base64 (RFC 4648 §4, with padding) decoding into a caller's buffer. */

const VALUES = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

const SPACE = 32;
const PAD = 61; // '='

/**
 * Decodes one base64 token starting at `text[start]` into `out` at `at`: groups of four
 * characters, up to the group that `limit` or a space follows. Returns the position after the
 * bytes, or -1 when the token is not valid padded base64 (empty, cut short, a character outside
 * the alphabet, padding before the end, or padding bits that are not zero). The token took
 * `4 × ⌈bytes / 3⌉` characters. `out` needs room for `3/4 × (limit − start)` bytes.
 */
export function decodeBase64Token(
  text: string,
  start: number,
  limit: number,
  out: Uint8Array,
  at: number,
): number {
  for (let i = start; ; ) {
    if (i + 4 > limit) return -1;
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    i += 4;
    if ((c0 | c1 | c2 | c3) > 127) return -1;
    const a = VALUES[c0]!;
    const b = VALUES[c1]!;
    if ((a | b) < 0) return -1;
    out[at++] = (a << 2) | (b >> 4);
    const last = i === limit || text.charCodeAt(i) === SPACE;
    if (c2 === PAD) return last && c3 === PAD && (b & 15) === 0 ? at : -1;
    const c = VALUES[c2]!;
    if (c < 0) return -1;
    out[at++] = ((b & 15) << 4) | (c >> 2);
    if (c3 === PAD) return last && (c & 3) === 0 ? at : -1;
    const d = VALUES[c3]!;
    if (d < 0) return -1;
    out[at++] = ((c & 3) << 6) | d;
    if (last) return at;
  }
}

/**
 * Decodes `text[start, end)` into `out` at `at`; returns the position after the bytes, or -1
 * when the slice is not exactly one valid padded base64 token.
 */
export function decodeBase64Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const next = decodeBase64Token(text, start, end, out, at);
  return next >= 0 && start + 4 * Math.ceil((next - at) / 3) === end ? next : -1;
}

/** Standard padded base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    s += i + 1 < bytes.length ? `${ALPHABET[(n >> 6) & 63]!}=` : '==';
  }
  return s;
}
