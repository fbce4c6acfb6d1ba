// oauth-service's tables, composed from the modules that own them.
import type { AccountLinkTables } from '../account-links/tables.ts';
import type { AccountTables } from '../accounts/tables.ts';
import type { AuditTables } from '../audit/tables.ts';
import type { ClientTables } from '../clients/tables.ts';
import type { FederationTables } from '../federation/tables.ts';
import type { KeyTables } from '../keys/tables.ts';
import type { MfaTables } from '../mfa/tables.ts';
import type { OidcTables } from '../oidc/adapter/tables.ts';
import type { PasskeyTables } from '../passkeys/tables.ts';
import type { TokenExchangeTables } from '../token-exchange/tables.ts';
import type { SettingsTables } from './settings.ts';

export interface OAuthSchema
  extends OidcTables,
    AccountTables,
    AuditTables,
    KeyTables,
    ClientTables,
    SettingsTables,
    AccountLinkTables,
    MfaTables,
    PasskeyTables,
    TokenExchangeTables,
    FederationTables {}
