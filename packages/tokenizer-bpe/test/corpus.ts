/** The varied test corpus (`fixtures/corpus.txt`), by section. */
import { readFileSync } from 'node:fs';

const text = readFileSync(new URL('./fixtures/corpus.txt', import.meta.url), 'utf8');

/** Section name → verbatim text. */
export const corpus: ReadonlyMap<string, string> = new Map(
  text
    .split(/^=== (\w+) ===\n/m)
    .slice(1)
    .reduce<[string, string][]>((pairs, part, i, all) => {
      if (i % 2 === 0) pairs.push([part, (all[i + 1] ?? '').replace(/\n$/, '')]);
      return pairs;
    }, []),
);
