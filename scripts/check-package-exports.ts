import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Every workspace package's `exports` (and `main`) must name files that exist: a dangling entry
// fails only when someone first imports it, far from the package.json that is wrong.
// Run by `pnpm lint`; exits 1 and lists each dangling entry.

const root = join(import.meta.dirname, '..');
const workspaceFolders = [
  ...['apps', 'packages'].flatMap((parent) =>
    readdirSync(join(root, parent)).map((name) => join(parent, name)),
  ),
  'bench',
  'e2e',
  'ops',
];

/** Every file path an `exports` value names: a string, or nested condition/subpath objects. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

function danglingEntries(folder: string): string[] {
  const manifestPath = join(root, folder, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: string };
  return [...targets(manifest.exports), ...targets(manifest.main)]
    .filter((target) => !target.includes('*') && !existsSync(join(root, folder, target)))
    .map((target) => `${folder}/package.json: ${target} does not exist`);
}

const problems = workspaceFolders.flatMap(danglingEntries);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
