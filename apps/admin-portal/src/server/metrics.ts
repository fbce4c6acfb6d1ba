import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

// The platform's two HTTP metrics (design.md, Observability) for the portal. Next.js has no route templates
// outside its router, so the route label is the console section (`/admin/users`), and anything else one
// shared value: a scanner cannot mint a series per URL.

const SECTIONS = new Set([
  'users',
  'roles',
  'clients',
  'resource-servers',
  'keys',
  'audit',
  'system',
  'workflows',
  'auth',
  'api',
  '_next',
]);
const ROOT_PATHS = new Set(['/health', '/ready', '/metrics', '/']);

export function routeLabel(pathname: string, basePath: string): string {
  if (ROOT_PATHS.has(pathname)) return pathname;
  if (pathname === basePath || pathname === `${basePath}/`) return basePath;
  if (!pathname.startsWith(`${basePath}/`)) return 'unmatched';
  const section = pathname.slice(basePath.length + 1).split('/')[0] ?? '';
  return SECTIONS.has(section) ? `${basePath}/${section}` : 'unmatched';
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    record(method: string, route: string, status: number, seconds: number) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
