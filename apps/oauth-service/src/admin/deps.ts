import type { Kysely } from 'kysely';
import type { AccountMail } from '../account-links/account-mail.ts';
import type { RolesRepository } from '../accounts/roles.repository.ts';
import type { UsersRepository } from '../accounts/users.repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientAdminQueries } from '../clients/clients.admin-queries.ts';
import type { ClientsRepository } from '../clients/clients.repository.ts';
import type { OAuthServiceConfig } from '../config.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { FederationRepositories } from '../federation/repositories.ts';
import type { ConsentsStore } from '../interactions/consents.ts';
import type { KeyStore } from '../keys/key-store.ts';
import type { MfaRepository } from '../mfa/mfa.repository.ts';
import type { MfaService } from '../mfa/mfa.service.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { PasskeySummary } from '../passkeys/passkeys.service.ts';
import type { ResourceServersRepository } from '../resources/resource-servers.repository.ts';
import type { TokenExchangePolicies } from '../token-exchange/policies.repository.ts';
import type { AdminSafeChanges } from './admin-safe-changes.repository.ts';
import type { RecordChange } from './context.ts';
import type { AdminGuard } from './guard.ts';
import type { StaleGrants } from './sessions/stale-grants.ts';

/** Users' second factors and the policy flags that decide when one is asked. */
export interface AdminFactors {
  mfa: Pick<MfaService, 'listFactors' | 'resetFactors'>;
  policy: Pick<
    MfaRepository,
    | 'enrolmentRequired'
    | 'setEnrolmentRequired'
    | 'rolesRequireMfa'
    | 'rolesRequiringMfa'
    | 'setRoleMfaRequiredById'
    | 'clientsRequiringMfa'
    | 'setClientRequiresMfa'
  >;
  passkeys: {
    list(userId: string): Promise<PasskeySummary[]>;
    /** Removes every passkey of the user; returns how many (the admin route records the change). */
    removeAllOf(userId: string): Promise<number>;
  };
}

/** What the admin API works on: the service's own repositories and provider. */
export interface AdminDeps {
  config: Pick<OAuthServiceConfig, 'PUBLIC_URL' | 'NODE_ENV'>;
  db: Kysely<OAuthSchema>;
  users: UsersRepository;
  roles: RolesRepository;
  clients: ClientsRepository;
  resources: ResourceServersRepository;
  consents: ConsentsStore;
  keyStore: KeyStore;
  providers: Pick<ProviderHolder, 'provider' | 'refresh'>;
  audit: AuditLog;
  factors: AdminFactors;
  /** Clients' RFC 8693 token exchange policies. */
  tokenExchange: TokenExchangePolicies;
  federation: Pick<FederationRepositories, 'providers' | 'identities'>;
  /** Verification and invitation mails; undefined when SMTP_URL is unset. */
  accountMail?: AccountMail | undefined;
}

/** Shared by every admin route module: the access check, the audit of changes, and their revocations. */
export interface AdminKit {
  guard: AdminGuard;
  record: RecordChange;
  /** Revokes the grants an authorization change leaves holding more than allowed. */
  grants: StaleGrants;
  /** The changes that must keep an active holder of admin:write. */
  changes: AdminSafeChanges;
  /** Clients' status and names, without unsealing anything. */
  clients: ClientAdminQueries;
}
