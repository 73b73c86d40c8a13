import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    // Node only: the worker-thread counter, and the worker script it starts by file name.
    'node/index': 'src/node/index.ts',
    'node/countWorker': 'src/node/countWorker.ts',
  },
  external: ['fast-check'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
