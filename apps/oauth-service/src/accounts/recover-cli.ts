// `pnpm admin:recover <login> [--operator <name>]` (or `node apps/oauth-service/src/accounts/recover-cli.ts`):
// break-glass recovery of an account, see recover.ts. Runs against DATABASE_URL; the one-time password is
// printed here, once, and nowhere else.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { runMain, StartupError } from '@platform/config';
import { openMigratedDatabase } from '@platform/db';
import { createAuditLog } from '../audit/audit-log.ts';
import { loadOAuthServiceConfig } from '../config.ts';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { recoverAccount } from './recover.ts';

const USAGE = 'usage: pnpm admin:recover <login> [--operator <your name>]';

await runMain(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { operator: { type: 'string' } },
  });
  const login = positionals[0]?.trim();
  if (!login || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const operator = (values.operator ?? userInfo().username).slice(0, 64);
  const config = loadOAuthServiceConfig();
  const database = await openMigratedDatabase<OAuthSchema>(config.DATABASE_URL, migrations, { poolMax: 1 });
  try {
    const audit = createAuditLog(database.db);
    const recovery = await recoverAccount(database.db, login, { operator, audit });
    await audit.flush();
    if (!recovery) throw new StartupError(`admin:recover: no user with the login ${JSON.stringify(login)}`);
    const { user, oneTimePassword } = recovery;
    console.log(
      `oauth-service: "${user.username}" is enabled and unlocked; one-time password (shown once, must be changed at the next sign-in): ${oneTimePassword}`,
    );
  } finally {
    await database.close();
  }
});
