import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DESIGN_PORTS, ROOT, readYaml, repoPath } from '../support/repo.ts';
import { composeValidator } from './schema.ts';

// docker-compose.yml validated against the Compose Specification's JSON schema (no `docker compose
// config` on CI) and cross-checked against the repository: build contexts and Dockerfiles, env files,
// ports of docs/architecture.md, depends_on, healthchecks, mounted files, and the scrape and upstream targets.

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  ports?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string; interval?: string };
  volumes?: string[];
  restart?: string;
  command?: string[] | string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const RAW = readFileSync(repoPath('docker-compose.yml'), 'utf8');
// `<<: *anchor` merge keys resolved, as compose does.
const load = (text: string) => parse(text, { merge: true, uniqueKeys: true }) as Compose;
const compose = load(RAW);
const services = compose.services;
const validate = composeValidator();

const COMPONENTS = [
  'pingora-proxy',
  'oauth-service',
  'admin-portal',
  'account-portal',
  'kline-service',
  'flow-service',
  'test-service',
];
const isOneShot = (service: Service) => service.restart === 'no';

function publishedPorts(service: Service) {
  return (service.ports ?? []).map((spec) => {
    const match = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)$/.exec(spec);
    if (!match) throw new Error(`unexpected port spec ${spec}`);
    return { hostIp: match[1] ?? '0.0.0.0', published: Number(match[2]), target: Number(match[3]) };
  });
}

describe('docker-compose.yml against the compose-spec schema', () => {
  it('is valid', () => {
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects an unknown key, a malformed port and a malformed duration', () => {
    const unknownKey = load(RAW);
    (unknownKey.services.grafana as Record<string, unknown>).restart_policy = 'always';
    expect(validate(unknownKey)).toBe(false);
    const badPort = load(RAW);
    badPort.services.postgres!.ports = ['5432:postgres'];
    expect(validate(badPort)).toBe(false);
    const badDuration = load(RAW);
    badDuration.services.grafana!.healthcheck!.interval = 'fifteen seconds';
    expect(validate(badDuration)).toBe(false);
    const badDepends = load(RAW);
    badDepends.services['oauth-service']!.depends_on!.postgres = { condition: 'service_ready' };
    expect(validate(badDepends)).toBe(false);
  });
});

