// The route label of the platform's two HTTP metrics (@platform/http/http-metrics), which src/server.ts
// records for the portal. Next.js has no route templates outside its router, so the route label is the
// console section (`/admin/users`), and anything else one shared value: a scanner cannot mint a series per
// URL.

const SECTIONS = new Set([
  'users',
  'roles',
  'clients',
  'resource-servers',
  'keys',
  'audit',
  'system',
  'workflows',
  'markets',
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
