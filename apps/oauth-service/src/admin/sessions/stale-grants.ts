import type Provider from 'oidc-provider';
import type { RoleHolderQueries } from '../../accounts/roles.admin-queries.ts';
import {
  destroyGrant,
  type PayloadRow,
  type ProviderPayloadsRepository,
} from './provider-payloads.repository.ts';

// Authorization changes take effect through revocation: when an admin change narrows what a user may be
// granted (a role taken away, a permission leaving a role, a role or permission deleted, the user disabled)
// or what a client may be granted (scopes removed), every provider Grant that now holds more than allowed is
// destroyed with its refresh tokens. The holder's next refresh fails with invalid_grant and they must
// authorize again, when consent only offers what their roles allow. JWT access tokens already issued stay
// valid until they expire (ACCESS_TOKEN_TTL, minutes).
//
// Revoking on change, rather than re-checking roles at every refresh, keeps the token endpoint's hot path free
// of RBAC queries, and it works across instances with no cache to expire: the Grant rows are shared. A
// refresh racing the change can succeed once with the old scopes; the access token it yields dies within its
// TTL and the next refresh fails.

interface GrantPayload {
  accountId?: string;
  clientId?: string;
  openid?: { scope?: string };
  resources?: Record<string, string>;
}

type GrantRow = PayloadRow<GrantPayload>;

const words = (value: string | undefined) => (value ? value.split(' ').filter(Boolean) : []);
const resourceScopes = (grant: GrantPayload) => Object.values(grant.resources ?? {}).flatMap(words);

export interface StaleGrantsDeps {
  payloads: ProviderPayloadsRepository;
  holders: RoleHolderQueries;
  provider: () => Provider;
  /** Scopes the user may hold now; empty for a disabled or deleted user. */
  permissionsOf(userId: string): Promise<Set<string>>;
}

export function createStaleGrants(deps: StaleGrantsDeps) {
  const grantsOf = (name: 'accountId' | 'clientId', value: string) =>
    deps.payloads.live<GrantPayload>('Grant', { name, value });

  async function destroy(rows: GrantRow[]): Promise<number> {
    for (const row of rows) await destroyGrant(deps.provider(), row.id);
    return rows.length;
  }

  /** Grants of `userIds` holding a resource scope their roles no longer carry. */
  async function forUsers(userIds: Iterable<string>): Promise<number> {
    const users = new Set(userIds);
    if (users.size === 0) return 0;
    const rows =
      users.size === 1
        ? await grantsOf('accountId', [...users][0]!)
        : (await deps.payloads.live<GrantPayload>('Grant')).filter((row) =>
            users.has(String(row.payload.accountId)),
          );
    const permitted = new Map<string, Set<string>>();
    const stale: GrantRow[] = [];
    for (const row of rows) {
      const user = String(row.payload.accountId);
      if (!permitted.has(user)) permitted.set(user, await deps.permissionsOf(user));
      const allowed = permitted.get(user)!;
      if (resourceScopes(row.payload).some((scope) => !allowed.has(scope))) stale.push(row);
    }
    return destroy(stale);
  }

  return {
    forUsers,

    /** Every grant of the user, whatever it holds: for an account that may no longer be used at all. */
    allOfUser: async (userId: string): Promise<number> => destroy(await grantsOf('accountId', userId)),

    /** Grants of `clientId` holding a scope (OpenID or resource) outside `allowed`. */
    async forClient(clientId: string, allowed: ReadonlySet<string>): Promise<number> {
      const rows = await grantsOf('clientId', clientId);
      const holdsMore = (row: GrantRow) =>
        [...words(row.payload.openid?.scope), ...resourceScopes(row.payload)].some(
          (scope) => !allowed.has(scope),
        );
      return destroy(rows.filter(holdsMore));
    },

    /** Users holding `roleId`, for a change to that role (read before a delete cascades the rows away). */
    usersWithRole: (roleId: string) => deps.holders.usersWithRole(roleId),

    /** Users holding `permissionId` through any role. */
    usersWithPermission: (permissionId: string) => deps.holders.usersWithPermission(permissionId),
  };
}

export type StaleGrants = ReturnType<typeof createStaleGrants>;
