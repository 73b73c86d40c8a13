/**
 * The one list of test projects: every folder under `packages/` is a project named after it,
 * plus the examples (each runs as a smoke test) and the packaging check of the built output.
 * Vitest 4 does not read this file by itself; `vitest.config.ts` imports it.
 */
import { readdirSync } from 'node:fs';

/** A Vitest project that inherits the root config (source condition, setup files). */
export interface TestProject {
  readonly extends: true;
  readonly test: { readonly name: string; readonly dir: string };
}

/** The package folders under `packages/`, sorted. */
export const packageNames: string[] = readdirSync(new URL('./packages', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** One project per package, then the examples and the packaging check. */
export const projects: TestProject[] = [
  ...packageNames.map((name) => ({
    extends: true as const,
    test: { name, dir: `packages/${name}` },
  })),
  { extends: true, test: { name: 'examples', dir: 'examples' } },
  { extends: true, test: { name: 'packaging', dir: 'tests/packaging' } },
];
