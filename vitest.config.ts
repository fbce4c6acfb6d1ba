import { defineConfig } from 'vitest/config';

// One Vitest run covers every workspace package; each folder is a project named after its package.json.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'e2e'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
