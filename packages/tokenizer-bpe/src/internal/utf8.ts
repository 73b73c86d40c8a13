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

/** Code units of short decodes (a UTF-8 byte never makes more than one). */
let units = new Uint16Array(256);

/**
 * The text of UTF-8 `bytes`, exactly as `TextDecoder` (with `ignoreBOM`) gives it: each invalid
 * sequence (a maximal subpart, WHATWG Encoding Standard §8.1.1) becomes one U+FFFD. Written out
 * in JavaScript for short inputs, where a `TextDecoder` call costs more than the decoding.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (units.length < n) units = new Uint16Array(n);
  const out = units;
  let m = 0;
  let codePoint = 0;
  let needed = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < n; ) {
    const b = bytes[i]!;
    if (needed === 0) {
      i++;
      if (b < 0x80) out[m++] = b;
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        codePoint = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f;
        needed = 2;
        codePoint = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f;
        needed = 3;
        codePoint = b & 0x7;
      } else out[m++] = 0xfffd;
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is one error; this byte starts afresh (it is not consumed).
      needed = 0;
      lower = 0x80;
      upper = 0xbf;
      out[m++] = 0xfffd;
      continue;
    }
    i++;
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (b & 0x3f);
    if (--needed === 0) {
      if (codePoint < 0x10000) out[m++] = codePoint;
      else {
        out[m++] = 0xd800 + ((codePoint - 0x10000) >> 10);
        out[m++] = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
      }
    }
  }
  if (needed !== 0) out[m++] = 0xfffd;
  let text = '';
  // In slices: each code unit becomes an argument, and arguments live on the stack.
  for (let k = 0; k < m; k += 4096) {
    const slice = out.subarray(k, Math.min(m, k + 4096));
    text += String.fromCharCode.apply(null, slice as unknown as number[]);
  }
  return text;
}
