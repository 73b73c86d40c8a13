/** Strict standard base64 (RFC 4648 §4, with padding) decoding into a caller's buffer. */

const VALUES = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes `text[start, end)` into `out` at `at`; returns the position after the bytes, or -1
 * when the slice is not valid padded base64.
 */
export function decodeBase64Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const len = end - start;
  if (len === 0 || len % 4 !== 0) return -1;
  for (let i = start; i < end; i += 4) {
    const last = i + 4 === end;
    const a = VALUES[text.charCodeAt(i)] ?? -1;
    const b = VALUES[text.charCodeAt(i + 1)] ?? -1;
    const c3 = text.charCodeAt(i + 2);
    const d4 = text.charCodeAt(i + 3);
    if (a < 0 || b < 0) return -1;
    out[at++] = (a << 2) | (b >> 4);
    if (last && c3 === 61) {
      if (d4 !== 61 || (b & 15) !== 0) return -1;
      break;
    }
    const c = VALUES[c3] ?? -1;
    if (c < 0) return -1;
    out[at++] = ((b & 15) << 4) | (c >> 2);
    if (last && d4 === 61) {
      if ((c & 3) !== 0) return -1;
      break;
    }
    const d = VALUES[d4] ?? -1;
    if (d < 0) return -1;
    out[at++] = ((c & 3) << 6) | d;
  }
  return at;
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
