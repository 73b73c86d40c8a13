/**
 * The merge list equivalent to tiktoken ranks, for formats that need explicit merges
 * (Hugging Face's `tokenizer.json`). Each token of two or more bytes is merged from its bytes
 * with only lower-ranked tokens available; the two parts it ends as are its merge. This is what
 * Hugging Face's converter does (`transformers` `convert_slow_tokenizer.py`, `TikTokenConverter`).
 */
import type { TokenBytes } from '../tokenBytes.js';

/** `[left, right]` id pairs in rank order; tokens that no merge can produce are skipped. */
export function deriveMerges(tokens: TokenBytes): [number, number][] {
  const merges: [number, number][] = [];
  const parts: number[] = [];
  for (let id = 0; id < tokens.size; id++) {
    const bytes = tokens.bytes(id);
    if (bytes.length < 2) continue;
    // Part boundaries, as byte offsets; merge the lowest-ranked adjacent pair below `id`.
    parts.length = 0;
    for (let i = 0; i <= bytes.length; i++) parts.push(i);
    while (parts.length > 3) {
      let best = -1;
      let bestRank = id;
      for (let k = 0; k + 2 < parts.length; k++) {
        const rank = tokens.lookup(bytes, parts[k]!, parts[k + 2]!);
        if (rank >= 0 && rank < bestRank) {
          bestRank = rank;
          best = k;
        }
      }
      if (best < 0) break;
      parts.splice(best + 1, 1);
    }
    if (parts.length !== 3) continue;
    const left = tokens.lookup(bytes, 0, parts[1]!);
    const right = tokens.lookup(bytes, parts[1]!, bytes.length);
    if (left >= 0 && right >= 0 && left < id && right < id) merges.push([left, right]);
  }
  return merges;
}
