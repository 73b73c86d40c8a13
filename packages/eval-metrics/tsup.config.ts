import { defineConfig } from 'tsup';

export default defineConfig({
  // `node` holds the file-backed judge log; the main entry stays browser-safe.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
