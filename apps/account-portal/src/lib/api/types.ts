import type { ItemOf, RequestOf, ResponseOf } from '@platform/web-session/openapi-types';
import type { paths } from './generated/oauth-account.ts';

// The account API's answers, read out of its OpenAPI document (`pnpm api:types`, generated/oauth-account.ts):
// the API's JSON Schemas, never a second description of them.

export type Profile = ResponseOf<paths, '/api/account/me', 'get'>;
export type ProfileChange = RequestOf<paths, '/api/account/me', 'patch'>;
export type PasswordChange = RequestOf<paths, '/api/account/password', 'post'>;
export type SignInSession = ItemOf<ResponseOf<paths, '/api/account/sessions', 'get'>>;
export type ConnectedApplication = ItemOf<ResponseOf<paths, '/api/account/applications', 'get'>>;
export type SecurityEvent = ItemOf<ResponseOf<paths, '/api/account/events', 'get'>>;
export type Factors = ResponseOf<paths, '/api/account/factors', 'get'>;
export type TotpEnrolment = ResponseOf<paths, '/api/account/totp', 'post'>;
export type RecoveryCodes = ResponseOf<paths, '/api/account/recovery-codes', 'post'>;
export type Passkey = ItemOf<ResponseOf<paths, '/api/account/passkeys', 'get'>>;
export type PasskeyRegistration = RequestOf<paths, '/api/account/passkeys', 'post'>;
/** The user's links to other identity providers, and the enabled providers they could link. */
export type LinkedIdentities = ResponseOf<paths, '/api/account/linked-identities', 'get'>;
