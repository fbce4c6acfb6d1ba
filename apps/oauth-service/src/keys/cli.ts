// Signing-key rotation from the command line: `pnpm keys:rotate [--activate-in <seconds>]` (or
// `node apps/oauth-service/src/keys/cli.ts rotate`). Every running instance picks the new key up within its
// key poll interval; the old key stays published until the tokens it signed have expired.
import { parseArgs } from 'node:util';
import { runMain, StartupError } from '@platform/config';
import { openMigratedDatabase } from '@platform/db';
import { createAuditLog } from '../audit/audit-log.ts';
import { loadOAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createKeyStore, maxSignedTtlSec } from './key-store.ts';

await runMain(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'activate-in': { type: 'string', default: '60' } },
  });
  const delay = Number(values['activate-in']);
  if (positionals[0] !== 'rotate' || !Number.isInteger(delay) || delay < 0 || delay > 3600) {
    throw new StartupError('usage: keys/cli.ts rotate [--activate-in <0..3600 seconds, default 60>]');
  }
  const config = loadOAuthServiceConfig();
  const database = await openMigratedDatabase<OAuthSchema>(config.DATABASE_URL, migrations, { poolMax: 1 });
  try {
    const store = createKeyStore({
      db: database.db,
      box: createSecretBox(config.ENCRYPTION_KEY),
      maxTokenTtlSec: maxSignedTtlSec(config),
    });
    const { kid, activatesAt } = await store.rotate(delay * 1000);
    await createAuditLog(database.db).record({
      actorType: 'system',
      actorId: 'keys-cli',
      actorName: 'keys/cli.ts',
      action: 'key.rotate',
      targetType: 'signing_key',
      targetId: kid,
      outcome: 'success',
      details: { activates_at: new Date(activatesAt).toISOString() },
    });
    console.log(`new signing key ${kid}: published now, signs from ${new Date(activatesAt).toISOString()}`);
  } finally {
    await database.close();
  }
});
