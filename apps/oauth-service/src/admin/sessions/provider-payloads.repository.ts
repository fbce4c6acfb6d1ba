import { type Kysely, sql } from 'kysely';
import type Provider from 'oidc-provider';
import { likeContains } from '../../accounts/users.repository.ts';
import type { OAuthSchema } from '../../db/schema.ts';

// The provider's Grant and Session rows (oidc_payloads), read by the fields the admin API asks about. The
// payload is opaque text on both dialects: a LIKE on the serialized `"field":"value"` narrows the scan, and
// the parsed payload decides.

export interface PayloadRow<P> {
  id: string;
  expiresAt: number | null;
  payload: P;
}

export type PayloadField = 'accountId' | 'clientId';

// The token models oidc-provider revokes with a grant (lib/helpers/revoke.js).
const GRANT_BOUND = [
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
] as const;

/** Destroys a Grant with every token and code issued under it: its refresh tokens stop working at once. */
export async function destroyGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all(GRANT_BOUND.map((model) => provider[model].revokeByGrantId(grantId)));
  await provider.Grant.adapter.destroy(grantId);
}

export function createProviderPayloadsRepository(db: Kysely<OAuthSchema>, now: () => number = Date.now) {
  return {
    /** Live rows of `model`, all of them or those whose payload has `field` = `value`. */
    async live<P extends Partial<Record<PayloadField, unknown>>>(
      model: 'Grant' | 'Session',
      field?: { name: PayloadField; value: string },
    ): Promise<Array<PayloadRow<P>>> {
      let query = db
        .selectFrom('oidc_payloads')
        .select(['id', 'payload', 'expires_at'])
        .where('model', '=', model)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now())]));
      if (field) {
        const pattern = likeContains(`"${field.name}":${JSON.stringify(field.value)}`);
        query = query.where(sql<boolean>`payload like ${pattern} escape '\\'`);
      }
      const rows = await query.execute();
      return rows
        .map((row) => ({ id: row.id, expiresAt: row.expires_at, payload: JSON.parse(row.payload) as P }))
        .filter((row) => !field || row.payload[field.name] === field.value);
    },
  };
}

export type ProviderPayloadsRepository = ReturnType<typeof createProviderPayloadsRepository>;
