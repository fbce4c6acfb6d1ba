import type { onRequestHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import type { SignIn } from '../accounts/sign-in.ts';
import type { UsersRepository } from '../accounts/users.repository.ts';
import type { ProviderPayloadsRepository } from '../admin/sessions/provider-payloads.repository.ts';
import type { UserSessions } from '../admin/sessions/user-sessions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { OAuthServiceConfig } from '../config.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { FederationRepositories } from '../federation/repositories.ts';
import type { ConsentsStore } from '../interactions/consents.ts';
import type { KeyStore } from '../keys/key-store.ts';
import type { MfaModule } from '../mfa/wiring.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { PasskeyService } from '../passkeys/passkeys.service.ts';
import type { AccountRepository } from './account.repository.ts';
import type { RecordAccountChange } from './context.ts';
import type { AccountGuard } from './guard.ts';

/** What the account API works on: the service's own repositories, provider and sign-in checks. */
export interface AccountDeps {
  config: Pick<OAuthServiceConfig, 'PUBLIC_URL' | 'ACCOUNT_REAUTH_SECONDS'>;
  db: Kysely<OAuthSchema>;
  users: UsersRepository;
  consents: ConsentsStore;
  keyStore: KeyStore;
  providers: Pick<ProviderHolder, 'provider'>;
  audit: AuditLog;
  /** The sign-in check (lockout, per-address limit), shared with the sign-in page. */
  signIn: SignIn;
  /** The caller's TOTP and recovery codes, and the policy reads that say whether a second factor is required. */
  mfa: Pick<MfaModule, 'service' | 'repository'>;
  /** The caller's passkeys: the WebAuthn service the sign-in page also uses. */
  passkeys: PasskeyService;
  /** The caller's links to upstream identity providers, and the providers they could link. */
  federation: FederationRepositories;
}

/** Shared by every account route module: the access check, the audit of changes and the stores they read. */
export interface AccountKit {
  guard: AccountGuard;
  /** The guard plus a recent sign-in (recent-sign-in.ts): for changes that could keep the account. */
  sensitive: onRequestHookHandler[];
  record: RecordAccountChange;
  sessions: UserSessions;
  /** The provider's Session and Grant rows, for what UserSessions does not expose (a session's sids). */
  payloads: ProviderPayloadsRepository;
  repository: AccountRepository;
}

/** A module of account routes: registered from the one list in index.ts. */
export type AccountRouteModule = (
  app: import('@platform/http').App,
  deps: AccountDeps,
  kit: AccountKit,
) => void;
