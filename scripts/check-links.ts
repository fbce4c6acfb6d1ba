// Checks every relative link in every Markdown file of the repository: the target file must exist and, for a
// link into a Markdown file with a #fragment, the heading must too. External links (http:, mailto:, …) are
// not fetched. Run by `pnpm lint`: `node scripts/check-links.ts` prints each broken link and exits 1.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.toolchain',
  'target',
  '.next',
  '.turbo',
  'artifacts',
]);

/** Every `*.md` file under `dir`, skipping dependencies, build output and the toolchain. */
function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...markdownFiles(join(dir, entry.name)));
    } else if (entry.isFile() && entry.name.endsWith('.md')) {
      found.push(join(dir, entry.name));
    }
  }
  return found;
}

/** The text without fenced code blocks and inline code, whose brackets are not links. */
function withoutCode(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets: inline `[text](target)` and reference definitions `[label]: target`. */
function linkTargets(text: string): string[] {
  const prose = withoutCode(text);
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
  const definitions = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] ?? '');
  return [...inline, ...definitions];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (match[1] ?? '')
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
}

/** Why `target`, linked from `file`, is broken; undefined when it resolves. */
function problem(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, https:, mailto:, …
  const [pathPart = '', fragment] = target.split('#', 2);
  const path = decodeURIComponent(pathPart.split('?')[0] ?? '');
  const resolved =
    path === '' ? file : path.startsWith('/') ? join(ROOT, path) : resolve(dirname(file), path);
  if (!existsSync(resolved)) return 'no such file';
  if (fragment && resolved.endsWith('.md') && statSync(resolved).isFile()) {
    if (!headingAnchors(readFileSync(resolved, 'utf8')).has(fragment.toLowerCase())) return 'no such heading';
  }
  return undefined;
}

const files = markdownFiles(ROOT);
let links = 0;
const broken: string[] = [];
for (const file of files) {
  for (const target of linkTargets(readFileSync(file, 'utf8'))) {
    links++;
    const why = problem(file, target);
    if (why) broken.push(`${relative(ROOT, file)}: ${target} (${why})`);
  }
}
for (const line of broken) console.log(line);
console.log(`check-links: ${files.length} Markdown files, ${links} links, ${broken.length} broken`);
if (broken.length > 0) process.exit(1);