describe('docker-compose.yml against the repository', () => {
  it('runs all seven components, PostgreSQL 15, Prometheus, Grafana and node-exporter', () => {
    for (const name of [...COMPONENTS, 'postgres', 'prometheus', 'grafana', 'node-exporter']) {
      expect(services[name], name).toBeDefined();
    }
    expect(services.postgres!.image).toBe('postgres:15');
    // Pinned images, not :latest (the runbook's prom/prometheus:latest / grafana/grafana:latest).
    for (const [name, service] of Object.entries(services)) {
      if (service.image) expect(service.image, name).toMatch(/:[\w.-]+$/);
      if (service.image) expect(service.image, name).not.toMatch(/:latest$/);
    }
  });

  it('every build context and Dockerfile exists', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const context = repoPath(service.build.context);
      expect(existsSync(context), `${name} context ${service.build.context}`).toBe(true);
      const dockerfile = `${context}/${service.build.dockerfile ?? 'Dockerfile'}`;
      expect(existsSync(dockerfile), `${name} dockerfile ${dockerfile}`).toBe(true);
    }
    for (const name of COMPONENTS) expect(services[name]!.build, name).toBeDefined();
  });

  it('publishes each component on its docs/architecture.md port, and sets PORT to it', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!(name in DESIGN_PORTS)) continue;
      for (const port of publishedPorts(service)) {
        expect(port.target, name).toBe(DESIGN_PORTS[name]);
        expect(port.published, name).toBe(DESIGN_PORTS[name]);
      }
      if (service.environment?.PORT) expect(Number(service.environment.PORT), name).toBe(DESIGN_PORTS[name]);
    }
    // Only the gateway is published on every interface; the monitoring UIs on the host's loopback only
    // (e2e/src/security/deploy-ports.test.ts asserts the whole list).
    expect(publishedPorts(services['pingora-proxy']!)).toEqual([
      { hostIp: '0.0.0.0', published: 8080, target: 8080 },
    ]);
    for (const name of [
      'oauth-service',
      'admin-portal',
      'account-portal',
      'kline-service',
      'flow-service',
      'test-service',
    ])
      expect(publishedPorts(services[name]!), name).toEqual([]);
    expect(publishedPorts(services.postgres!)).toEqual([]);
    expect(publishedPorts(services.grafana!)).toEqual([
      { hostIp: '127.0.0.1', published: 3000, target: 3000 },
    ]);
    expect(publishedPorts(services.prometheus!)).toEqual([
      { hostIp: '127.0.0.1', published: 9090, target: 9090 },
    ]);
  });

  it('every env file exists as a committed .example, and the real file is git-ignored', () => {
    const files = new Set(Object.values(services).flatMap((s) => s.env_file ?? []));
    expect(files.size).toBeGreaterThan(0);
    for (const file of [...files, '.env']) {
      expect(existsSync(repoPath(`${file}.example`)), `${file}.example`).toBe(true);
      const ignored = spawnSync('git', ['check-ignore', '-q', file], { cwd: ROOT });
      expect(ignored.status, `${file} must be git-ignored`).toBe(0);
      const example = spawnSync('git', ['check-ignore', '-q', `${file}.example`], { cwd: ROOT });
      expect(example.status, `${file}.example must not be ignored`).toBe(1);
    }
  });

  it('secrets come from env files or .env, never inline; every interpolated variable is documented in .env.example', () => {
    const example = readFileSync(repoPath('.env.example'), 'utf8');
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|_KEY$/.test(key)) {
          expect(value, `${name} ${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        }
        if (/DATABASE_URL/.test(key))
          expect(value, `${name} ${key}`).toMatch(/:\$\{[A-Z_]+_DB_PASSWORD:\?[^}]+\}@/);
      }
    }
    const variables = new Set([...RAW.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    for (const variable of variables) expect(example, variable).toMatch(new RegExp(`^${variable}=`, 'm'));
    // Grafana falls back to admin/admin without a password: compose must refuse to start instead.
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toMatch(
      /^\$\{GRAFANA_ADMIN_PASSWORD:\?/,
    );
    // JWT_SECRET is not used by any service (docs/deployment.md, "Choices in this deployment").
    expect(RAW).not.toContain('JWT_SECRET');
  });

  it('depends_on names existing services, waits for health where they have a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target], `${name} -> ${target}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[target]!.healthcheck, `${target}`).toBeDefined();
        if (condition === 'service_completed_successfully')
          expect(isOneShot(services[target]!), target).toBe(true);
      }
    }
    // Each service with a database starts only after its migration job succeeded.
    for (const name of ['oauth-service', 'kline-service', 'flow-service', 'test-service']) {
      const migrate = `${name.replace('-service', '')}-migrate`;
      expect(services[name]!.depends_on?.[migrate]?.condition, name).toBe('service_completed_successfully');
      expect(services[migrate]!.build).toEqual(services[name]!.build);
    }
  });

  it('every long-running service has a healthcheck and a restart policy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (isOneShot(service)) continue;
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.restart, name).toBe('unless-stopped');
    }
    // Node services probe readiness (/ready, database reachable) on their own port.
    for (const name of ['oauth-service', 'kline-service', 'flow-service', 'test-service']) {
      expect(JSON.stringify(services[name]!.healthcheck!.test)).toContain(
        `127.0.0.1:${DESIGN_PORTS[name]}/ready`,
      );
    }
  });

  it('mounts files that exist (the TLS pair only in its git-ignored folder), and every rule file Prometheus loads', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('./')) continue;
        if (source.startsWith('./deploy/tls/')) {
          expect(spawnSync('git', ['check-ignore', '-q', source], { cwd: ROOT }).status, source).toBe(0);
          continue;
        }
        expect(existsSync(repoPath(source)), `${name} mounts ${source}`).toBe(true);
      }
    }
    const { rule_files } = readYaml<{ rule_files: string[] }>('monitoring/prometheus.yml');
    for (const file of rule_files) {
      expect(services.prometheus!.volumes).toContain(`./monitoring/${file}:/etc/prometheus/${file}:ro`);
    }
    expect(services.prometheus!.volumes).toContain(
      './monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it("Prometheus' targets and the gateway's upstreams are compose services on their ports", () => {
    const prometheus = readYaml<{ scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }>(
      'monitoring/prometheus.yml',
    );
    const gateway = readYaml<{ upstreams: Array<{ servers: string[] }> }>(
      'apps/pingora-proxy/config/production.yaml',
    );
    const targets = [
      ...prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets)),
      ...gateway.upstreams.flatMap((upstream) => upstream.servers),
    ];
    for (const target of targets) {
      const [host, port] = target.split(':');
      expect(services[host!], target).toBeDefined();
      expect(Number(port), target).toBe(DESIGN_PORTS[host!]);
    }
  });
});
