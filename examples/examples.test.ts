/**
 * Every example is a smoke test: it runs as a user would run it (plain Node with tsx, package
 * imports resolved to the sources) and must exit 0 and print its results.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const here = new URL('./', import.meta.url);
const examples = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe.each(examples)('examples/%s', (file) => {
  it('runs to completion and prints output', () => {
    const output = execFileSync(
      process.execPath,
      ['--conditions=@llmkit/source', '--import', 'tsx', new URL(file, here).pathname],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
    expect(output.trim().length).toBeGreaterThan(0);
  }, 130_000);
});
