import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One Vitest run covers every workspace package; each folder with a package.json is a project named after
// it, and every project inherits the settings below (`extends: true`).
const folders = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(join(import.meta.dirname, parent)).map((name) => join(parent, name)),
);
folders.push('e2e', 'ops', 'bench');

const projects = folders
  .filter((folder) => existsSync(join(import.meta.dirname, folder, 'package.json')))
  .map((folder) => ({
    extends: true as const,
    test: {
      name: JSON.parse(readFileSync(join(import.meta.dirname, folder, 'package.json'), 'utf8'))
        .name as string,
      root: folder,
    },
  }));

export default defineConfig({
  test: {
    projects,
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
