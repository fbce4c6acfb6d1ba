import { routeLabel as sharedRouteLabel } from '@platform/web-session/console-server';

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
/** The label of `pathname` (@platform/web-session/console-server's routeLabel with the console's sections). */
export const routeLabel = (pathname: string, basePath: string) =>
  sharedRouteLabel(pathname, basePath, SECTIONS);
