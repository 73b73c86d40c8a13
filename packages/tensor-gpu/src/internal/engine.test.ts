/**
 * Gradients must work wherever the package is loaded, not only under Vitest (which transforms
 * modules itself): from the built ES module in plain Node, from `require`, and from the sources
 * under tsx (how the examples run). Each case runs in a child process and must print nothing
 * but its result: no tfjs banner.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../../../', import.meta.url).pathname;
const packageDir = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

// d/dx Σ (x·w)² at x = [1, 2], w = [3, 4] is 2·(x·w)·w = [66, 88], on each backend.
const program = (specifier: string, load: 'import' | 'require'): string => `
  const { initCompute, ops } = ${load === 'import' ? `await import(${JSON.stringify(specifier)})` : `require(${JSON.stringify(specifier)})`};
  const out = [];
  for (const backend of ['cpu', 'wasm']) {
    await initCompute({ backend });
    const w = ops.tensor([3, 4]);
    const [g] = ops.grads((x) => ops.square(ops.sum(ops.mul(x, w))))([ops.tensor([1, 2])]);
    out.push(backend + ':' + Array.from(g.dataSync()).join(','));
  }
  process.stdout.write(out.join(' '));
`;
const EXPECTED = 'cpu:66,88 wasm:66,88';

/** Runs an ES module snippet in a child Node; returns stdout and fails on anything on stderr. */
function runNode(args: string[], source: string): string {
  const child = spawnSync(process.execPath, [...args, '--input-type=module', '-e', source], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return child.stdout;
}

describe('gradients outside Vitest', () => {
  let outDir: string;
  let bundle: string;

  beforeAll(async () => {
    // The bundling tsup performs for the published build: the engine packages stay external
    // (siblings are bundled from source here, since their builds may not exist yet).
    // Inside the repository, so that Node resolves the external dependencies from it.
    const cache = join(root, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    outDir = mkdtempSync(join(cache, 'tensor-gpu-bundle-'));
    bundle = join(outDir, 'index.mjs');
    await build({
      entryPoints: [join(packageDir, 'src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: bundle,
      conditions: ['@llmkit/source'],
      external: [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ].filter((name) => !name.startsWith('@llmkit/')),
      logLevel: 'silent',
      absWorkingDir: packageDir,
    });
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('in plain Node from the bundled ES module, via import', () => {
    expect(runNode([], program(bundle, 'import'))).toBe(EXPECTED);
  }, 60_000);

  it('in plain Node from the bundled ES module, via require', () => {
    const source = `import { createRequire } from 'node:module';
      const require = createRequire(${JSON.stringify(bundle)});
      ${program(bundle, 'require')}`;
    expect(runNode([], source)).toBe(EXPECTED);
  }, 60_000);

  it('from the TypeScript sources under tsx', () => {
    const args = ['--conditions=@llmkit/source', '--import', 'tsx'];
    expect(runNode(args, program('@llmkit/tensor-gpu', 'import'))).toBe(EXPECTED);
  }, 60_000);
});
