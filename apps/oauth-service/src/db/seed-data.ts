// What a fresh platform starts with (this app's README, "Seeded accounts"). Permission names equal scope names: a role
// holding `kline:read` lets its users be granted the `kline:read` scope.

export const RESOURCE_SERVERS = [
  {
    name: 'test',
    path: '/test',
    description: 'test-service, the reference resource server',
    scopes: [
      { name: 'test:read', description: 'Read from test-service' },
      { name: 'test:write', description: 'Write to test-service' },
    ],
  },
  {
    name: 'kline',
    path: '/kline',
    description: 'kline-service, market data',
    scopes: [
      { name: 'kline:read', description: 'Read candles and market data' },
      { name: 'kline:write', description: 'Ingest trades' },
    ],
  },
  {
    name: 'flow',
    path: '/flow',
    description: 'flow-service, workflows',
    scopes: [
      { name: 'flow:read', description: 'See workflow definitions and runs' },
      { name: 'flow:write', description: 'Create and change workflow definitions' },
      { name: 'flow:run', description: 'Start, cancel and rerun workflows' },
      { name: 'flow:approve', description: 'Approve or reject workflow steps' },
    ],
  },
  {
    name: 'admin',
    path: '/api/admin',
    description: 'oauth-service admin API',
    scopes: [
      { name: 'admin:read', description: 'Read identity administration data' },
      { name: 'admin:write', description: 'Change users, roles, clients and keys' },
      { name: 'admin:authority', description: "Read a user's active state and scopes (flow-service only)" },
    ],
  },
  {
    name: 'account',
    path: '/api/account',
    description: 'oauth-service account API: each user manages their own account',
    scopes: [{ name: 'account', description: 'Manage your own account' }],
  },
] as const;

// admin:authority is for the flow-service machine client alone: no role grants it. `account` needs no
// role: every active user may be granted it (account/account-scope.ts).
const ALL = RESOURCE_SERVERS.flatMap((server) => server.scopes.map((scope) => scope.name)).filter(
  (scope) => scope !== 'admin:authority' && scope !== 'account',
);
const READS = ALL.filter((scope) => scope.endsWith(':read'));

export const ROLES: Array<{ name: string; description: string; permissions: string[] }> = [
  { name: 'admin', description: 'Full control of the platform', permissions: ALL },
  {
    name: 'operator',
    description: 'Runs the platform: markets, workflows and test traffic; reads the admin data',
    permissions: ALL.filter((scope) => !scope.startsWith('admin:') || scope === 'admin:read'),
  },
  { name: 'viewer', description: 'Reads everything, changes nothing', permissions: READS },
  {
    name: 'user',
    description: 'Everyday access to markets, workflows and the test service',
    permissions: ['test:read', 'kline:read', 'flow:read'],
  },
];

export const CLIENT_IDS = {
  adminPortal: 'admin-portal',
  cli: 'platform-cli',
  flowService: 'flow-service',
  accountConsole: 'account-console',
} as const;
