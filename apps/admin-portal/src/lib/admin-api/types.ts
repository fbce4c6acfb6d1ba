// The admin API's resources as the console reads them: aliases of the types generated from oauth-service's
// OpenAPI document (lib/api/generated/oauth-admin.ts, `pnpm api:types`).
import type { paths } from '../api/generated/oauth-admin.ts';
import type { ItemOf, ResponseOf } from '../api/types.ts';

type Get<P extends keyof paths> = ResponseOf<paths, P, 'get'>;

/** A cursor page of the admin API's lists. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type User = Get<'/api/admin/users/{id}'>;
/** A role or a permission: the two share their name and description. */
export type Named = Get<'/api/admin/permissions/{id}'>;
/** A role: a named entity with whether its holders must sign in with a second factor. */
export type Role = Get<'/api/admin/roles/{id}'>;
export type Permission = ItemOf<Get<'/api/admin/permissions'>['items']>;
export type Client = Get<'/api/admin/clients/{clientId}'>;
/** The answer to creating a client: the client with its secret (confidential clients), shown once. */
export type CreatedClient = ResponseOf<paths, '/api/admin/clients', 'post'>;
/** The answer to rotating a client's secret: the client with its new secret, shown once. */
export type RotatedClient = ResponseOf<paths, '/api/admin/clients/{clientId}/secret', 'post'>;
export type ResourceServer = Get<'/api/admin/resource-servers/{id}'>;
/** An upstream identity provider ("Sign in with …"); its client secret is write-only (`has_secret`). */
export type UpstreamProvider = Get<'/api/admin/upstream-providers/{id}'>;
export type SigningKey = ItemOf<Get<'/api/admin/keys'>['items']>;
export type AuditEvent = Get<'/api/admin/audit/{id}'>;
export type SessionInfo = ItemOf<Get<'/api/admin/users/{id}/sessions'>['items']>;
export type ClientGrants = ItemOf<Get<'/api/admin/users/{id}/grants'>['items']>;
/** A user's second factors, without secrets. */
export type UserFactors = Get<'/api/admin/users/{id}/factors'>;
/** A user's links to upstream identity providers, and whether the account has a password of its own. */
export type UserSignIns = Get<'/api/admin/users/{id}/linked-sign-ins'>;
/** How many active users have a second factor, by factor. */
export type MfaAdoption = Get<'/api/admin/stats/mfa'>;
