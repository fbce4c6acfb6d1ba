import type { Migrations } from '@platform/db';
import { accountLinksMigration } from '../../account-links/migration.ts';
import { accountsMigration } from '../../accounts/migration.ts';
import { auditMigration } from '../../audit/migration.ts';
import { clientFirstPartyMigration } from '../../clients/first-party-migration.ts';
import { clientsMigration } from '../../clients/migration.ts';
import { federationMigration } from '../../federation/migration.ts';
import { keysMigration } from '../../keys/migration.ts';
import { mfaMigration } from '../../mfa/migration.ts';
import { oidcPayloadsMigration } from '../../oidc/adapter/migration.ts';
import { passkeysMigration } from '../../passkeys/migration.ts';
import { tokenExchangeMigration } from '../../token-exchange/migration.ts';
import { settingsMigration } from '../settings.ts';

// Each module owns its migration; names fix the order they apply in.
export const migrations: Migrations = {
  '0001_oidc_payloads': oidcPayloadsMigration,
  '0002_accounts': accountsMigration,
  '0003_audit_log': auditMigration,
  '0004_keys': keysMigration,
  '0005_clients': clientsMigration,
  '0006_settings': settingsMigration,
  '0007_client_first_party': clientFirstPartyMigration,
  '0009_account_links': accountLinksMigration,
  '0010_mfa': mfaMigration,
  '0011_passkeys': passkeysMigration,
  '0012_token_exchange': tokenExchangeMigration,
  '0013_federation': federationMigration,
};
