/**
 * Builds every package with tsup and loads the built entry point the way a consumer does: plain
 * Node, no source condition, through `import` and through `require` (Node ≥ 20.19 loads ESM
 * from require). The built module must export exactly what `src/index.ts` exports, ship its
 * type declarations, and leave every `@llmkit/*` sibling external; subpath exports (such as a
 * Node-only `./node`) are built and imported the same way. Packages with the keyword
 * `isomorphic` must also bundle for the browser (no `node:` imports, no Node globals).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageNames } from '../../vitest.workspace.ts';

const root = new URL('../../', import.meta.url);
const tsup = new URL('node_modules/.bin/tsup', root).pathname;

function nodeEval(script: string, type: 'module' | 'commonjs'): string {
  return execFileSync(process.execPath, ['--input-type', type, '-e', script], {
    cwd: root.pathname,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Package folders ordered so that every package comes after the `@llmkit/*` siblings it uses. */
function buildOrder(): string[] {
  const manifests = new Map(
    packageNames.map((name) => [
      name,
      JSON.parse(readFileSync(new URL(`packages/${name}/package.json`, root), 'utf8')),
    ]),
  );
  const folderOf = new Map([...manifests].map(([folder, m]) => [m.name as string, folder]));
  const order: string[] = [];
  const visit = (folder: string): void => {
    if (order.includes(folder)) return;
    const m = manifests.get(folder);
    const deps = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies };
    for (const dep of Object.keys(deps)) {
      const sibling = folderOf.get(dep);
      if (sibling !== undefined) visit(sibling);
    }
    order.push(folder);
  };
  for (const name of packageNames) visit(name);
  return order;
}

// Built output imports its siblings' built output, so build everything first, dependencies first.
beforeAll(() => {
  for (const name of buildOrder()) {
    execFileSync(tsup, { cwd: new URL(`packages/${name}/`, root).pathname, stdio: 'pipe' });
  }
}, 300_000);

describe.each(packageNames)('@llmkit/%s', (name) => {
  const dir = new URL(`packages/${name}/`, root);
  const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));

  it('builds, and each built ESM entry exports exactly its source API via import and require', async () => {
    const entries = Object.entries(manifest.exports as Record<string, unknown>).filter(
      (entry): entry is [string, Record<string, string>] => typeof entry[1] === 'object',
    );
    for (const [subpath, conditions] of entries) {
      for (const condition of ['types', 'default'] as const) {
        const target = conditions[condition];
        expect(existsSync(new URL(target!, dir)), `${subpath} ${condition} → ${target}`).toBe(true);
      }
      const sourceUrl = new URL(conditions['@llmkit/source']!, dir).href;
      const source = await import(/* @vite-ignore */ sourceUrl);
      const expected = Object.keys(source).sort();
      const specifier = JSON.stringify(manifest.name + subpath.slice(1));
      const imported = JSON.parse(
        nodeEval(
          `import(${specifier}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`,
          'module',
        ),
      );
      const required = JSON.parse(
        nodeEval(
          `console.log(JSON.stringify(Object.keys(require(${specifier})).sort()))`,
          'commonjs',
        ),
      );
      expect(imported, subpath).toEqual(expected);
      expect(required, subpath).toEqual(expected);
      const bundle = readFileSync(new URL(conditions.default!, dir), 'utf8');
      expect(bundle).not.toMatch(/packages\/[a-z-]+\/src\//);
    }
  });

  it.runIf(manifest.keywords?.includes('isomorphic'))('bundles for the browser', async () => {
    const result = await build({
      entryPoints: [new URL('src/index.ts', dir).pathname],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@llmkit/source'],
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
  });
});
