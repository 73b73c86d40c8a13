/** UTF-8 encoding of string slices into a caller's buffer, without allocating. */

/**
 * Writes the UTF-8 bytes of `text[start, end)` into `out` (which needs `3 × (end − start)`
 * bytes) and returns how many were written. A lone surrogate is written as U+FFFD (EF BF BD), as
 * `TextEncoder` and tiktoken do.
 */
export function encodeUtf8Into(text: string, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else {
      if ((c & 0xf800) === 0xd800) {
        const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 63);
          out[n++] = 0x80 | ((c >> 6) & 63);
          out[n++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

const hasWellFormed =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';
const loneSurrogate = /\p{Cs}/gu;

/**
 * `text` with every lone surrogate replaced by U+FFFD — what tiktoken encodes, since a JavaScript
 * string crosses into its Rust core as UTF-8. Returns `text` itself when it is well formed.
 */
export function toWellFormed(text: string): string {
  if (hasWellFormed) {
    const s = text as string & { isWellFormed(): boolean; toWellFormed(): string };
    return s.isWellFormed() ? text : s.toWellFormed();
  }
  return text.replace(loneSurrogate, '\ufffd');
}
