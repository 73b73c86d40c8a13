/**
 * An educational byte-level BPE trainer, in the spirit of minbpe's `basic.py`: at every merge it
 * recounts every pair of every word, picks the best, and rewrites every word. Quadratic and slow,
 * but short enough to check by eye; the fast trainer (`src/internal/mergeTrainer.ts`) must make
 * exactly the same merges.
 *
 * Same rules as the fast trainer (and Hugging Face's `BpeTrainer`):
 * - the pair with the highest count wins; ties go to the smaller left rank, then the smaller
 *   right rank, where a byte's rank is its character's place in GPT-2's byte-level alphabet
 *   and a learned token ranks after all bytes, in creation order;
 * - a word is rewritten left to right without overlap;
 * - a merge whose bytes already form a token reuses that token's id.
 *
 * Where minbpe differs: it breaks ties by first occurrence in the text (Python's `max` over an
 * insertion-ordered dict), always adds a new id (so two ids can hold the same bytes), and has no
 * minimum frequency.
 */

/** GPT-2's `bytes_to_unicode` (openai/gpt-2 `src/encoder.py`): the character shown for a byte. */
function byteChar(b: number): number {
  const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  if (printable) return b;
  let n = 0;
  for (let x = 0; x < b; x++) {
    if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) n++;
  }
  return 256 + n;
}

const byteRank: number[] = Array.from({ length: 256 }, (_, b) => b)
  .sort((x, y) => byteChar(x) - byteChar(y))
  .reduce<number[]>((rank, b, i) => {
    rank[b] = i;
    return rank;
  }, []);

const rank = (id: number): number => (id < 256 ? byteRank[id]! : id);

export interface NaiveResult {
  /** Bytes of each token by id. */
  tokens: number[][];
  merges: [number, number][];
}

/** Trains until `tokenCount` tokens exist or no pair occurs `minFrequency` times. */
export function naiveTrain(
  words: ReadonlyMap<string, number>,
  tokenCount: number,
  minFrequency = 1,
): NaiveResult {
  const encoder = new TextEncoder();
  const corpus = [...words].map(([word, count]) => ({ ids: [...encoder.encode(word)], count }));
  const tokens: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  const idOf = new Map(tokens.map((bytes, id) => [bytes.join(','), id]));
  const merges: [number, number][] = [];
  while (tokens.length < tokenCount) {
    // Count every adjacent pair, weighted by word counts.
    const stats = new Map<string, { a: number; b: number; count: number }>();
    for (const { ids, count } of corpus) {
      for (let i = 0; i + 1 < ids.length; i++) {
        const key = `${ids[i]},${ids[i + 1]}`;
        const entry = stats.get(key) ?? { a: ids[i]!, b: ids[i + 1]!, count: 0 };
        entry.count += count;
        stats.set(key, entry);
      }
    }
    let best: { a: number; b: number; count: number } | undefined;
    for (const s of stats.values()) {
      if (
        best === undefined ||
        s.count > best.count ||
        (s.count === best.count &&
          (rank(s.a) < rank(best.a) || (rank(s.a) === rank(best.a) && rank(s.b) < rank(best.b))))
      ) {
        best = s;
      }
    }
    if (best === undefined || best.count < Math.max(1, minFrequency)) break;
    const { a, b } = best;
    const bytes = [...tokens[a]!, ...tokens[b]!];
    let id = idOf.get(bytes.join(','));
    if (id === undefined) {
      id = tokens.length;
      tokens.push(bytes);
      idOf.set(bytes.join(','), id);
    }
    merges.push([a, b]);
    for (const word of corpus) {
      const out: number[] = [];
      for (let i = 0; i < word.ids.length; i++) {
        if (word.ids[i] === a && word.ids[i + 1] === b) {
          out.push(id);
          i++;
        } else {
          out.push(word.ids[i]!);
        }
      }
      word.ids = out;
    }
  }
  return { tokens, merges };
}
