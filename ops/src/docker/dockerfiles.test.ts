import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESIGN_PORTS, repoPath } from '../support/repo.ts';
import { parseDockerfile } from './dockerfile.ts';

// Every component's Dockerfile: multi-stage (build tools stay out of the runtime image), a non-root
// USER in the final stage, a HEALTHCHECK on the component's own port, and the docs/architecture.md port exposed.

const DOCKERFILES: Record<string, { path: string; healthPath: string }> = {
  'pingora-proxy': { path: 'apps/pingora-proxy/Dockerfile', healthPath: '/healthz' },
  'oauth-service': { path: 'apps/oauth-service/Dockerfile', healthPath: '/health' },
  'admin-portal': { path: 'apps/admin-portal/Dockerfile', healthPath: '/health' },
  'kline-service': { path: 'apps/kline-service/Dockerfile', healthPath: '/health' },
  'flow-service': { path: 'apps/flow-service/Dockerfile', healthPath: '/health' },
  'test-service': { path: 'apps/test-service/Dockerfile', healthPath: '/health' },
};

const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

function finalStage(component: string) {
  const { stages } = parseDockerfile(readFileSync(repoPath(DOCKERFILES[component]!.path), 'utf8'));
  return { stages, final: stages.at(-1)! };
}

describe.each(Object.keys(DOCKERFILES))('%s Dockerfile', (component) => {
  const { path, healthPath } = DOCKERFILES[component]!;

  it('is multi-stage, and the runtime stage copies from the build stage', () => {
    const { stages, final } = finalStage(component);
    expect(stages.length, path).toBeGreaterThanOrEqual(2);
    const builders = stages.slice(0, -1).map((s) => s.name);
    const copiesFrom = final.instructions
      .filter((i) => i.keyword === 'COPY')
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean);
    expect(copiesFrom.length).toBeGreaterThan(0);
    for (const from of copiesFrom) expect(builders).toContain(from);
    // No compilers in the image that runs.
    expect(
      final.instructions.some((i) => /\b(g\+\+|gcc|cargo|make)\b/.test(i.args) && i.keyword === 'RUN'),
    ).toBe(false);
  });

  it('runs as a non-root user', () => {
    const { final } = finalStage(component);
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    expect(users.length, `${path}: no USER in the final stage`).toBeGreaterThan(0);
    const user = users.at(-1)!;
    expect(ROOT_USERS.has(user.args.trim())).toBe(false);
    // The user is in effect when the entry point starts.
    const entry = final.instructions.findIndex((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    expect(final.instructions.indexOf(user)).toBeLessThan(entry);
  });

  it('has a HEALTHCHECK on its own port and exposes the docs/architecture.md port', () => {
    const { final } = finalStage(component);
    const check = final.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(check, `${path}: no HEALTHCHECK`).toBeDefined();
    expect(check!.args).toMatch(/^(--\S+\s+)*CMD\s/);
    expect(check!.args).toContain(`127.0.0.1:${DESIGN_PORTS[component]}${healthPath}`);
    expect(check!.args).toMatch(/--interval=\d+s/);
    const expose = final.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args);
    expect(expose).toEqual([String(DESIGN_PORTS[component])]);
  });
});

describe('the Dockerfile reader', () => {
  it('joins continuation lines, groups stages and rejects broken files', () => {
    const parsed = parseDockerfile(
      'ARG V=1\nFROM node:24 AS build\nRUN a \\\n  # note\n  && b\nFROM debian AS run\nUSER 10001\nCMD ["x"]\n',
    );
    expect(parsed.args.map((a) => a.args)).toEqual(['V=1']);
    expect(parsed.stages.map((s) => [s.from, s.name])).toEqual([
      ['node:24', 'build'],
      ['debian', 'run'],
    ]);
    expect(parsed.stages[0]!.instructions).toEqual([{ keyword: 'RUN', args: 'a && b', line: 3 }]);
    expect(() => parseDockerfile('RUN x\nFROM a\n')).toThrow(/RUN before FROM/);
    expect(() => parseDockerfile('FROM a\nRUN x \\\n')).toThrow(/continued instruction/);
  });
});
