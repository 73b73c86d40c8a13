import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

const config: ViteUserConfig = defineConfig({
  // Tests resolve `@llmkit/*` to each sibling's TypeScript source, so nothing is built first.
  ssr: { resolve: { conditions: ['@llmkit/source'] } },
  test: {
    setupFiles: [new URL('./vitest.setup.ts', import.meta.url).pathname],
    projects,
  },
});

export default config;
