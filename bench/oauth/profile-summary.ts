// Summarises a V8 .cpuprofile (from `--cpu-prof`, e.g. `node bench/oauth/client-credentials.ts --cpu-prof DIR`):
// where the samples fall — self time by package or source tree and by function (shares add up to 100%), and
// inclusive time of the repository's own functions (apps/, packages/: what our code costs with its callees).
//
//   node bench/oauth/profile-summary.ts <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: node bench/oauth/profile-summary.ts <file.cpuprofile> [--top 25]');

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

// Self time per node from the samples and their time deltas (µs).
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const sampled = [...selfUs.values()].reduce((a, b) => a + b, 0);
// Shares are of the busy time: (idle) is the service waiting (start-up, the peer's turn), not a cost.
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
for (const id of idleIds) selfUs.delete(id);
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): { short: string; group: string } {
  if (!url) return { short: '(native)', group: '(native / V8)' };
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { short: rest.join('/'), group: pkg };
  }
  const repo = path.indexOf('/work/main/');
  if (repo >= 0) {
    const rel = path.slice(repo + '/work/main/'.length);
    return { short: rel, group: rel.split('/').slice(0, 3).join('/') };
  }
  if (path.startsWith('node:')) return { short: path, group: 'node: core' };
  return { short: path, group: path };
}

const byFunction = new Map<string, number>();
const byGroup = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (!us) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const w = where(url);
  const key = `${w.short}${url ? `:${lineNumber + 1}` : ''} ${functionName || '(anonymous)'}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byGroup.set(w.group, (byGroup.get(w.group) ?? 0) + us);
}

// Inclusive: every distinct function on a sample's stack gets the sample once (recursion counted once).
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const keyOf = (node: Node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${where(url).short}${url ? `:${lineNumber + 1}` : ''} ${functionName || '(anonymous)'}`;
};
const inclusive = new Map<string, number>();
const rootId = profile.nodes[0]!.id;
const walk = (id: number, onPath: Map<string, number>) => {
  const node = nodes.get(id)!;
  const key = keyOf(node);
  onPath.set(key, (onPath.get(key) ?? 0) + 1);
  const us = selfUs.get(id) ?? 0;
  if (us) for (const k of onPath.keys()) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  for (const child of node.children ?? []) walk(child, onPath);
  const n = onPath.get(key)! - 1;
  if (n) onPath.set(key, n);
  else onPath.delete(key);
};
walk(rootId, new Map());

const top = Number(values.top);
const pct = (us: number) => `${((us / total) * 100).toFixed(1)}%`;
console.log(
  `${file}: ${(sampled / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy on the main thread; shares of the busy time\n`,
);
console.log('| self | package / tree |\n|---:|---|');
for (const [group, us] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| ${pct(us)} | ${group} |`);
console.log('\n| self | function |\n|---:|---|');
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| ${pct(us)} | ${key} |`);

console.log('\n| inclusive | our function (apps/, packages/) |\n|---:|---|');
for (const [key, us] of [...inclusive]
  .filter(([key]) => /^(apps|packages)\//.test(key))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`| ${pct(us)} | ${key} |`);
