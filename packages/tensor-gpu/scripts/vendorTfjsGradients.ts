/**
 * Writes `src/internal/tfjsGradients.js`: tfjs-core's gradient functions as one ES module that
 * registers them against the single public `@tensorflow/tfjs-core` instance.
 *
 * Why: tfjs-core's Node entry (`dist/tf-core.node.js`) registers no gradients, and the module
 * that does (`dist/register_all_gradients.js`) is an ES module with extension-less and
 * directory imports that Node's ESM loader (and tsx) cannot resolve. `@tensorflow/tfjs` solves
 * this by bundling the gradients into its own Node bundle; this script does the same for us,
 * but rewrites every import of a tfjs-core internal module to the public entry point when the
 * public API exports the same name, so ops, engine and registries are never copied. Modules
 * with names the public API lacks (e.g. `maxPoolGrad`) are bundled in.
 *
 * Run after upgrading tfjs-core: `node --import tsx packages/tensor-gpu/scripts/vendorTfjsGradients.ts`.
 * `src/internal/tfjsGradients.test.ts` fails when the committed file differs from the output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const require = createRequire(import.meta.url);
const corePackageJson = require.resolve('@tensorflow/tfjs-core/package.json');
const coreDist = join(dirname(corePackageJson), 'dist');
const coreVersion: string = JSON.parse(readFileSync(corePackageJson, 'utf8')).version;
const publicApi: Record<string, unknown> = require('@tensorflow/tfjs-core');

/** Internal modules whose exports the public API carries as a namespace object. */
const NAMESPACE_OF: Readonly<Record<string, string>> = {
  util: 'util',
  'ops/broadcast_util': 'broadcast_util',
  'ops/axis_util': 'backend_util',
  'ops/conv_util': 'backend_util',
  'ops/selu_util': 'backend_util',
  'ops/slice_util': 'slice_util',
  'ops/segment_util': 'backend_util',
};

/** One virtual module re-exports the public API, so the bundle imports tfjs-core once. */
const PUBLIC = "'tfjs-core:public'";

/**
 * Internal modules replaced by a few lines on the public API. `convertToTensor` validates op
 * arguments; inside a gradient function every argument is already a tensor from the tape.
 */
const SHIMS: Readonly<Record<string, string>> = {
  tensor_util_env: [
    `import { Tensor } from ${PUBLIC};`,
    'export function convertToTensor(x, argName, functionName) {',
    '  if (x instanceof Tensor) return x;',
    "  throw new TypeError('Argument ' + argName + ' passed to ' + functionName + ' must be a Tensor.');",
    '}',
  ].join('\n'),
};

const IMPORT = /^import (.+) from '(\.{1,2}\/[^']+)';$/gm;

function moduleKey(importer: string, specifier: string): string {
  return relative(coreDist, join(dirname(importer), specifier)).replace(/\.js$/, '');
}

function namespaceHas(namespace: string, name: string): boolean {
  const value = publicApi[namespace] as Record<string, unknown> | undefined;
  return value !== undefined && name in value;
}

/** The replacement for one import statement, or undefined to bundle the module as it is. */
function rewriteImport(clause: string, key: string, file: string): string | undefined {
  if (key.startsWith('gradients/')) return undefined;
  const namespace = NAMESPACE_OF[key];
  const star = /^\* as (\w+)$/.exec(clause);
  if (star) {
    if (namespace === undefined) return undefined;
    const alias = star[1]!;
    const source = readFileSync(file, 'utf8');
    const used = [...source.matchAll(new RegExp(`\\b${alias}\\.(\\w+)`, 'g'))].map((m) => m[1]!);
    if (!used.every((name) => namespaceHas(namespace, name))) return undefined;
    return `import { ${namespace} as ${alias} } from ${PUBLIC};`;
  }
  const named = /^\{ (.+) \}$/.exec(clause);
  if (!named) return undefined;
  const bindings = named[1]!.split(',').map((part) => {
    const [name, alias] = part.trim().split(/\s+as\s+/);
    return { name: name!, local: alias ?? name! };
  });
  if (key === 'engine' && bindings.length === 1 && bindings[0]!.name === 'ENGINE') {
    return `import { engine as __engine } from ${PUBLIC};\nconst ${bindings[0]!.local} = __engine();`;
  }
  if (bindings.every((b) => b.name in publicApi)) {
    const list = bindings.map((b) => (b.name === b.local ? b.name : `${b.name} as ${b.local}`));
    return `import { ${list.join(', ')} } from ${PUBLIC};`;
  }
  if (namespace !== undefined && bindings.every((b) => namespaceHas(namespace, b.name))) {
    const list = bindings.map((b) => (b.name === b.local ? b.name : `${b.name}: ${b.local}`));
    return `import { ${namespace} as __${namespace} } from ${PUBLIC};\nconst { ${list.join(', ')} } = __${namespace};`;
  }
  return undefined;
}

