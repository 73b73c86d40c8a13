/**
 * The main entry must stay loadable in browsers (no Node built-ins; tfjs and its backends run
 * there), while `./node` holds what needs the file system.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const engines = [
  ...Object.keys(manifest.dependencies),
  ...Object.keys(manifest.peerDependencies),
].filter((name) => !name.startsWith('@llmkit/'));

async function bundleForBrowser(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${packageDir}${entry}`],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: ['@llmkit/source'],
    external: engines,
    logLevel: 'silent',
  }).catch((error: { errors: { text: string }[] }) => ({ errors: error.errors }));
  return result.errors.map((e) => e.text);
}

describe('package entries', () => {
  it('the main entry bundles for the browser', async () => {
    expect(await bundleForBrowser('src/index.ts')).toEqual([]);
  });

  it('./node is where Node built-ins live', async () => {
    const errors = await bundleForBrowser('src/node.ts');
    expect(errors.join('\n')).toMatch(/Could not resolve "node:/);
  });
});
