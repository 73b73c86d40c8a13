/**
 * The byte-level alphabet of GPT-2 and Hugging Face's `ByteLevel` pre-tokenizer: every byte is
 * shown as a printable character (`bytes_to_unicode` in openai/gpt-2 `src/encoder.py`): the
 * printable Latin-1 bytes stand for themselves, the other 68 map to U+0100 onwards in byte order.
 */

/** Character (as a code point) for each byte. */
export const BYTE_TO_CHAR: Uint16Array = (() => {
  const table = new Uint16Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = printable ? b : next++;
  }
  return table;
})();

const CHAR_TO_BYTE = new Map<number, number>();
for (let b = 0; b < 256; b++) CHAR_TO_BYTE.set(BYTE_TO_CHAR[b]!, b);

/** The bytes a byte-level token string stands for, or `null` when a character is not in the alphabet. */
export function byteLevelToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token.charCodeAt(i));
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}

/** The byte-level token string of `bytes`. */
export function bytesToByteLevel(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(BYTE_TO_CHAR[b]!);
  return s;
}
