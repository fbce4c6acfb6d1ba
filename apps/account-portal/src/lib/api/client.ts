import { createApiClient, segment } from '@platform/web-session/api-client';
import { browserForwardingHeaders } from '@platform/web-session/forwarded';
import { accountConfig } from '../config.ts';
import type { StoredSession } from '../session/store.ts';
import type {
  ConnectedApplication,
  Factors,
  LinkedIdentities,
  Passkey,
  PasskeyRegistration,
  PasswordChange,
  Profile,
  ProfileChange,
  RecoveryCodes,
  SecurityEvent,
  SignInSession,
  TotpEnrolment,
} from './types.ts';

// The console's one client of the account API: server-side only, with the user's own access token, on
// oauth-service's internal URL (the token never travels through the browser). Each call forwards the
// browser's address and User-Agent, which the API records in the audit log of the user's changes.

export function accountApi(session: StoredSession) {
  const client = createApiClient({
    baseUrl: `${accountConfig().internalOAuthUrl}/api/account`,
    token: () => session.accessToken,
    describeStatus: (status) => `The account service answered ${status}.`,
    timeoutMs: 15_000,
  });
  const call = async <T>(
    method: 'GET' | 'PATCH' | 'POST' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
  ) => client.request<T>(method, path, { headers: await browserForwardingHeaders(), ...options });
  const current = session.sid;
  return {
    profile: () => call<Profile>('GET', '/me'),
    updateProfile: (name: string) =>
      call<Profile>('PATCH', '/me', { body: { name } satisfies ProfileChange }),
    changePassword: (currentPassword: string, newPassword: string) =>
      call<void>('POST', '/password', {
        query: { keepSession: current },
        body: { currentPassword, newPassword } satisfies PasswordChange,
      }),
    sessions: () => call<SignInSession[]>('GET', '/sessions', { query: { current } }),
    endSession: (id: string) => call<void>('DELETE', `/sessions/${segment(id)}`),
    endOtherSessions: () => call<void>('DELETE', '/sessions', { query: { except: current } }),
    applications: () => call<ConnectedApplication[]>('GET', '/applications'),
    revokeApplication: (clientId: string) => call<void>('DELETE', `/applications/${segment(clientId)}`),
    factors: () => call<Factors>('GET', '/factors'),
    beginTotp: () => call<TotpEnrolment>('POST', '/totp'),
    confirmTotp: (code: string) => call<RecoveryCodes>('POST', '/totp/confirm', { body: { code } }),
    removeTotp: () => call<void>('DELETE', '/totp'),
    regenerateRecoveryCodes: () => call<RecoveryCodes>('POST', '/recovery-codes'),
    passkeys: () => call<Passkey[]>('GET', '/passkeys'),
    /** WebAuthn creation options; the browser's answer goes back through registerPasskey. */
    passkeyRegistrationOptions: () => call<Record<string, unknown>>('POST', '/passkeys/registration/options'),
    registerPasskey: (registration: PasskeyRegistration) =>
      call<Passkey>('POST', '/passkeys', { body: registration }),
    renamePasskey: (id: string, name: string) =>
      call<Passkey>('PATCH', `/passkeys/${segment(id)}`, { body: { name } }),
    removePasskey: (id: string) => call<void>('DELETE', `/passkeys/${segment(id)}`),
    events: (limit = 50) => call<SecurityEvent[]>('GET', '/events', { query: { limit } }),
    linkedIdentities: () => call<LinkedIdentities>('GET', '/linked-identities'),
    unlinkIdentity: (providerId: string) => call<void>('DELETE', `/linked-identities/${segment(providerId)}`),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;
