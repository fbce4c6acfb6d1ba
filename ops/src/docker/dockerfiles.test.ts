import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DESIGN_PORTS, repoPath } from '../support/repo.ts';
import { parseDockerfile } from './dockerfile.ts';

// Every component's image as docker-compose.yml builds it: multi-stage (build tools stay out of the
// runtime image), a non-root USER in the final stage, a HEALTHCHECK on the component's own port, and the
// component's port exposed. The Node services share one Dockerfile, and the consoles another, each
// parameterised by build arguments.

const HEALTH_PATHS: Record<string, string> = {
  'pingora-proxy': '/healthz',
  'oauth-service': '/health',
  'admin-portal': '/health',
  'account-portal': '/health',
  'kline-service': '/health',
  'flow-service': '/health',
  'test-service': '/health',
};
const NODE_SERVICE_DOCKERFILE = 'deploy/docker/node-service.Dockerfile';
const CONSOLE_DOCKERFILE = 'deploy/docker/console.Dockerfile';

interface ComposeBuild {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
}
const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: ComposeBuild }>;
};

/** The component's Dockerfile with its compose build arguments substituted, as docker reads it. */
function dockerfileOf(component: string): { path: string; text: string } {
  const build = compose.services[component]?.build;
  if (!build) throw new Error(`docker-compose.yml builds no image for ${component}`);
  const path = `${build.context}/${build.dockerfile ?? 'Dockerfile'}`.replace(/^\.\//, '');
  let text = readFileSync(repoPath(path), 'utf8');
  for (const [name, value] of Object.entries(build.args ?? {})) {
    text = text.replaceAll(`\${${name}}`, value).replaceAll(`$${name}`, value);
  }
  return { path, text };
}

const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

function finalStage(component: string) {
  const { stages } = parseDockerfile(dockerfileOf(component).text);
  return { stages, final: stages.at(-1)! };
}

it('the Node services are built from the one parameterised Dockerfile', () => {
  for (const component of ['oauth-service', 'kline-service', 'flow-service', 'test-service']) {
    const build = compose.services[component]!.build!;
    expect(build.dockerfile, component).toBe(NODE_SERVICE_DOCKERFILE);
    expect(build.args?.SERVICE, component).toBe(component);
    expect(Number(build.args?.PORT), component).toBe(DESIGN_PORTS[component]);
  }
});

it('the consoles are built from the one parameterised console Dockerfile', () => {
  for (const component of ['admin-portal', 'account-portal']) {
    const build = compose.services[component]!.build!;
    expect(build.dockerfile, component).toBe(CONSOLE_DOCKERFILE);
    expect(build.args?.CONSOLE, component).toBe(component);
    expect(Number(build.args?.PORT), component).toBe(DESIGN_PORTS[component]);
  }
});

describe.each(Object.keys(HEALTH_PATHS))('%s Dockerfile', (component) => {
  const { path } = dockerfileOf(component);
  const healthPath = HEALTH_PATHS[component]!;

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

  it('has a HEALTHCHECK on its own port and exposes its port', () => {
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
