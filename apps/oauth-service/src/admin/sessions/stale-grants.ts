import { type Kysely, sql } from 'kysely';
import type Provider from 'oidc-provider';
import { likeContains } from '../../accounts/users.repository.ts';
import type { OAuthSchema } from '../../db/schema.ts';
import { destroyGrant } from './user-sessions.ts';

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

interface GrantRow {
  id: string;
  payload: GrantPayload;
}

const words = (value: string | undefined) => (value ? value.split(' ').filter(Boolean) : []);
const resourceScopes = (grant: GrantPayload) => Object.values(grant.resources ?? {}).flatMap(words);

export interface StaleGrantsDeps {
  db: Kysely<OAuthSchema>;
  provider: () => Provider;
  /** Scopes the user may hold now; empty for a disabled or deleted user. */
  permissionsOf(userId: string): Promise<Set<string>>;
  now?: () => number;
}

export function staleGrants(deps: StaleGrantsDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  /** Live Grant rows, narrowed by a LIKE on the serialized field when one is given; the parse decides. */
  async function grantRows(field?: { name: 'accountId' | 'clientId'; value: string }): Promise<GrantRow[]> {
    let query = db
      .selectFrom('oidc_payloads')
      .select(['id', 'payload'])
      .where('model', '=', 'Grant')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now())]));
    if (field) {
      const pattern = likeContains(`"${field.name}":${JSON.stringify(field.value)}`);
      query = query.where(sql<boolean>`payload like ${pattern} escape '\\'`);
    }
    const rows = await query.execute();
    return rows
      .map((row) => ({ id: row.id, payload: JSON.parse(row.payload) as GrantPayload }))
      .filter((row) => !field || row.payload[field.name] === field.value);
  }

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
        ? await grantRows({ name: 'accountId', value: [...users][0]! })
        : (await grantRows()).filter((row) => users.has(String(row.payload.accountId)));
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
    async allOfUser(userId: string): Promise<number> {
      return destroy(await grantRows({ name: 'accountId', value: userId }));
    },

    /** Grants of `clientId` holding a scope (OpenID or resource) outside `allowed`. */
    async forClient(clientId: string, allowed: ReadonlySet<string>): Promise<number> {
      const rows = await grantRows({ name: 'clientId', value: clientId });
      return destroy(
        rows.filter((row) =>
          [...words(row.payload.openid?.scope), ...resourceScopes(row.payload)].some(
            (scope) => !allowed.has(scope),
          ),
        ),
      );
    },

    /** Users holding `roleId`, for a change to that role (read before a delete cascades the rows away). */
    async usersWithRole(roleId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('user_roles')
        .select('user_id')
        .where('role_id', '=', roleId)
        .execute();
      return rows.map((row) => row.user_id);
    },

    /** Users holding `permissionId` through any role. */
    async usersWithPermission(permissionId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('user_roles')
        .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
        .select('user_roles.user_id')
        .distinct()
        .where('role_permissions.permission_id', '=', permissionId)
        .execute();
      return rows.map((row) => row.user_id);
    },
  };
}

export type StaleGrants = ReturnType<typeof staleGrants>;