const rewriteToPublic: Plugin = {
  name: 'tfjs-core-public-imports',
  setup(b) {
    b.onResolve({ filter: /^tfjs-core:public$/ }, () => ({ path: 'public', namespace: 'tfjs' }));
    b.onLoad({ filter: /.*/, namespace: 'tfjs' }, () => ({
      contents: "export * from '@tensorflow/tfjs-core';",
      loader: 'js',
    }));
    b.onLoad({ filter: /tfjs-core[\\/]dist[\\/].*\.js$/ }, (args) => {
      const shim = SHIMS[relative(coreDist, args.path).replace(/\.js$/, '')];
      if (shim !== undefined) return { contents: shim, loader: 'js', resolveDir: coreDist };
      let nsCounter = 0;
      const contents = readFileSync(args.path, 'utf8')
        .replace(/\/\/# sourceMappingURL=.*$/m, '')
        .replace(IMPORT, (statement, clause: string, specifier: string) => {
          const replacement = rewriteImport(clause, moduleKey(args.path, specifier), args.path);
          if (replacement === undefined) return statement;
          // Two namespace destructurings in one file need distinct temporaries.
          const suffix = nsCounter++;
          return replacement.replace(/\b__(\w+)\b/g, (_m, n: string) => `__${n}${suffix}`);
        });
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
    b.onResolve({ filter: /^\.{1,2}\// }, (args) => {
      const base = join(args.resolveDir, args.path);
      for (const candidate of [`${base}.js`, join(base, 'index.js'), base]) {
        try {
          readFileSync(candidate);
          return { path: candidate };
        } catch {}
      }
      return undefined;
    });
  },
};

/** Bundles tfjs-core's gradient registrations; returns the module text. */
export async function vendorTfjsGradients(): Promise<string> {
  const result = await build({
    entryPoints: [join(coreDist, 'register_all_gradients.js')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['@tensorflow/tfjs-core'],
    plugins: [rewriteToPublic],
    legalComments: 'none',
    logLevel: 'silent',
  });

  // esbuild wraps the re-exporting virtual module in copy helpers; a namespace import is the
  // same object without them.
  const wrapper = /^var __defProp[\s\S]*?import \* as (\w+) from "@tensorflow\/tfjs-core";\n/m;
  const bundled = result.outputFiles[0]!.text;
  if (!wrapper.test(bundled))
    throw new Error('unexpected esbuild output: re-export wrapper not found');
  const code = bundled
    .replace(wrapper, "import * as public_exports from '@tensorflow/tfjs-core';\n")
    .replace(/^\/\/ .*node_modules\/.*\n/gm, '');
  return `${[
    '// biome-ignore-all format: generated by scripts/vendorTfjsGradients.ts',
    '// biome-ignore-all lint: generated by scripts/vendorTfjsGradients.ts',
    `// The gradient functions of @tensorflow/tfjs-core ${coreVersion} (Apache-2.0, Copyright Google`,
    '// LLC), bundled by scripts/vendorTfjsGradients.ts so that Node can load them: every import of a',
    '// tfjs-core internal module is rewritten to the public entry point. Do not edit by hand.',
  ].join('\n')}\n${code}`;
}

const outputPath = new URL('../src/internal/tfjsGradients.js', import.meta.url);
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(outputPath, await vendorTfjsGradients());
}
